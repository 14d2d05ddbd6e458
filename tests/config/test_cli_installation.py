"""The command finds its installation from any folder (issue 10 B7): `chinhthong check` run
elsewhere answers from the installation's registry, or says on standard error which registry it
used; no command but `setup` creates a var folder."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from chinhthong.config import installation
from tests.processes import CHINHTHONG, app_environment

# A channel only the installation has: the registry packaged with the software answers unknown.
ADDED = json.dumps(
    {
        "channels": [
            {
                "slug": "web-kenh-thu-nghiem",
                "agency": "ubnd-tinh-quang-ninh",
                "kind": "website",
                "name": "Kênh thử nghiệm của cài đặt",
                "url": "https://kenhthunghiem.vn/",
                "host": "kenhthunghiem.vn",
                "status": "active",
            }
        ]
    }
)


BLOCKED = "https://nhan-qua-tet.top/dang-nhap"


def command(env: dict, cwd: Path, *args: str, **options) -> subprocess.CompletedProcess:
    """`python -m chinhthong ARGS` started in ``cwd``, as a person or a mail filter runs it."""
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [*CHINHTHONG, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )


@pytest.fixture(scope="module")
def setup_env(tmp_path_factory):
    """An installation set up by `chinhthong setup` (its var folder given as an operator
    would, recorded in a file of the test's), with a channel added and published."""
    root = tmp_path_factory.mktemp("installation")
    with app_environment(root / "var") as env:
        env["CHINHTHONG_INSTALLATION_FILE"] = str(root / "installation.json")
        if env["DATABASE_URL"].startswith("sqlite"):
            del env["DATABASE_URL"]  # the default: a database file in the var folder
        set_up = command(env, root, "setup", "--no-static")
        assert set_up.returncode == 0, set_up.stderr
        assert str(root / "var") in set_up.stdout  # says which folder it recorded
        (root / "added.json").write_text(ADDED, encoding="utf-8")
        (root / "blocked.txt").write_text(f"{BLOCKED}\n", encoding="utf-8")
        for args in (
            ("registry", "import", str(root / "added.json")),
            ("registry", "snapshot"),
            ("blocklist", "import", str(root / "blocked.txt"), "--format", "plain"),
            ("knownsite", "add", "laodong.vn", "--name", "Báo Lao Động"),
        ):
            done = command(env, root, *args)
            assert done.returncode == 0, done.stderr
        yield env


@pytest.fixture
def elsewhere_env(setup_env):
    """The installation's environment without CHINHTHONG_VAR_DIR: what a shell or a mail
    filter on that machine has (DATABASE_URL stays when the installation uses a server)."""
    return {k: v for k, v in setup_env.items() if k != "CHINHTHONG_VAR_DIR"}


def test_setup_records_its_folder_and_keeps_its_secret_key_there(setup_env):
    var_dir = Path(setup_env["CHINHTHONG_VAR_DIR"])
    recorded = json.loads(Path(setup_env["CHINHTHONG_INSTALLATION_FILE"]).read_text())
    assert recorded["var_dir"] == str(var_dir)
    assert recorded["database"] == ("DATABASE_URL" if "DATABASE_URL" in setup_env else "sqlite")
    key = var_dir / "secret_key"
    assert len(key.read_text()) > 40 and key.stat().st_mode & 0o777 == 0o600


def test_check_from_another_folder_uses_the_installation_and_creates_nothing(
    elsewhere_env, tmp_path
):
    folder = tmp_path / "thu-muc-khac"
    result = command(elsewhere_env, folder, "check", "--json", "kenhthunghiem.vn")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["verdict"] == "official"
    assert answer["channel"]["slug"] == "web-kenh-thu-nghiem"
    assert result.stderr == ""  # the installation's registry: nothing to say
    assert list(folder.iterdir()) == []


def test_the_human_output_from_another_folder_names_the_installation_channel(
    elsewhere_env, tmp_path
):
    result = command(elsewhere_env, tmp_path, "check", "kenhthunghiem.vn")
    assert "(official) kenhthunghiem.vn" in result.stdout
    assert "Kênh thử nghiệm của cài đặt" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_without_any_installation_the_packaged_registry_is_named_on_standard_error(tmp_path):
    env = clean_environment(tmp_path / "no-record.json")
    folder = tmp_path / "trong"
    result = command(env, folder, "check", "--json", "gplx-gov.vn", "kenhthunghiem.vn")
    assert result.returncode == 0, result.stderr
    verdicts = [json.loads(line)["verdict"] for line in result.stdout.splitlines()]
    assert verdicts == ["impersonation", "unknown"]
    vietnamese, english = result.stderr.splitlines()
    assert vietnamese.startswith("Không tìm thấy cài đặt chinhthong nào")
    assert "danh mục đóng gói kèm chinhthong" in vietnamese
    assert english.startswith("No chinhthong installation found")
    assert "registry packaged with chinhthong, without blocklist or known sites" in english
    assert list(folder.iterdir()) == []  # no ./var, no secret key, no empty database


def test_a_var_folder_named_but_never_set_up_is_said_and_not_created(tmp_path, setup_env):
    env = clean_environment(Path(setup_env["CHINHTHONG_INSTALLATION_FILE"]))
    env["CHINHTHONG_VAR_DIR"] = str(tmp_path / "chua-cai-dat")  # wins over the record
    result = command(env, tmp_path / "o-day", "check", "kenhthunghiem.vn")
    assert result.returncode == 0
    assert "(unknown) kenhthunghiem.vn" in result.stdout
    vietnamese, english = result.stderr.splitlines()
    database = str(tmp_path / "chua-cai-dat" / "chinhthong.sqlite3")
    assert database in vietnamese and "CHINHTHONG_VAR_DIR" in vietnamese
    assert english.startswith(f"No database at {database}")
    assert not (tmp_path / "chua-cai-dat").exists()


def test_a_var_folder_in_the_current_folder_wins_over_the_record(tmp_path, setup_env):
    """As before set-up recorded anything: a folder's own var/ is its installation."""
    env = clean_environment(Path(setup_env["CHINHTHONG_INSTALLATION_FILE"]))
    (tmp_path / "var").mkdir()
    result = command(env, tmp_path, "check", "kenhthunghiem.vn")
    assert "(unknown) kenhthunghiem.vn" in result.stdout
    assert "in the current folder" in result.stderr.splitlines()[-1]
    assert list((tmp_path / "var").iterdir()) == []  # no database created in it


def test_other_commands_create_no_var_folder(tmp_path):
    env = clean_environment(tmp_path / "no-record.json")
    folder = tmp_path / "trong"
    result = command(env, folder, "blocklist", "list")
    assert result.returncode == 1
    assert "chinhthong setup" in result.stderr
    assert list(folder.iterdir()) == []


# --- a check starts without Django's applications, and answers the same ------------------------

# Every kind of answer: the installation's channel, its blocklist, its known site, a look-alike,
# a claimed sender, an official page, nothing known.
INPUTS = [
    "kenhthunghiem.vn",
    BLOCKED,
    "laodong.vn",
    "quangninh-gov.vn",
    "Bộ Y tế <canhbao@gmail.com>",
    "https://www.facebook.com/s4tquangninh/",
    "vnexpress.net",
]
MESSAGE = (
    'From: "Sở Y tế Quảng Ninh" <thongbao@outlook.com>\r\nTo: canbo@quangninh.gov.vn\r\n'
    "Subject: Hỗ trợ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    f"Truy cập {BLOCKED} hoặc https://kenhthunghiem.vn/ để nhận hỗ trợ.\r\n"
).encode()
# The same checks with every application set up, through the services the web page calls.
WITH_EVERYTHING = """
import json, sys
import django
django.setup()
from django.utils import translation
from chinhthong.checks import services
translation.activate("vi")
for text in sys.argv[2:]:
    print(json.dumps(services.as_dict(services.check(text)), ensure_ascii=False))
with open(sys.argv[1], "rb") as file:
    data = services.as_dict(services.check_email(file.read()))
print(json.dumps({**data, "input": sys.argv[1]}, ensure_ascii=False))
"""


def test_a_quick_check_answers_as_with_every_application_set_up(elsewhere_env, tmp_path):
    eml = tmp_path / "thu.eml"
    eml.write_bytes(MESSAGE)
    quick = command(elsewhere_env, tmp_path, "check", "--json", *INPUTS)
    quick_mail = command(elsewhere_env, tmp_path, "check", "--json", "--eml", str(eml))
    assert quick.returncode == quick_mail.returncode == 0, quick.stderr + quick_mail.stderr
    full_env = {**elsewhere_env, "DJANGO_SETTINGS_MODULE": "chinhthong.config.settings"}
    full = subprocess.run(
        [CHINHTHONG[0], "-c", WITH_EVERYTHING, str(eml), *INPUTS],
        env=full_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert full.returncode == 0, full.stderr
    answers = [json.loads(line) for line in (quick.stdout + quick_mail.stdout).splitlines()]
    assert answers == [json.loads(line) for line in full.stdout.splitlines()]
    # The installation's channel, blocklist and known site are all in use.
    assert [answers[i]["verdict"] for i in (0, 1, 2, -1)] == [
        "official",
        "malicious",
        "unknown",
        "malicious",
    ]
    assert answers[2]["reasons"][0]["code"] == "known_site"
    assert "Báo Lao Động" in answers[2]["reasons"][0]["message"]
    assert quick.stderr == quick_mail.stderr == ""


def clean_environment(record: Path) -> dict:
    """No installation named: no CHINHTHONG_* nor DATABASE_URL; the record file given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CHINHTHONG_", "DJANGO_", "DATABASE_"))
    }
    env["CHINHTHONG_INSTALLATION_FILE"] = str(record)
    return env


# --- the order in which the folder is found, in this process ---------------------------------


def test_the_folder_is_found_in_order(tmp_path, monkeypatch):
    record = tmp_path / "etc" / "installation.json"
    monkeypatch.setenv("CHINHTHONG_INSTALLATION_FILE", str(record))
    monkeypatch.delenv("CHINHTHONG_VAR_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    nothing = installation.find()
    assert (nothing.var_dir, nothing.origin) == (tmp_path / "var", installation.FROM_CURRENT_FOLDER)

    assert installation.write_record(tmp_path / "cai-dat" / "var", "sqlite") == record
    found = installation.find()
    assert (found.var_dir, found.origin) == (tmp_path / "cai-dat" / "var", installation.FROM_RECORD)
    assert found.database == "sqlite"

    (tmp_path / "var").mkdir()
    assert installation.find().var_dir == tmp_path / "var"

    monkeypatch.setenv("CHINHTHONG_VAR_DIR", str(tmp_path / "tu-bien"))
    named = installation.find()
    assert (named.var_dir, named.origin) == (tmp_path / "tu-bien", installation.FROM_ENVIRONMENT)


def test_a_damaged_record_is_no_record(tmp_path, monkeypatch):
    record = tmp_path / "installation.json"
    monkeypatch.setenv("CHINHTHONG_INSTALLATION_FILE", str(record))
    monkeypatch.delenv("CHINHTHONG_VAR_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    for text in ("{", '{"var_dir": "tuong-doi"}', "[]", '{"var_dir": 3}'):
        record.write_text(text, encoding="utf-8")
        assert installation.find().origin == installation.FROM_CURRENT_FOLDER, text


def test_the_secret_key_is_kept_only_in_a_folder_that_exists(tmp_path):
    missing = tmp_path / "chua-co"
    assert installation.secret_key(missing) != installation.secret_key(missing)
    assert not missing.exists()
    missing.mkdir()
    first = installation.secret_key(missing)
    assert installation.secret_key(missing) == first
    assert [p.name for p in missing.iterdir()] == ["secret_key"]
