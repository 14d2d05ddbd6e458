"""Static files are compressed once, and again only when they change."""

import os

import brotli
from django.core.management import call_command

STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "chinhthong.config.static_storage.StaticFilesStorage"},
}


def collect(settings, source, target):
    settings.STORAGES = STORAGE
    settings.STATIC_ROOT = target
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    call_command("collectstatic", interactive=False, verbosity=0)


def test_unchanged_files_are_not_compressed_again(settings, tmp_path):
    source, target = tmp_path / "src", tmp_path / "static"
    source.mkdir()
    (source / "app.js").write_text("console.log('chính thống');\n" * 400, encoding="utf-8")
    (source / "site.css").write_text("body { color: #123456; }\n" * 400, encoding="utf-8")

    collect(settings, source, target)
    copies = sorted(target.glob("*.br")) + sorted(target.glob("*.gz"))
    assert {p.name.split(".")[0] for p in copies} == {"app", "site"}
    before = {p: p.stat().st_ctime_ns for p in copies}

    collect(settings, source, target)
    assert {p: p.stat().st_ctime_ns for p in copies} == before

    changed = source / "app.js"
    changed.write_text("console.log('mới');\n" * 400, encoding="utf-8")
    # collectstatic compares whole seconds: make the edit visibly newer than the last copy.
    later = changed.stat().st_mtime + 10
    os.utime(changed, (later, later))
    collect(settings, source, target)
    rewritten = [p for p in copies if p.stat().st_ctime_ns != before[p]]
    assert rewritten and all(p.name.startswith("app.js") for p in rewritten)
    assert brotli.decompress((target / "app.js.br").read_bytes()).startswith(
        "console.log('mới');".encode()
    )
    assert not any(p.name.startswith("site") for p in rewritten)
