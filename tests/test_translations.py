"""The Vietnamese catalogue is complete: every user-facing string has a translation."""

import subprocess
from pathlib import Path

from django.utils.translation.template import templatize

CATALOGUE = Path(__file__).resolve().parents[1] / "src/chinhthong/locale/vi/LC_MESSAGES/django.po"


def test_vietnamese_catalogue_has_no_untranslated_or_fuzzy_entries():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_catalogue_covers_every_string_in_the_source(tmp_path):
    """Re-extracting the strings of code and templates finds none missing from the catalogue."""
    source = CATALOGUE.parents[3]
    extracted = tmp_path / "extracted.pot"
    files = sorted(str(p) for p in source.rglob("*.py") if "migrations" not in p.parts)
    for number, template in enumerate(sorted(source.rglob("*.html"))):
        # What `makemessages` does: turn template tags into gettext calls xgettext can read.
        converted = tmp_path / f"template_{number}.py"
        converted.write_text(
            templatize(template.read_text(encoding="utf-8"), str(template)), encoding="utf-8"
        )
        files.append(str(converted))
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            "--keyword=gettext_noop",
            "--keyword=gettext_lazy",
            "--keyword=ngettext_lazy:1,2",
            "--keyword=_",
            "-o",
            str(extracted),
            *files,
        ],
        check=True,
    )
    known = _msgids(CATALOGUE.read_text(encoding="utf-8"))
    missing = _msgids(extracted.read_text(encoding="utf-8")) - known - {""}
    assert not missing, f"run `make makemessages` and translate: {sorted(missing)[:10]}"


def _msgids(text: str) -> set[str]:
    ids, current, inside = set(), [], False
    for line in text.splitlines():
        if line.startswith("msgid "):
            current, inside = [line[6:].strip().strip('"')], True
        elif inside and line.startswith('"'):
            current.append(line.strip().strip('"'))
        else:
            if inside:
                ids.add("".join(current))
            inside = False
    return ids
