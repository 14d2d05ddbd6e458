"""How long `make run` takes until the directory answers, on a fresh clone and again warm; and
how long one `chinhthong check` takes from a cold start, as a mail filter runs it per message.

    python bench/startup.py            # both (pip's download cache may help the first run)
    python bench/startup.py --fresh    # first run without pip's cache, as on a new machine
    python bench/startup.py --check    # only the check, a minute or so
    python bench/startup.py --check --compare-src /tmp/before/src   # and an older tree's check

References, measured in the same run: granian (the server `make run` starts) serving a
one-line WSGI app from the same virtual environment — the floor of starting any Python HTTP
server here; and `python -c pass` — the floor of starting any Python program. Budgets from the
issue: 3 minutes fresh, 20 seconds warm.

The check is timed on an installation set up for the run (`chinhthong setup --no-static` in a
temporary folder, recorded in a temporary file), from another, empty folder, without
CHINHTHONG_VAR_DIR: the command finds the installation by the record. The commands take turns
(floor, check, floor, check …) after a warm-up; each run's wall time is read around it and its
CPU time from the operating system's accounting of the finished child (wait4). Medians are
printed, and the median of the check/floor ratios pair by pair, which holds when the shared
machine's speed drifts. `--compare-src` times the same check with an older source tree first
on PYTHONPATH, in the same turns, given CHINHTHONG_VAR_DIR (`git archive COMMIT src | tar -x
-C /tmp/before`; copy the compiled django.mo into it, which git does not hold).
"""

import argparse
import os
import signal
import socket
import statistics
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


def timed(command: list[str], cwd: Path, env: dict) -> tuple[float, float, bytes]:
    """Wall and CPU seconds (user + system, the kernel's accounting) of one run, its output."""
    start = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command} exited with {process.returncode}: {output[-500:]!r}")
    return wall, usage.ru_utime + usage.ru_stime, output


def check_start(runs: int, compare_src: Path | None) -> list[tuple[str, float, float, float]]:
    """(measure, median wall s, median CPU s, median wall ratio to the floor) per command."""
    with tempfile.TemporaryDirectory(prefix="chinhthong-check-start-") as tmp:
        root = Path(tmp)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CHINHTHONG_", "DJANGO_", "DATABASE_", "VIRTUAL_ENV"))
        }
        env.update(
            CHINHTHONG_INSTALLATION_FILE=str(root / "installation.json"),
            CHINHTHONG_ADMIN_PASSWORD="mat-khau-do-hieu-nang-1",
        )
        setup = [sys.executable, "-m", "chinhthong", "setup", "--no-static"]
        subprocess.run(
            setup,
            cwd=root,
            env={**env, "CHINHTHONG_VAR_DIR": str(root / "var")},
            check=True,
            capture_output=True,
        )
        elsewhere = root / "elsewhere"
        elsewhere.mkdir()
        check = [sys.executable, "-m", "chinhthong", "check", "quangninh-gov.vn"]
        commands = {
            "floor: python -c pass": ([sys.executable, "-c", "pass"], env),
            "chinhthong check, this tree": (check, env),
        }
        if compare_src:
            # An older tree finds no record: it is told where the installation is.
            before = {
                **env,
                "PYTHONPATH": str(compare_src.resolve()),
                "CHINHTHONG_VAR_DIR": str(root / "var"),
            }
            commands[f"chinhthong check, {compare_src}"] = (check, before)
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for turn in range(runs + 1):
            for name, (command, command_env) in commands.items():
                wall, cpu, output = timed(command, elsewhere, command_env)
                if name != "floor: python -c pass" and b"(impersonation)" not in output:
                    raise RuntimeError(f"{name} did not answer impersonation: {output!r}")
                if turn:  # the first turn warms the file cache
                    figures[name].append((wall, cpu))
        if any(elsewhere.iterdir()):
            raise RuntimeError(f"the check created {sorted(elsewhere.iterdir())}")
    floor = figures["floor: python -c pass"]
    rows = []
    for name, runs_of in figures.items():
        ratios = [
            wall / floor_wall for (wall, _c), (floor_wall, _fc) in zip(runs_of, floor, strict=True)
        ]
        walls, cpus = zip(*runs_of, strict=True)
        rows.append(
            (name, statistics.median(walls), statistics.median(cpus), statistics.median(ratios))
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--fresh", action="store_true", help="first run without pip's download cache"
    )
    parser.add_argument("--check", action="store_true", help="only the start of one check")
    parser.add_argument("--runs", type=int, default=15, help="counted runs of each command")
    parser.add_argument(
        "--compare-src", type=Path, help="also time the check with this source tree first"
    )
    args = parser.parse_args()
    rows = check_start(args.runs, args.compare_src)
    print(f"{'one check from a cold start':52} {'wall s':>7} {'CPU s':>7} {'wall/floor':>10}")
    for name, wall, cpu, ratio in rows:
        print(f"{name:52} {wall:7.3f} {cpu:7.3f} {ratio:10.1f}")
    if args.check:
        return
    print()
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
