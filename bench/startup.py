"""How long `make run` takes until the directory answers, on a fresh clone and again warm.

    python bench/startup.py            # warm only (pip's download cache may help the first run)
    python bench/startup.py --fresh    # first run without pip's cache, as on a new machine

Reference, measured in the same run: granian (the server `make run` starts) serving a
one-line WSGI app from the same virtual environment — the floor of starting any Python HTTP
server here. Budgets from the
issue: 3 minutes fresh, 20 seconds warm.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MISSION_CHANNELS = [
    "Thông tin Chính phủ",
    "Kiểm soát bệnh tật tỉnh Quảng Ninh",
    "Smart Quảng Ninh",
    "Thư công vụ tỉnh Quảng Ninh",
    "Cổng thông tin điện tử tỉnh Quảng Ninh",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_until_ok(
    command: list[str], url: str, cwd: Path, env: dict, limit: float
) -> tuple[float, str]:
    start = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while time.monotonic() - start < limit:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    return time.monotonic() - start, response.read().decode()
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"{command} exited with {process.returncode}") from None
                time.sleep(0.1)
        raise RuntimeError(f"no answer from {url} within {limit:.0f} s")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def make_run(clone: Path, env: dict, limit: float) -> float:
    port = free_port()
    elapsed, page = time_until_ok(
        ["make", "run", f"PORT={port}"],
        f"http://127.0.0.1:{port}/danh-ba/",
        clone,
        {**env, "PORT": str(port)},
        limit,
    )
    missing = [name for name in MISSION_CHANNELS if name not in page]
    if missing:
        raise RuntimeError(f"directory lacks {missing}")
    return elapsed


def reference(clone: Path, env: dict) -> float:
    app = clone / "var" / "hello_wsgi.py"
    app.parent.mkdir(exist_ok=True)
    app.write_text(
        "def application(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'ok']\n"
    )
    port = free_port()
    command = [
        str(clone / ".venv/bin/granian"),
        "--interface",
        "wsgi",
        "--working-dir",
        str(app.parent),
        "hello_wsgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
    ]
    return time_until_ok(command, f"http://127.0.0.1:{port}/", clone, env, 60)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--fresh", action="store_true", help="first run without pip's download cache"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chinhthong-startup-") as tmp:
        clone = Path(tmp) / "chinhthong"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("CHINHTHONG_", "VIRTUAL_ENV"))
        }
        env["CHINHTHONG_ADMIN_PASSWORD"] = "mat-khau-do-hieu-nang-1"
        first_env = {**env, "PIP_NO_CACHE_DIR": "1"} if args.fresh else env
        first = make_run(clone, first_env, 600)
        warm = make_run(clone, env, 120)
        floor = reference(clone, env)
    label = "fresh clone, no pip cache" if args.fresh else "fresh clone, pip cache warm"
    print(f"{'measure':44} {'seconds':>8} {'budget':>8}")
    print(f"{'make run, ' + label:44} {first:8.1f} {'180':>8}")
    print(f"{'make run, warm (second start)':44} {warm:8.1f} {'20':>8}")
    print(f"{'reference: granian + one-line WSGI app':44} {floor:8.1f} {'-':>8}")
    sys.exit(0 if first <= 180 and warm <= 20 else 1)


if __name__ == "__main__":
    main()
