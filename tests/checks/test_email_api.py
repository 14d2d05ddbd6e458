"""POST /api/v1/check/email and `chinhthong check --eml`: whole messages, size limits."""

import json

from typer.testing import CliRunner

from chinhthong.config import cli
from tests.verify.engines import CORPUS

EML = CORPUS / "eml"


def post(client, raw: bytes):
    return client.post("/api/v1/check/email", raw, content_type="message/rfc822")


def test_forged_official_sender(client, default_registry):
    data = post(client, (EML / "forged_dmarc_fail.eml").read_bytes()).json()
    assert data["verdict"] == "impersonation"
    assert data["lookalike_of"]["slug"] == "mail-thu-cong-vu-quang-ninh"
    assert "forged_official_sender" in {r["code"] for r in data["reasons"]}
    assert all(r["message"] for r in data["reasons"])


def test_official_bulletin(client, default_registry):
    data = post(client, (EML / "official_bulletin.eml").read_bytes()).json()
    assert (
        data["verdict"] == "official" and data["channel"]["slug"] == "mail-thu-cong-vu-quang-ninh"
    )


def test_dangerous_attachment_is_named(client, default_registry):
    data = post(client, (EML / "zip_with_exe.eml").read_bytes()).json()
    assert data["verdict"] in ("suspicious", "impersonation", "malicious")
    assert "archive_contains" in json.dumps(data)


def test_empty_and_oversized_messages(client, default_registry):
    assert post(client, b"").status_code == 422
    response = post(client, b"Subject: x\r\n\r\n" + b"a" * (10 * 1024 * 1024 + 10))
    assert response.status_code == 413
    assert "MB" in response.json()["detail"]


def test_cli_checks_eml_files(default_registry):
    cli._mount()
    result = CliRunner().invoke(
        cli.app,
        [
            "check",
            "--json",
            "--eml",
            str(EML / "forged_who.eml"),
            str(EML / "official_bulletin.eml"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    verdicts = [json.loads(line)["verdict"] for line in result.stdout.splitlines()]
    assert verdicts == ["impersonation", "official"]
