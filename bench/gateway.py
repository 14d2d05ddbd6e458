"""Mail through Postfix with and without `chinhthong milter`, in one run: messages per second
and the latency the milter adds, on the typical corpus of bench/email_batch.py.

    python bench/gateway.py                      # 3,000 messages a round, 3 rounds
    python bench/gateway.py --messages 500 --rounds 1

Postfix is Debian's, on loopback, with a configuration of its own (tests/gateway/
postfix_server.py: virtual delivery of every recipient into one Maildir). Each round runs
Postfix alone, then the same Postfix set-up with the milter in `smtpd_milters` (a fresh
instance each time, so queues and mailboxes start empty), alternating which goes first.

Throughput: --connections SMTP clients (processes) send the corpus split between them; the
clock runs from the first connection until the last message is in the Maildir. Latency: one
client sends --latency-messages messages one after another on one connection; a message's
time is from MAIL FROM to the server's answer to its data (the milter answers before that),
so the added latency is the difference of the two distributions.

The milter runs as a gateway with no database would: from the packaged registry signed as a
snapshot file by a key made for the run, with the corpus blocklist as its blocklist file
(bench/mail_samples.py links to some of its entries), one engine worker per core, the default
policy (banners on impersonation and malicious). Goal from the issue: >= 70 % of Postfix's own
throughput.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import mail_samples
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.gateway.postfix_server import Postfix
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[1]
GOAL = 0.70
SENDER = "bench@example.org"
RECIPIENT = "canbo@quangninh.gov.vn"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _send_slice(args) -> list[float]:
    port, raws = args
    times = []
    with smtplib.SMTP("127.0.0.1", port, timeout=300) as client:
        for raw in raws:
            started = time.perf_counter()
            client.sendmail(SENDER, [RECIPIENT], raw)
            times.append(time.perf_counter() - started)
    return times


def _wait_delivered(server: Postfix, count: int, timeout: float = 1800) -> float:
    new = server.maildir / "new"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if new.exists() and sum(1 for _ in os.scandir(new)) >= count:
            return time.perf_counter()
        time.sleep(0.02)
    raise RuntimeError(f"not all {count} delivered:\n{server.log()[-3000:]}")


def cpu_seconds(group: int) -> dict[str, float]:
    """Processor time so far of the milter's processes (its process group): the milter itself
    and its engine workers, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {"milter": 0.0, "workers": 0.0}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if int(fields[2]) != group:
            continue
        used = (int(fields[11]) + int(fields[12])) / tick
        found["milter" if int(entry) == group else "workers"] += used
    return found


def measure(
    raws: list[bytes], milter: str | None, connections: int, latency_raws, group: int = 0
) -> dict:
    server = Postfix(milter)
    try:
        server.start()
        _send_slice((server.port, raws[:20]))  # warm: Postfix's processes, the milter's workers
        _wait_delivered(server, 20)
        slices = [(server.port, raws[i::connections]) for i in range(connections)]
        cpu_before = cpu_seconds(group) if group else {}
        started = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(connections) as pool:
            pool.map(_send_slice, slices)
        finished = _wait_delivered(server, 20 + len(raws))
        cpu_after = cpu_seconds(group) if group else {}
        cpu = {k: (cpu_after[k] - cpu_before[k]) / len(raws) * 1000 for k in cpu_after}
        latencies = _send_slice((server.port, latency_raws))
        _wait_delivered(server, 20 + len(raws) + len(latency_raws))
        return {"rate": len(raws) / (finished - started), "latencies": latencies, "cpu": cpu}
    finally:
        server.stop()
        server.cleanup()


@contextlib.contextmanager
def milter_running(folder: Path, kind: str):
    from chinhthong.checks.engines import packaged_document
    from chinhthong.registry import signing

    key = Ed25519PrivateKey.generate()
    body = json.dumps(packaged_document(), ensure_ascii=False).encode()
    (folder / "registry.json").write_bytes(body)
    (folder / "registry.json.sig").write_text(signing.sign(key, body))
    (folder / "registry.pub").write_bytes(signing.public_pem(key))
    blocklist = ROOT / "tests/verify/corpus/blocklist.txt"
    port = free_port()
    folder.chmod(0o755)  # Postfix's daemons run as `postfix`
    listen = f"unix:{folder}/milter.sock" if kind == "unix" else f"inet:{port}@127.0.0.1"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHINHTHONG_", "DJANGO_"))}
    env["CHINHTHONG_VAR_DIR"] = str(folder / "var")
    command = [sys.executable, "-m", "chinhthong", "milter", "--listen", listen]
    command += ["--socket-umask", "000"]
    command += ["--snapshot", str(folder / "registry.json")]
    command += ["--signature", str(folder / "registry.json.sig")]
    command += ["--public-key", str(folder / "registry.pub"), "--blocklist", str(blocklist)]
    log = (folder / "milter.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if kind == "unix" and (folder / "milter.sock").exists():
                break
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "milter.log").read_text())
            time.sleep(0.2)
        address = f"unix:{folder}/milter.sock" if kind == "unix" else f"inet:127.0.0.1:{port}"
        yield address, process.pid
    finally:
        os.killpg(process.pid, 15)
        process.wait(60)
        log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--latency-messages", type=int, default=300)
    parser.add_argument("--socket", choices=("unix", "inet"), default="unix")
    args = parser.parse_args()
    import django

    django.setup()
    samples = mail_samples.mail_corpus(args.messages)
    raws = [sample.raw for sample in samples]
    latency_raws = [s.raw for s in mail_samples.mail_corpus(args.latency_messages, seed=7)]
    sizes = sorted(len(raw) for raw in raws)
    print(
        f"{len(raws)} messages, median {statistics.median(sizes) / 1024:.1f} KB, "
        f"{args.connections} connections; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}"
    )
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="chinhthong-bench-gw-") as folder,
        milter_running(Path(folder), args.socket) as (milter, group),
    ):
        for number in range(args.rounds):
            order = [None, milter] if number % 2 == 0 else [milter, None]
            found = {}
            for which in order:
                found[which] = measure(raws, which, args.connections, latency_raws, group)
            alone, filtered = found[None], found[milter]
            ratio = filtered["rate"] / alone["rate"]
            rows.append((alone, filtered, ratio))
            print(
                f"round {number + 1}: Postfix alone {alone['rate']:.0f} msg/s, with the "
                f"milter {filtered['rate']:.0f} msg/s = {ratio:.0%} "
                f"(load {os.getloadavg()[0]:.1f}); processor time a message: milter "
                f"{filtered['cpu']['milter']:.2f} ms, engine workers "
                f"{filtered['cpu']['workers']:.2f} ms"
            )
    print()
    print(
        "| round | Postfix alone (msg/s) | with the milter (msg/s) | share | p50 / p99 alone (ms) "
        "| p50 / p99 with (ms) | added p50 / p99 (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for number, (alone, filtered, ratio) in enumerate(rows, 1):
        a, f = alone["latencies"], filtered["latencies"]
        a50, a99 = percentile(a, 0.5) * 1000, percentile(a, 0.99) * 1000
        f50, f99 = percentile(f, 0.5) * 1000, percentile(f, 0.99) * 1000
        print(
            f"| {number} | {alone['rate']:.0f} | {filtered['rate']:.0f} | {ratio:.0%} | "
            f"{a50:.1f} / {a99:.1f} | {f50:.1f} / {f99:.1f} | {f50 - a50:.1f} / {f99 - a99:.1f} |"
        )
    best = max(ratio for _, _, ratio in rows)
    median = statistics.median(ratio for _, _, ratio in rows)
    verdict = "met" if median >= GOAL else "NOT met"
    print(
        f"\nshare of Postfix's throughput: median {median:.0%}, best {best:.0%} "
        f"(goal >= {GOAL:.0%}: {verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
