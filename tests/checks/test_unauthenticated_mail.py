"""An .eml without authentication results is not official on the page, the API and the CLI
(issue 10, A8): a From line anyone can write never turns into "✔ Chính thống"; each edge
says the message claims to come from the official address and that this cannot be verified,
and what the reader can do."""

import json
import os
import subprocess
import sys

from django.core.files.uploadedfile import SimpleUploadedFile

# Written by hand: an official From line, and no Authentication-Results of any server.
HAND_WRITTEN = (
    "From: =?utf-8?q?V=C4=83n_ph=C3=B2ng_UBND_t=E1=BB=89nh?= <vanphong@quangninh.gov.vn>\r\n"
    "To: canbo@quangninh.gov.vn\r\n"
    "Subject: =?utf-8?q?Th=C3=B4ng_b=C3=A1o_n=E1=BB=99p_h=E1=BB=93_s=C6=A1?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Đề nghị nộp hồ sơ trước ngày 10.\r\n"
).encode()
CLAIM = "Thư tự nhận được gửi từ vanphong@quangninh.gov.vn"
CANNOT = "không thể xác minh điều đó"
ADVICE = "Hiển thị thư gốc"  # what the reader can do: look at the message as received


def test_the_upload_page_shows_no_green_tick(client, default_registry):
    upload = SimpleUploadedFile("thu.eml", HAND_WRITTEN, content_type="message/rfc822")
    response = client.post("/kiem-tra/", {"eml": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "verdict-unknown" in html
    assert "verdict-official" not in html and "✔" not in html
    assert CLAIM in html and CANNOT in html and ADVICE in html
    # The banner says the claim cannot be verified, not that this is no official channel.
    assert "Không xác minh được — chưa nên tin" in html


def test_the_api_answers_unknown_with_the_claim(client, default_registry):
    response = client.post("/api/v1/check/email", HAND_WRITTEN, content_type="message/rfc822")
    assert response.status_code == 200
    data = response.json()
    assert data["verdict"] == "unknown"
    assert data["channel"] is None
    assert all(part["verdict"] != "official" for part in data["parts"])
    claim = next(r for r in data["reasons"] if r["code"] == "unauthenticated_sender")
    assert claim["params"]["address"] == "vanphong@quangninh.gov.vn"
    assert CLAIM in claim["message"] and CANNOT in claim["message"]


def chinhthong(*args: str, tmp_path) -> subprocess.CompletedProcess:
    """``python -m chinhthong`` as a mail filter runs it: a child process, with the registry
    shipped in the package."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CHINHTHONG_", "DJANGO_", "DATABASE_"))
    }
    env.update(
        CHINHTHONG_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path}/missing/db.sqlite3",
    )
    return subprocess.run(
        [sys.executable, "-m", "chinhthong", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_says_unknown_and_why(tmp_path):
    eml = tmp_path / "thu.eml"
    eml.write_bytes(HAND_WRITTEN)
    shown = chinhthong("check", "--fail-on", "official", "--eml", str(eml), tmp_path=tmp_path)
    assert shown.returncode == 0, shown.stderr  # "official" did not occur
    assert "(unknown)" in shown.stdout and "(official)" not in shown.stdout
    assert CLAIM in " ".join(shown.stdout.split()) and CANNOT in " ".join(shown.stdout.split())
    as_json = chinhthong("check", "--json", "--eml", str(eml), tmp_path=tmp_path)
    data = json.loads(as_json.stdout)
    assert data["verdict"] == "unknown" and data["channel"] is None
    assert "unauthenticated_sender" in {r["code"] for r in data["reasons"]}
