"""POST /api/v1/check under a loopback load test, beside a trivial view on the same server.

    python bench/http_check.py [--rounds 6] [--seconds 5] [--connections 16]

Starts redis-server (the shared cache that holds rate-limit counters, as in production) and the
HTTP server exactly as `chinhthong serve` runs it (granian with config/asgi.py, 2 workers on
this 2-core machine), loads the default registry into a fresh SQLite database, and drives both
endpoints with wrk (Debian package) from a second process.
The endpoints take turns in several short rounds (trivial first in one round, the check first in
the next), so that the machine's drift — it is shared — falls on both alike; the share is the
check's total requests/s over the trivial view's across all rounds, p99 the worst round's.
Beside it, the server's own CPU time per request (the server's processes, from /proc), which
the machine's noise moves less than requests/s.
Budget (the issue): ≥ 90% of the trivial view's requests/s, p99 ≤ 50 ms.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from chinhthong.config.cli import web_command

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HOSTS = [
    "quangninh-gov.vn",
    "www.quangninh.gov.vn",
    "congchuc.quangninh.gov.vn",
    "dvcongvn.com",
    "vnexpress.net",
    "tuoitre.vn",
    "gplx-gov.vn",
    "103.97.125.3",
    "baoquangninh.vn",
    "chinhphu.vn",
    "dichvucong-quangninh.com",
    "quảngninh.vn",
    "bit.ly",
    "moh.gov.vn",
    "shopee.vn",
]
# 3,000 distinct inputs: links on repeating hosts (as mail and chat traffic is), a few senders.
INPUTS = [f"https://{HOSTS[i % len(HOSTS)]}/tin-tuc/{i}?utm_source=zalo" for i in range(2_900)] + [
    f"hotro{i}@{HOSTS[i % len(HOSTS)]}" for i in range(100)
]
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local bodies = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i %% #bodies) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(url: str, body: bytes) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            request = urllib.request.Request(
                url, data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wrk(url: str, script: Path, seconds: int, connections: int) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {
        "rps": rps,
        "requests": requests,
        "p99_ms": float(p99.group(1)) * scale,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=5, help="per endpoint per round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--threads", type=int, default=None, help="CHINHTHONG_WEB_THREADS (default: the setting's)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("redis-server"):
        sys.exit("needs wrk and redis-server (apt-get install wrk redis-server)")
    with tempfile.TemporaryDirectory(prefix="chinhthong-http-") as tmp:
        tmp = Path(tmp)
        redis_port, web_port = free_port(), free_port()
        redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp),
            ],
            stdout=subprocess.DEVNULL,
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHINHTHONG_")}
        env.update(
            CHINHTHONG_VAR_DIR=str(tmp / "var"),
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            CHINHTHONG_TASK_BACKEND="immediate",
            CHINHTHONG_PUBLIC_RATE_LIMIT="100000000/m",
            **({"CHINHTHONG_WEB_THREADS": str(args.threads)} if args.threads else {}),
            CHINHTHONG_ADMIN_PASSWORD="bench-only-password-1",
            CHINHTHONG_LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT / "bench"),
            DJANGO_SETTINGS_MODULE="bench_site",
        )
        try:
            subprocess.run(
                [PYTHON, "-m", "chinhthong", "setup"], env=env, check=True, capture_output=True
            )
        except subprocess.CalledProcessError as exc:
            redis.terminate()
            sys.exit(f"setup failed: {exc.stderr.decode()[-2000:]}")
        server = subprocess.Popen(
            web_command("127.0.0.1", web_port, 2),
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{web_port}"
            bodies = [json.dumps({"input": text}) for text in INPUTS]
            wait(f"{base}/api/v1/check", bodies[0].encode())
            wait(f"{base}/bench/trivial", b"{}")
            script = tmp / "post.lua"
            script.write_text(LUA % ", ".join(json.dumps(b) for b in bodies))
            urls = {"trivial": f"{base}/bench/trivial", "check": f"{base}/api/v1/check"}
            for url in urls.values():  # warm both workers on both endpoints
                wrk(url, script, 3, args.connections)
            runs: dict[str, list[dict]] = {"trivial": [], "check": []}
            for number in range(args.rounds):
                order = ("trivial", "check") if number % 2 == 0 else ("check", "trivial")
                for name in order:
                    before = server_cpu(server.pid)
                    run = wrk(urls[name], script, args.seconds, args.connections)
                    run["cpu_us"] = (server_cpu(server.pid) - before) / run["requests"] * 1e6
                    runs[name].append(run)
        finally:
            server.terminate()
            server.wait()
            redis.terminate()
            redis.wait()
    print(
        f"{'round':>5} {'trivial req/s':>14} {'check req/s':>12} {'share':>7} "
        f"{'trivial CPU µs/req':>19} {'check CPU µs/req':>17}"
    )
    for number, (t, c) in enumerate(zip(runs["trivial"], runs["check"], strict=True), 1):
        print(
            f"{number:5} {t['rps']:14.0f} {c['rps']:12.0f} {c['rps'] / t['rps']:7.1%} "
            f"{t['cpu_us']:19.0f} {c['cpu_us']:17.0f}"
        )
    trivial, check = summary(runs["trivial"]), summary(runs["check"])
    share = check["rps"] / trivial["rps"]
    print(f"\n{'endpoint':28} {'req/s':>9} {'p99 ms':>8} {'non-2xx':>8} {'server CPU µs/req':>18}")
    for title, row in (("trivial JSON view", trivial), ("POST /api/v1/check", check)):
        print(
            f"{title:28} {row['rps']:9.0f} {row['p99_ms']:8.1f} {row['non_2xx']:8} "
            f"{row['cpu_us']:18.0f}"
        )
    print(
        "server CPU per request: user + system time of the server's processes over the "
        f"round, divided by its requests; check/trivial = {check['cpu_us'] / trivial['cpu_us']:.1%}"
    )
    ok = share >= 0.9 and check["p99_ms"] <= 50 and check["non_2xx"] == 0
    print(
        f"check/trivial = {share:.1%} (budget ≥ 90%), p99 {check['p99_ms']:.1f} ms (budget ≤ 50 ms): "
        f"{'PASS' if ok else 'FAIL'} — {args.rounds} rounds of {args.seconds} s per endpoint"
    )


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server's main process and workers."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for each in [pid, *map(int, children)]:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def summary(rounds: list[dict]) -> dict:
    """Mean requests/s over equal-length rounds, the worst round's p99, all errors, and the
    server's CPU per request."""
    return {
        "rps": sum(r["rps"] for r in rounds) / len(rounds),
        "cpu_us": sum(r["cpu_us"] for r in rounds) / len(rounds),
        "p99_ms": max(r["p99_ms"] for r in rounds),
        "non_2xx": sum(r["non_2xx"] for r in rounds),
    }


if __name__ == "__main__":
    main()
