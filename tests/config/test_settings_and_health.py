"""Safe defaults: production refuses to start unconfigured; /healthz reports dependencies."""

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings

SETTINGS = "import chinhthong.config.settings as s; print(s.SESSION_COOKIE_SECURE, s.DEBUG)"


def _load_settings(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHINHTHONG_")}
    clean.update(CHINHTHONG_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", SETTINGS], env=clean, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _load_settings(
        tmp_path,
        CHINHTHONG_PRODUCTION="1",
        CHINHTHONG_ALLOWED_HOSTS="thongtin.example.vn",
        CHINHTHONG_PUBLIC_URL="https://thongtin.example.vn",
    )
    assert result.returncode != 0
    assert "CHINHTHONG_SECRET_KEY" in result.stderr


def test_production_needs_allowed_hosts(tmp_path):
    result = _load_settings(tmp_path, CHINHTHONG_PRODUCTION="1", CHINHTHONG_SECRET_KEY="x" * 50)
    assert result.returncode != 0 and "CHINHTHONG_ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize("address", [None, "http://thongtin.example.vn"])
def test_production_needs_the_public_https_address(tmp_path, address):
    extra = {"CHINHTHONG_PUBLIC_URL": address} if address else {}
    result = _load_settings(
        tmp_path,
        CHINHTHONG_PRODUCTION="1",
        CHINHTHONG_SECRET_KEY="x" * 50,
        CHINHTHONG_ALLOWED_HOSTS="thongtin.example.vn",
        **extra,
    )
    assert result.returncode != 0 and "CHINHTHONG_PUBLIC_URL" in result.stderr


def test_production_uses_secure_cookies_and_a_secret_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text("k" * 50)
    result = _load_settings(
        tmp_path,
        CHINHTHONG_PRODUCTION="1",
        CHINHTHONG_SECRET_KEY_FILE=str(key_file),
        CHINHTHONG_ALLOWED_HOSTS="thongtin.example.vn",
        CHINHTHONG_PUBLIC_URL="https://thongtin.example.vn",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def test_local_mode_keeps_a_generated_secret_under_var(tmp_path):
    assert _load_settings(tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50 and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    _load_settings(tmp_path)
    assert (tmp_path / "secret_key").read_text() == key


def test_bad_boolean_is_a_clear_error(tmp_path):
    result = _load_settings(tmp_path, CHINHTHONG_PRODUCTION="maybe")
    assert result.returncode != 0 and "CHINHTHONG_PRODUCTION must be a boolean" in result.stderr


def test_healthz_reports_database_and_queue(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok" and report["database"]["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@override_settings(
    TASK_BACKEND="db",
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
)
def test_healthz_counts_pending_database_tasks(client, db):
    from chinhthong.registry.tasks import rebuild_snapshot

    rebuild_snapshot.enqueue()
    tasks = client.get("/healthz").json()["tasks"]
    assert tasks == {
        "backend": "db",
        "status": "ok",
        "pending": 1,
        "oldest_pending_seconds": tasks["oldest_pending_seconds"],
    }


@override_settings(TASK_BACKEND="rq", RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:1/0"}})
def test_healthz_fails_when_the_queue_is_unreachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["tasks"]["status"] == "error"


@pytest.mark.parametrize("path", ["/", "/danh-ba/", "/dang-nhap/", "/api/docs"])
def test_pages_send_security_headers(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


REDIS_DOWN = {
    "default": {
        "BACKEND": "chinhthong.config.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@override_settings(CACHES=REDIS_DOWN)
def test_when_redis_is_down_public_pages_stay_up_and_healthz_says_so(client, default_registry):
    assert client.get("/api/v1/channels").status_code == 200
    assert client.get("/danh-ba/", {"q": "quang ninh"}).status_code == 200
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"]["status"] == "error"


def test_a_refusal_is_logged_in_one_line_and_a_failure_with_its_traceback():
    """The finding: every 403 wrote a traceback of some forty lines to the log."""
    import io
    import logging

    from django.conf import settings
    from django.utils.module_loading import import_string

    config = settings.LOGGING
    assert "one_line_below_error" in config["handlers"]["console"]["filters"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(import_string(config["filters"]["one_line_below_error"]["()"])())
    logger = logging.getLogger("tests.one_line")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for level, message in ((logging.WARNING, "Forbidden"), (logging.ERROR, "Server error")):
            try:
                raise PermissionError(message)
            except PermissionError:
                logger.log(level, "%s: /quan-tri/", message, exc_info=True)
    finally:
        logger.removeHandler(handler)
    forbidden, failure = stream.getvalue().split("Server error: /quan-tri/")
    assert forbidden == "Forbidden: /quan-tri/\n"
    assert "Traceback" in failure
    security = logging.makeLogRecord(
        {"name": "django.security.DisallowedHost", "levelno": logging.ERROR, "msg": "Host"}
    )
    security.exc_info = (ValueError, ValueError("x"), None)
    assert handler.filters[0].filter(security) and security.exc_info is None
