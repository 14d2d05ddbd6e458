"""A hostile installation record, or a var folder whose secret key is not a file, is said in
Vietnamese then in English, naming the file and what is wrong; no command shows a traceback or
waits for ever (config/installation.py). A check then answers from the packaged registry; a
command that writes or serves stops before touching anything."""

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from chinhthong.config import installation
from tests.config.test_cli_installation import clean_environment
from tests.processes import CHINHTHONG, free_port

# A hang fails the test: a check starts in a few seconds, even on a busy machine.
DEADLINE = 120

PACKAGED = "Checked against the registry packaged with chinhthong"


def chinhthong(env: dict, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m chinhthong ARGS` in ``cwd``; killed with all it started when past DEADLINE."""
    cwd.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [*CHINHTHONG, *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def check_with_record(record: Path, tmp_path: Path) -> tuple[str, str]:
    """`chinhthong check x` run from an empty folder with ``record`` as the installation record:
    it answers, and says on standard error, in Vietnamese then in English, why it used the
    packaged registry. Those two lines."""
    folder = tmp_path / "o-day"
    result = chinhthong(clean_environment(record), folder, "check", "x")
    assert result.returncode == 0, result.stderr
    assert "(unknown) x" in result.stdout
    assert "Traceback" not in result.stderr
    vietnamese, english = result.stderr.splitlines()
    assert PACKAGED in english
    assert "danh mục đóng gói kèm chinhthong" in vietnamese
    assert list(folder.iterdir()) == []  # nothing created where it ran
    return vietnamese, english


def write_record(path: Path, var_dir: object) -> Path:
    path.write_text(json.dumps({"var_dir": str(var_dir), "database": "sqlite"}), encoding="utf-8")
    return path


# --- the record names a folder no command can use --------------------------------------------


def test_a_record_naming_a_file_as_its_folder(tmp_path):
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    record = write_record(tmp_path / "installation.json", tmp_path / "a-file")
    vietnamese, english = check_with_record(record, tmp_path)
    assert english.startswith(
        f"The installation record {record} names a var_dir that is not a folder: "
        f"{tmp_path / 'a-file'}."
    )
    assert vietnamese.startswith(f"Tệp ghi nơi cài đặt {record} ghi var_dir không phải là thư mục")


def test_a_record_naming_a_path_with_a_nul_byte(tmp_path):
    record = write_record(tmp_path / "installation.json", f"{tmp_path}/va\x00r")
    vietnamese, english = check_with_record(record, tmp_path)
    assert english.startswith(
        f"The installation record {record} names a var_dir that is not a valid path "
        "(embedded null byte)."
    )
    assert vietnamese.startswith(f"Tệp ghi nơi cài đặt {record} ghi var_dir không phải là đường")


def test_a_record_naming_a_path_longer_than_the_system_takes(tmp_path):
    record = write_record(tmp_path / "installation.json", "/" + "a" * 5000)
    vietnamese, english = check_with_record(record, tmp_path)
    assert english.startswith(
        f"The installation record {record} names a var_dir that is not a valid path "
        "(File name too long)."
    )
    assert "a" * 300 not in english  # the path is not repeated
    assert vietnamese.startswith(f"Tệp ghi nơi cài đặt {record} ghi var_dir không phải là đường")


# --- the record is not a small file of JSON --------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 20_000])
def test_a_record_nested_deeply(tmp_path, depth):
    record = tmp_path / "installation.json"
    record.write_text("[" * depth + "]" * depth, encoding="utf-8")
    vietnamese, english = check_with_record(record, tmp_path)
    if depth * 2 > installation.MAX_BYTES:  # never read whole
        assert english.startswith(f"The installation record {record} is larger than 64 KB.")
        assert vietnamese.startswith(f"Tệp ghi nơi cài đặt {record} lớn hơn 64 KB.")
    else:
        assert english.startswith(
            f"The installation record {record} is nested too deeply to be read."
        )
        assert vietnamese.startswith(f"Tệp ghi nơi cài đặt {record} lồng nhau quá sâu")


def test_a_record_that_is_a_fifo_is_not_waited_for(tmp_path):
    record = tmp_path / "installation.json"
    os.mkfifo(record)
    vietnamese, english = check_with_record(record, tmp_path)
    assert english.startswith(f"The installation record {record} is not a regular file.")
    assert vietnamese.startswith(
        f"Tệp ghi nơi cài đặt {record} không phải là một tệp thông thường."
    )


def test_a_record_that_is_a_device_without_end(tmp_path):
    vietnamese, english = check_with_record(Path("/dev/zero"), tmp_path)
    assert english.startswith("The installation record /dev/zero is not a regular file.")
    assert vietnamese.startswith("Tệp ghi nơi cài đặt /dev/zero không phải là một tệp")


def test_a_record_that_is_not_utf8_json(tmp_path):
    record = tmp_path / "installation.json"
    record.write_bytes(b'{"var_dir": "/\xff"}')
    vietnamese, english = check_with_record(record, tmp_path)
    assert english.startswith(f"The installation record {record} cannot be read (")
    assert vietnamese.startswith(f"Không đọc được tệp ghi nơi cài đặt {record} (")
    record.write_text('{"var_dir": ', encoding="utf-8")
    vietnamese, english = check_with_record(record, tmp_path)
    assert english.startswith(f"The installation record {record} is not valid JSON (")
    assert vietnamese.startswith(f"Tệp ghi nơi cài đặt {record} không phải JSON hợp lệ (")


def test_other_commands_say_the_record_is_ignored(tmp_path):
    record = tmp_path / "installation.json"
    os.mkfifo(record)
    folder = tmp_path / "o-day"
    result = chinhthong(clean_environment(record), folder, "blocklist", "list")
    assert result.returncode == 1  # no installation: the database is not ready
    assert "Traceback" not in result.stderr
    vietnamese, english, database = result.stderr.splitlines()
    assert vietnamese == (
        f"Tệp ghi nơi cài đặt {record} không phải là một tệp thông thường. Tệp ghi này bị bỏ "
        "qua: hãy đặt CHINHTHONG_VAR_DIR là thư mục của bản cài đặt, hoặc chạy “chinhthong "
        "setup” để ghi lại."
    )
    assert english == (
        f"The installation record {record} is not a regular file. The record is ignored: set "
        "CHINHTHONG_VAR_DIR to the installation's folder, or run “chinhthong setup” to record "
        "one again."
    )
    assert "chinhthong setup" in database
    assert list(folder.iterdir()) == []


def test_setup_sets_up_here_and_leaves_a_fifo_record_alone(tmp_path):
    record = tmp_path / "installation.json"
    os.mkfifo(record)
    env = clean_environment(record)
    env["CHINHTHONG_ADMIN_PASSWORD"] = "quan-tri-thu-nghiem-1"
    result = chinhthong(env, tmp_path / "cai-dat", "setup", "--no-static")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    said = result.stderr.splitlines()
    assert said[1].startswith(f"The installation record {record} is not a regular file.")
    assert said[2].startswith("Không ghi lại được nơi cài đặt này")  # and why
    assert f"CHINHTHONG_VAR_DIR={tmp_path / 'cai-dat' / 'var'}" in said[2]
    assert (tmp_path / "cai-dat" / "var" / "secret_key").is_file()
    assert record.is_fifo()  # never opened for writing, never replaced


# --- a usable record, a folder whose secret key is not a file ----------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _device(path: Path) -> None:
    path.symlink_to("/dev/zero")


@pytest.mark.parametrize("make", [_fifo, _folder, _device], ids=["fifo", "folder", "device"])
def test_a_secret_key_that_is_not_a_file(tmp_path, make):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    make(var_dir / "secret_key")
    record = write_record(tmp_path / "installation.json", var_dir)
    env = clean_environment(record)

    # A check writes nothing and needs no kept key: it answers, from the packaged registry as
    # nothing was set up in that folder.
    checked = chinhthong(env, tmp_path / "o-day", "check", "x")
    assert checked.returncode == 0, checked.stderr
    assert "(unknown) x" in checked.stdout
    assert "Traceback" not in checked.stderr
    assert f"No database at {var_dir / 'chinhthong.sqlite3'}" in checked.stderr

    # A command that serves or sets up stops before starting anything.
    english = (
        f"The secret key file {var_dir / 'secret_key'} is not a regular file. Put this "
        "installation's key back in it, remove it so that a new one is made (everyone signed "
        "in is signed out), or set CHINHTHONG_SECRET_KEY."
    )
    vietnamese = f"Tệp khóa bí mật {var_dir / 'secret_key'} không phải là một tệp thông thường."
    port = str(free_port())
    for args in (("serve", "--port", port, "--no-task-worker"), ("setup", "--no-static")):
        result = chinhthong(env, tmp_path / "o-day", *args)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines()[0].startswith(vietnamese)
        assert result.stderr.splitlines()[1] == english
        assert result.stdout == ""
    assert sorted(p.name for p in var_dir.iterdir()) == ["secret_key"]


def test_a_var_folder_named_by_the_environment_that_is_a_file(tmp_path):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    env = clean_environment(tmp_path / "no-record.json")
    env["CHINHTHONG_VAR_DIR"] = str(tmp_path / "a-file")
    result = chinhthong(env, tmp_path / "o-day", "setup", "--no-static")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[1] == (
        f"The installation folder {tmp_path / 'a-file'} is not a usable folder (Not a "
        "directory). Set CHINHTHONG_VAR_DIR to the installation's folder, or leave it unset."
    )


# --- in this process ------------------------------------------------------------------------


def test_the_record_is_never_written_over_something_other_than_a_file(tmp_path, monkeypatch):
    record = tmp_path / "installation.json"
    os.mkfifo(record)
    monkeypatch.setenv("CHINHTHONG_INSTALLATION_FILE", str(record))
    with pytest.raises(OSError, match="not a regular file"):
        installation.write_record(tmp_path / "var", "sqlite")
    assert record.is_fifo()


def test_an_empty_secret_key_is_not_used(tmp_path):
    (tmp_path / "secret_key").write_bytes(b" \n")
    with pytest.raises(installation.Unusable, match="is empty or not UTF-8 text"):
        installation.secret_key(tmp_path)
    (tmp_path / "secret_key").write_bytes(b"k" * (installation.MAX_BYTES + 1))
    with pytest.raises(installation.Unusable, match="is larger than 64 KB"):
        installation.secret_key(tmp_path)


def test_a_database_file_that_is_a_fifo_does_not_hang_a_check(tmp_path):
    """SQLite opening a FIFO waits for a writer for ever; a check answers from the packaged
    registry and says so."""
    var = tmp_path / "var"
    var.mkdir()
    os.mkfifo(var / "chinhthong.sqlite3")
    env = {**clean_environment(tmp_path / "none"), "CHINHTHONG_VAR_DIR": str(var)}
    done = subprocess.run(
        [*CHINHTHONG, "check", "quangninh.gov.vn"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "(official)" in done.stdout
