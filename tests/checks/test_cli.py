"""`chinhthong check` and `chinhthong verify-eval` as people and scripts run them."""

import json
import os
import re
import subprocess
import sys

from typer.testing import CliRunner

from chinhthong.checks.engines import reset
from chinhthong.config import cli

cli._mount()
runner = CliRunner()


def run(*args, **kwargs):
    return runner.invoke(cli.app, list(args), catch_exceptions=False, **kwargs)


def test_json_lines_with_the_documented_fields(default_registry):
    result = run(
        "check", "--json", "quangninh-gov.vn", "https://www.facebook.com/s4tquangninh/posts/1"
    )
    assert result.exit_code == 0
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["input"] == "quangninh-gov.vn" and first["verdict"] == "impersonation"
    assert first["lookalike_of"]["slug"] == "web-cong-ttdt-quang-ninh" and first["channel"] is None
    assert {"code", "message"} <= set(first["reasons"][0])
    assert (
        second["verdict"] == "official"
        and second["channel"]["slug"] == "facebook-ddci-tttt-quang-ninh"
    )


def test_standard_input_one_per_line(default_registry):
    result = run("check", "--json", "-", input="who.int\n\nbit.ly/x\n")
    assert [json.loads(line)["verdict"] for line in result.stdout.splitlines()] == [
        "official",
        "suspicious",
    ]


def test_fail_on_and_exit_statuses(default_registry):
    assert run("check", "--fail-on", "impersonation,malicious", "quangninh.gov.vn").exit_code == 0
    assert run("check", "--fail-on", "impersonation", "quangninh-gov.vn").exit_code == 1
    assert run("check", "--fail-on", "nonsense", "a.vn").exit_code == 2
    assert run("check").exit_code == 2
    assert run("check", "--eml", "/nonexistent/thu.eml").exit_code == 2


def test_human_output_names_the_imitated_channel_in_vietnamese(default_registry):
    result = run("check", "dichvucong-quangninh.com")
    assert "GIẢ MẠO (impersonation)" in result.stdout
    assert "Cổng Dịch vụ công quốc gia" in result.stdout


def test_verify_eval_prints_accuracy_and_confusion(default_registry, tmp_path):
    corpus = tmp_path / "cases.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps(c)
            for c in [
                {"input": "quangninh.gov.vn", "expected": "official"},
                {"input": "quangninh-gov.vn", "expected": "impersonation"},
                {"input": "vnexpress.net", "expected": "impersonation"},  # deliberately wrong label
            ]
        ),
        encoding="utf-8",
    )
    result = run("verify-eval", str(corpus))
    assert result.exit_code == 0
    assert re.search(r"impersonation\s+1 / 2", result.stdout)
    assert "confusion" in result.stdout and "vnexpress.net" in result.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"input": "x"}\n', encoding="utf-8")
    assert run("verify-eval", str(bad)).exit_code == 2


def test_check_without_any_database_uses_the_packaged_registry(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CHINHTHONG_", "DJANGO_", "DATABASE_"))
    }
    env.update(
        CHINHTHONG_VAR_DIR=str(tmp_path / "nowhere"),
        DATABASE_URL=f"sqlite:///{tmp_path}/missing/db.sqlite3",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "chinhthong",
            "check",
            "--json",
            "gplx-gov.vn",
            "https://gplx.gov.vn/",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    verdicts = [json.loads(line)["verdict"] for line in result.stdout.splitlines()]
    assert verdicts == ["impersonation", "official"]
    # Said on standard error, in Vietnamese then in English; nothing created.
    vietnamese, english = result.stderr.splitlines()
    assert f"Không có cơ sở dữ liệu tại {tmp_path}/missing/db.sqlite3" in vietnamese
    assert english.startswith(f"No database at {tmp_path}/missing/db.sqlite3")
    assert "registry packaged with chinhthong" in english
    assert list(tmp_path.iterdir()) == []


def test_the_engine_reads_the_tables_of_the_models():
    """The engine reads its rows with plain SQL (a check starts without the models): the
    tables and columns it names are the models'."""
    from chinhthong.checks import engines
    from chinhthong.checks.models import BlocklistEntry, BlocklistSource, BlocklistState, KnownSite
    from chinhthong.registry.models import RegistrySnapshot

    read = {
        engines.SNAPSHOTS: (RegistrySnapshot, {"id", "body"}),
        engines.BLOCKLIST_STATE: (BlocklistState, {"id", "version"}),
        engines.BLOCKLIST_SOURCES: (BlocklistSource, {"id", "name", "enabled"}),
        engines.BLOCKLIST_ENTRIES: (BlocklistEntry, {"kind", "value", "source_id", "expires_at"}),
        engines.KNOWN_SITES: (KnownSite, {"domain", "name"}),
    }
    for table, (model, columns) in read.items():
        assert model._meta.db_table == table
        assert columns <= {field.column for field in model._meta.concrete_fields}, table
    assert BlocklistSource._meta.ordering == ["name"]  # the order sources are numbered in


# --- control characters from data are shown, never obeyed ------------------------------------
# Clear the screen (CSI by ESC and by C1), retitle the window (OSC … BEL), DEL, and bidi
# controls that reorder what the operator reads.
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\x9b31m\x7f\u202e\u2066"
# What a terminal would obey; tab is left out: the CLI's own columns use it.
OBEYED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def assert_shown_not_obeyed(output: str) -> None:
    assert OBEYED.search(output) is None, repr(output)
    assert "␛[2J" in output, repr(output)


def test_an_email_display_name_cannot_drive_the_terminal(default_registry, tmp_path):
    eml = tmp_path / "thu.eml"
    eml.write_bytes(
        f'From: "UBND tỉnh Quảng Ninh {HOSTILE}" <xacminh@evil.top>\r\n'
        "To: canbo@quangninh.gov.vn\r\nSubject: Thông báo\r\n\r\nXin chào\r\n".encode()
    )
    shown = run("check", "--eml", str(eml))
    assert "GIẢ MẠO (impersonation)" in shown.stdout
    assert_shown_not_obeyed(shown.stdout)
    as_json = run("check", "--json", "--eml", str(eml))
    assert OBEYED.search(as_json.stdout) is None, repr(as_json.stdout)
    (part,) = json.loads(as_json.stdout)["parts"]
    assert HOSTILE in part["input"]  # the same value, written with escapes


def test_json_lines_escape_what_a_terminal_would_obey(default_registry):
    link = "https://evil.top/\u202egpj.exe\x9b"
    result = run("check", "--json", link)
    assert result.exit_code == 0
    assert OBEYED.search(result.stdout) is None, repr(result.stdout)
    assert json.loads(result.stdout)["input"] == link


def test_an_official_name_cannot_drive_the_terminal(default_registry):
    from chinhthong.registry import snapshots
    from chinhthong.registry.models import Channel

    # Stored before names were checked for control characters, or by hand in the database.
    Channel.objects.filter(name="Cổng Dịch vụ công quốc gia").update(
        name=f"Cổng Dịch vụ công quốc gia {HOSTILE}"
    )
    snapshots.build_snapshot()
    reset()
    result = run("check", "dichvucong-quangninh.com")
    assert "GIẢ MẠO (impersonation)" in result.stdout
    assert_shown_not_obeyed(result.stdout)


def test_stored_names_and_errors_cannot_drive_the_terminal(db):
    from chinhthong.checks.models import BlocklistSource, KnownSite
    from chinhthong.clients.models import ApiClient

    # Rows stored before names were checked for control characters, or by hand in the
    # database; a line break in them must not make a row of its own either.
    KnownSite.objects.create(domain="laodong.vn", name=f"Báo Lao Động {HOSTILE}\nquangninh.gov.vn")
    ApiClient.objects.create(
        name="mail-gateway",
        description=f"Cổng thư {HOSTILE}\nroot",
        key_prefix="ct_abcdefg",
        key_digest="0" * 64,
    )
    BlocklistSource.objects.create(name="feed", format="plain", last_error=f"{HOSTILE}\nok")
    for command, heading in (
        (["knownsite", "list"], 1),
        (["apikey", "list"], 0),
        (["blocklist", "list"], 1),
    ):
        result = run(*command)
        assert result.exit_code == 0, result.output
        assert_shown_not_obeyed(result.stdout)
        assert len(result.stdout.splitlines()) == heading + 1, repr(result.stdout)


def test_lists_name_their_columns_and_say_when_they_are_empty(db):
    from chinhthong.checks.models import BlocklistSource

    assert "Chưa có danh sách chặn nào" in run("blocklist", "list").stdout
    BlocklistSource.objects.create(name="feed", format="plain")
    header, row = run("blocklist", "list").stdout.splitlines()
    assert header.split()[:5] == ["nguồn", "định", "dạng", "số", "mục"]
    assert row.split()[:3] == ["feed", "plain", "0"] and row.rstrip().endswith("bình thường")


def test_an_empty_input_is_refused_without_a_stray_colon(db):
    result = run("check", "")
    assert result.exit_code == 2
    assert result.stderr.startswith("Hãy dán"), repr(result.stderr)


def test_the_parts_of_a_message_are_labelled_in_the_readers_language(default_registry):
    result = run("check", "Xem https://quangninh.gov.vn/a và https://quangninh-gov.vn/b")
    lines = result.stdout.splitlines()
    assert any("Chính thống" in line and "https://quangninh.gov.vn/a" in line for line in lines)
    assert any("Giả mạo" in line and "https://quangninh-gov.vn/b" in line for line in lines)
