"""Running the real `chinhthong` command in child processes, against their own database,
and real servers (redis-server) on loopback, for end-to-end tests."""

import contextlib
import http.client
import os
import shutil
import signal
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
    # `setup` records its installation: in the test's folder, not the virtual environment's.
    env["CHINHTHONG_INSTALLATION_FILE"] = str(var_dir.parent / f"{var_dir.name}-installation.json")
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


# Deadlines are generous: on a busy two-core machine a child needs many seconds to import
# Django, and gunicorn longer to answer its first request. Polling ends as soon as it can.
READY_TIMEOUT = 120.0
STOP_GRACE = 30.0  # after SIGTERM, before SIGKILL


def run(
    env: dict, *args: str, input: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """`python -m chinhthong ARGS` to its end. In a session of its own: no controlling
    terminal, so a prompt reads standard input, and the test's Ctrl-C does not reach it."""
    return subprocess.run(
        [*CHINHTHONG, *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
    )


@contextlib.contextmanager
def started(
    env: dict,
    *args: str,
    log: Path,
    command: list[str] | None = None,
    sigint_ignored: bool = False,
):
    """A running `python -m chinhthong ARGS` (or ``command``) in a session of its own, its
    output in ``log``; on leaving — the test passed or not — it is stopped with everything it
    started. ``sigint_ignored`` starts it as a shell starts a background job, with SIGINT
    ignored: a program must install its own handler to stop on Ctrl-C then."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if sigint_ignored else None
    try:
        with open(log, "wb") as output:
            process = subprocess.Popen(
                command or [*CHINHTHONG, *args],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen, grace: float = STOP_GRACE) -> None:
    """Stop a child started in a session of its own, and everything it started: SIGTERM to its
    process group, SIGKILL after ``grace`` seconds; then SIGKILL to whatever is left in its
    session (a process in a group of its own, or orphaned)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # not reaped yet: the group is still ours
            process.wait()
    for pid in left_in_session(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def left_in_session(leader: int) -> list[int]:
    """The processes still running in the session ``leader`` began, other than the leader:
    everything it started, even orphaned (a zombie waiting to be reaped does not count)."""
    left = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == leader:
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        state, _ppid, _group, session = stat.rpartition(")")[2].split()[:4]  # the name may
        if int(session) == leader and state != "Z":  # hold spaces and brackets
            left.append(int(entry))
    return left


def wait_for_exit(process: subprocess.Popen, timeout: float = 60) -> int:
    """The child's exit status; fails the test if it still runs after ``timeout`` seconds."""
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{process.args} still runs {timeout:g} s after the signal") from None


def wait_for_http(
    url: str, timeout: float = READY_TIMEOUT, process: subprocess.Popen | None = None
) -> None:
    """Poll until ``url`` answers with a success status. Whatever a server that is starting
    gives meanwhile is retried: connection refused or reset, closed without an answer, a slow
    answer, an error status. Fails at once if ``process`` (the server) has ended."""
    deadline = time.monotonic() + timeout
    while True:
        attempt = max(1.0, min(10.0, deadline - time.monotonic()))
        try:
            with urllib.request.urlopen(url, timeout=attempt):
                return
        except (OSError, http.client.HTTPException) as error:  # URLError and TimeoutError are
            last = error  # OSErrors; RemoteDisconnected is both
        if process is not None and process.poll() is not None:
            raise AssertionError(
                f"the server ended (status {process.returncode}) before {url} answered"
            ) from last
        if time.monotonic() >= deadline:
            raise AssertionError(f"{url} did not answer in {timeout:g} s: {last!r}") from last
        time.sleep(0.25)


def fetch(url: str, headers: dict | None = None, data: bytes | None = None):
    """Status, headers (names in any case, as HTTP has them) and body of one request."""
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


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
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=5),
            ):
                break
            if process.poll() is not None:
                raise RuntimeError(f"redis-server ended (status {process.returncode})")
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)
