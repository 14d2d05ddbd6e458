"""The headers a public government site is expected to send, and Django's deployment check
clean in production mode."""

import os
import secrets
import subprocess

import pytest

from tests.conftest import PASSWORD
from tests.processes import CHINHTHONG


@pytest.mark.parametrize("path", ["/", "/danh-ba/", "/kiem-tra/", "/api/v1/agencies", "/healthz"])
def test_every_answer_carries_the_security_headers(client, db, path):
    answer = client.get(path)
    policy = answer["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no other origin
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert "camera=()" in answer["Permissions-Policy"]
    assert "geolocation=()" in answer["Permissions-Policy"]
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_deployment_check_is_clean_in_production_mode(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CHINHTHONG_", "DJANGO_"))},
        "CHINHTHONG_PRODUCTION": "1",
        "CHINHTHONG_SECRET_KEY": secrets.token_urlsafe(60),
        "CHINHTHONG_ALLOWED_HOSTS": "thongtin.example.gov.vn",
        "CHINHTHONG_PUBLIC_URL": "https://thongtin.example.gov.vn",
        "CHINHTHONG_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "chinhthong.config.settings",
    }
    done = subprocess.run(
        [*CHINHTHONG, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout


def test_a_session_lasts_a_working_day(client, editor):
    client.post("/dang-nhap/", {"username": "bientap", "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert int(cookie["max-age"]) == 8 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
