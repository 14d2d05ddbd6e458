"""End to end, as an operator runs it: set-up, the HTTP server with its task worker, the
database queue and the RQ queue on a real redis-server; and how every process stops."""

import contextlib
import json
import signal
import socket
import sys
import threading
import time

import pytest

from tests import processes
from tests.processes import app_environment, fetch, free_port, redis_server, run

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
    log = tmp_path / "serve.log"
    serve = ["serve", "--port", str(port), "--workers", "1"]
    with processes.started(app_env, *serve, log=log) as server:
        base = f"http://127.0.0.1:{port}"
        processes.wait_for_http(f"{base}/healthz", process=server)
        # Channels pending review are listed too when asked for (DDCI, Smart Quảng Ninh, Zalo).
        status, _headers, body = fetch(f"{base}/danh-ba/?status=with_pending")
        assert status == 200
        page = body.decode()
        for name in MISSION_CHANNELS:
            assert name in page, name
        status, _headers, body = fetch(f"{base}/healthz")
        assert status == 200 and json.loads(body)["tasks"]["backend"] == "db"

        _status, before, _body = fetch(f"{base}/registry.json")
        (tmp_path / "change.json").write_text(CHANGE, encoding="utf-8")
        assert run(app_env, "registry", "import", str(tmp_path / "change.json")).returncode == 0
        deadline = time.monotonic() + processes.READY_TIMEOUT
        while True:  # the task worker started by `serve` signs a new snapshot
            _status, after, body = fetch(f"{base}/registry.json")
            if after["ETag"] != before["ETag"]:
                break
            assert time.monotonic() < deadline, "the worker did not rebuild the snapshot"
            time.sleep(0.3)
        assert "hotline-1022" in body.decode()
        assert fetch(f"{base}/static/chinhthong/site.css")[0] == 200
        # Links in feeds (and messages) lead to this server when no public address is set.
        status, _headers, body = fetch(f"{base}/ban-tin/rss.xml")
        assert status == 200 and f"<link>{base}/ban-tin/</link>" in body.decode()
        server.send_signal(signal.SIGINT)
        assert processes.wait_for_exit(server) == 0, log.read_text()
        assert processes.left_in_session(server.pid) == []
    output = log.read_text()
    assert "Spawning worker-1" in output and "Starting worker" in output  # granian, db_worker


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
        "CHINHTHONG_PUBLIC_URL": "https://thongtin.example.vn",
        "CHINHTHONG_SIGNING_KEY_FILE": str(tmp_path / "missing.pem"),
    }
    result = run(env, "setup", "--no-static")
    assert result.returncode == 2
    assert "chinhthong registry keygen" in result.stdout
    assert not (tmp_path / "missing.pem").exists()


ENQUEUED_FEED_FETCHES = (
    "from django_tasks_db.models import DBTaskResult as R; "
    "print(R.objects.filter(task_path__endswith='fetch_due_blocklists').count())"
)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_scheduler_enqueues_the_feed_fetch_and_stops_on_a_signal(app_env, tmp_path, signum):
    assert run(app_env, "setup", "--no-static").returncode == 0
    log = tmp_path / "schedule.log"
    # Started as a background job is, with SIGINT ignored: as `make test` runs in CI.
    with processes.started(app_env, "schedule", log=log, sigint_ignored=True) as scheduler:
        deadline = time.monotonic() + processes.READY_TIMEOUT
        while True:
            counted = run(app_env, "manage", "shell", "--no-imports", "-c", ENQUEUED_FEED_FETCHES)
            if counted.stdout.strip() not in ("", "0"):
                break
            assert scheduler.poll() is None, log.read_text()
            assert time.monotonic() < deadline, counted.stderr
            time.sleep(0.5)
        scheduler.send_signal(signum)
        assert processes.wait_for_exit(scheduler) == 0, log.read_text()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_stops_every_process_it_started(app_env, tmp_path, signum):
    assert run(app_env, "setup", "--no-static").returncode == 0
    port, log = free_port(), tmp_path / "serve.log"
    serve = ["serve", "--port", str(port), "--workers", "1"]
    with processes.started(app_env, *serve, log=log, sigint_ignored=True) as server:
        processes.wait_for_http(f"http://127.0.0.1:{port}/healthz", process=server)
        # gunicorn and its worker, the task worker, the scheduler
        assert len(processes.left_in_session(server.pid)) >= 4, log.read_text()
        server.send_signal(signum)
        assert processes.wait_for_exit(server) == 0, log.read_text()
        assert processes.left_in_session(server.pid) == [], log.read_text()


# Stays up whatever it is sent but SIGKILL; tells where its pid is once it does.
STUBBORN = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
with open(sys.argv[1] + ".part", "w") as f:
    f.write(str(os.getpid()))
os.rename(sys.argv[1] + ".part", sys.argv[1])
time.sleep(3600)
"""
# What `serve` runs, supervising a process that does not stop and one that does.
SUPERVISOR = """
import sys
import django
django.setup()
from chinhthong.config.cli import _supervise
sleeper = [sys.executable, "-c", "import time; time.sleep(3600)"]
sys.exit(_supervise([[sys.executable, "-c", sys.argv[1], sys.argv[2]], sleeper], grace=2))
"""


def test_serve_kills_a_process_that_does_not_stop(app_env, tmp_path):
    pid_file = tmp_path / "stubborn.pid"
    env = {**app_env, "DJANGO_SETTINGS_MODULE": "chinhthong.config.settings"}
    command = [sys.executable, "-c", SUPERVISOR, STUBBORN, str(pid_file)]
    log = tmp_path / "supervisor.log"
    with processes.started(env, log=log, command=command) as supervisor:
        deadline = time.monotonic() + processes.READY_TIMEOUT
        while not pid_file.exists():
            assert supervisor.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        supervisor.send_signal(signal.SIGINT)
        assert processes.wait_for_exit(supervisor) == 1, log.read_text()  # one had to be killed
        assert processes.left_in_session(supervisor.pid) == [], log.read_text()


def _starting_server(listener: socket.socket) -> None:
    """Answers as a server that is starting may: first not at all (connection refused), then
    closing, resetting, answering nothing until the client gives up, answering garbage, 503;
    and then 200, as a ready one, until the listener is closed."""
    with contextlib.suppress(OSError):
        _answer_as_if_starting(listener)


def _answer_as_if_starting(listener: socket.socket) -> None:
    time.sleep(0.5)  # bound but not listening: connections are refused
    listener.listen()
    for behaviour in ("close", "reset", "silent", "garbage", "unavailable"):
        conn, _address = listener.accept()
        with conn:
            conn.recv(65536)
            if behaviour == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            elif behaviour == "silent":
                while conn.recv(65536):  # until the client gives up and closes
                    pass
            elif behaviour == "garbage":
                conn.sendall(b"starting...\r\n\r\n")
            elif behaviour == "unavailable":
                conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
    while True:
        conn, _address = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


def test_waiting_for_a_server_outlasts_whatever_it_answers_while_starting():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        threading.Thread(target=_starting_server, args=(listener,), daemon=True).start()
        processes.wait_for_http(f"http://127.0.0.1:{port}/healthz")
