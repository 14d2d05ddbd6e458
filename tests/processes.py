"""Running the real `chinhthong` command in child processes, against their own database,
and real servers (redis-server) on loopback, for end-to-end tests."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
from django.conf import settings

CHINHTHONG = [sys.executable, "-m", "chinhthong"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def app_environment(var_dir: Path, **extra: str):
    """Environment for child processes: their own var/ and database (a fresh PostgreSQL
    database when the suite runs on PostgreSQL, else an SQLite file)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHINHTHONG_", "DJANGO_"))}
    env.update(CHINHTHONG_VAR_DIR=str(var_dir), CHINHTHONG_ADMIN_PASSWORD="quan-tri-thu-nghiem-1")
    database = settings.DATABASES["default"]
    pg_name = None
    if database["ENGINE"].endswith("postgresql"):
        pg_name = f"e2e_{uuid.uuid4().hex[:12]}"
        _pg_admin(database, f'CREATE DATABASE "{pg_name}"')
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{pg_name}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'e2e.sqlite3'}"
    env.update(extra)
    try:
        yield env
    finally:
        if pg_name:
            _pg_admin(database, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def _pg_admin(database: dict, statement: str) -> None:
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(statement)


def run(
    env: dict, *args: str, input: str | None = None, timeout: int = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CHINHTHONG, *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextlib.contextmanager
def redis_server(workdir: Path):
    """A throw-away redis-server on a free loopback port, without persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed; `make test` installs it")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=1),
            ):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
