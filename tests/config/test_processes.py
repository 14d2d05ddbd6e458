"""End to end, as an operator runs it: set-up, the HTTP server with its task worker, the
database queue and the RQ queue on a real redis-server."""

import json
import signal
import subprocess
import time

import pytest

from tests.processes import (
    CHINHTHONG,
    app_environment,
    fetch,
    free_port,
    redis_server,
    run,
    wait_for_http,
)

MISSION_CHANNELS = [
    "Thông tin Chính phủ",
    "DDCI Quảng Ninh",
    "DDCI Thông tin và Truyền thông",
    "QMG – Tin tức Quảng Ninh 24/7",
    "Kiểm soát bệnh tật tỉnh Quảng Ninh",
    "Cổng thông tin công chức",
    "Smart Quảng Ninh",
    "Thư công vụ tỉnh Quảng Ninh",
    "Zalo Sở Thông tin và Truyền thông Quảng Ninh",
    "Cổng thông tin điện tử tỉnh Quảng Ninh",
]

CHANGE = json.dumps(
    {
        "channels": [
            {
                "slug": "hotline-1022",
                "agency": "ubnd-tinh-quang-ninh",
                "kind": "hotline",
                "name": "Tổng đài 1022 Quảng Ninh",
                "phone": "1022",
                "status": "active",
            }
        ]
    }
)


def latest_snapshot_lists(env: dict, slug: str) -> bool:
    """Does the newest signed snapshot in the child's database carry this channel?"""
    code = (
        "from chinhthong.registry.models import RegistrySnapshot as S; "
        f"print(b'{slug}' in bytes(S.objects.latest().body))"
    )
    answer = run(env, "manage", "shell", "--no-imports", "-c", code)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip() == "True"


@pytest.fixture
def app_env(tmp_path, transactional_db):
    with app_environment(tmp_path / "var") as env:
        yield env


def test_setup_then_serve_shows_every_channel_and_the_worker_rebuilds_the_snapshot(
    app_env, tmp_path
):
    first = run(app_env, "setup")
    assert first.returncode == 0, first.stderr
    assert "quan-tri" not in first.stdout  # a given password is never printed
    assert run(app_env, "setup").returncode == 0  # running it again keeps the data

    port = free_port()
    server = subprocess.Popen(
        [*CHINHTHONG, "serve", "--port", str(port), "--workers", "1"],
        env=app_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/healthz")
        status, _headers, body = fetch(f"{base}/danh-ba/")
        assert status == 200
        page = body.decode()
        for name in MISSION_CHANNELS:
            assert name in page, name
        status, _headers, body = fetch(f"{base}/healthz")
        assert status == 200 and json.loads(body)["tasks"]["backend"] == "db"

        _status, before, _body = fetch(f"{base}/registry.json")
        (tmp_path / "change.json").write_text(CHANGE, encoding="utf-8")
        assert run(app_env, "registry", "import", str(tmp_path / "change.json")).returncode == 0
        deadline = time.monotonic() + 30
        while True:  # the task worker started by `serve` signs a new snapshot
            _status, after, body = fetch(f"{base}/registry.json")
            if after["ETag"] != before["ETag"]:
                break
            assert time.monotonic() < deadline, "the worker did not rebuild the snapshot"
            time.sleep(0.3)
        assert "hotline-1022" in body.decode()
        assert fetch(f"{base}/static/chinhthong/site.css")[0] == 200
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Booting worker" in output and "Starting worker" in output


def test_database_queue_runs_tasks_in_a_separate_worker(app_env, tmp_path):
    assert run(app_env, "setup", "--no-static").returncode == 0
    (tmp_path / "change.json").write_text(CHANGE, encoding="utf-8")
    assert run(app_env, "registry", "import", str(tmp_path / "change.json")).returncode == 0
    pending = run(
        app_env,
        "manage",
        "shell",
        "--no-imports",
        "-c",
        "from django_tasks_db.models import DBTaskResult as R; print(R.objects.ready().count())",
    )
    assert int(pending.stdout.strip()) >= 1, pending.stderr
    worker = run(app_env, "manage", "db_worker", "--batch", "--no-startup-delay")
    assert worker.returncode == 0, worker.stderr
    assert latest_snapshot_lists(app_env, "hotline-1022")


def test_rq_backend_on_a_real_redis_server(tmp_path, transactional_db):
    with redis_server(tmp_path) as url, app_environment(tmp_path / "var", REDIS_URL=url) as env:
        assert run(env, "setup", "--no-static").returncode == 0
        health = run(
            env,
            "manage",
            "shell",
            "--no-imports",
            "-c",
            "from chinhthong.config.health import task_queue_health as h; print(h())",
        )
        assert "'backend': 'rq'" in health.stdout and "'status': 'ok'" in health.stdout
        (tmp_path / "change.json").write_text(CHANGE, encoding="utf-8")
        assert run(env, "registry", "import", str(tmp_path / "change.json")).returncode == 0
        queued = run(
            env,
            "manage",
            "shell",
            "--no-imports",
            "-c",
            "import django_rq; print(django_rq.get_queue('default').count)",
        )
        assert int(queued.stdout.strip()) >= 1, queued.stderr
        worker = run(
            env, "manage", "rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job"
        )
        assert worker.returncode == 0, worker.stderr
        assert latest_snapshot_lists(env, "hotline-1022")


def test_production_setup_refuses_to_invent_a_signing_key(app_env, tmp_path):
    env = {
        **app_env,
        "CHINHTHONG_PRODUCTION": "1",
        "CHINHTHONG_SECRET_KEY": "s" * 50,
        "CHINHTHONG_ALLOWED_HOSTS": "thongtin.example.vn",
        "CHINHTHONG_SIGNING_KEY_FILE": str(tmp_path / "missing.pem"),
    }
    result = run(env, "setup", "--no-static")
    assert result.returncode == 2
    assert "chinhthong registry keygen" in result.stdout
    assert not (tmp_path / "missing.pem").exists()


def test_scheduler_enqueues_the_feed_fetch(app_env):
    assert run(app_env, "setup", "--no-static").returncode == 0
    scheduler = subprocess.Popen(
        [*CHINHTHONG, "schedule"],
        env=app_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        query = (
            "from django_tasks_db.models import DBTaskResult as R; "
            "print(R.objects.filter(task_path__endswith='fetch_due_blocklists').count())"
        )
        while True:
            counted = run(app_env, "manage", "shell", "--no-imports", "-c", query)
            if counted.stdout.strip() not in ("", "0"):
                break
            assert time.monotonic() < deadline, counted.stderr
            time.sleep(0.5)
    finally:
        scheduler.send_signal(signal.SIGINT)
        scheduler.wait(timeout=10)
