"""The site under attack: does it stay up for ordinary visitors while attackers try to exhaust it?

    python bench/attack.py [--seconds 30] [--reference-seconds 10] [--after-seconds 10]

Starts the server as `chinhthong serve --no-task-worker` does (granian through
`chinhthong.config.cli.web_command`, 2 workers, on 127.0.0.1 only) after `chinhthong setup`
in a fresh temporary CHINHTHONG_VAR_DIR, with a throw-away redis-server as the shared cache
(REDIS_URL, as bench/http_check.py), the default public rate limit and
CHINHTHONG_PROXY_COUNT=1 (the client is the last X-Forwarded-For entry, as behind one proxy).
Then, for --seconds, all at once from this process (asyncio streams, one thread):

1. heavy batches: --batch-clients clients POSTing /api/v1/check with 100 inputs of up to
   10,000 characters (hosts of thousands of labels, long texts, a long text naming such a host,
   a sender on such a host), each request as soon as the last one was answered, spread over
   --addresses client addresses of 198.51.100.0/24 (X-Forwarded-For);
2. hostile emails: --email-clients clients POSTing /api/v1/check/email (message/rfc822): a zip
   bomb, archives nested eight deep and a wide nest of bombs, 200 links on hosts of ~2,000
   labels, header blocks of 45 KB, 240 KB and 2 MB, 4 MB of base64, MIME nested 2,000 deep;
3. slow connections: --slow-heads sockets sending a request head a byte every --slow-interval
   seconds, never finishing it, and --slow-bodies sending a complete head with Content-Length
   then the body a byte every --slow-interval seconds (to /api/v1/check and /kiem-tra/), each
   re-opened as soon as the server closes it;
4. oversized bodies: --oversized clients announcing 300 MB bodies and sending 64 KB a second;
5. one crowded address: --crowd sockets from a single address (192.0.2.77), each sending a
   head announcing a 20-byte body, then its body a byte every --slow-interval seconds (one
   address once held every place of the server this way with 1,100 connections);
6. log-in flood: --login-clients addresses each fetching /dang-nhap/ for its CSRF token and
   posting a made-up name and password about once a second (every attempt hashes a password).

Meanwhile a probe, in a process of its own (so that the attackers' event loop does not delay
it), asks GET /healthz every 100 ms and POSTs an ordinary check
({"input": "https://quangninh-gov.vn/tra-cuu"}) every 200 ms, each on a new connection with a
10 s timeout. The same probe runs for --reference-seconds before the attack (the reference) and
for --after-seconds after it (recovery). /healthz comes from one address (203.0.113.10); the
ordinary checks from 20 addresses of 203.0.113.0/24 in turn — ordinary visitors, each within
the public limit of 120 a minute, which one address checking 5 times a second would exceed.

Printed: the share of /healthz probes answered within 1 s, the ordinary check's p50/p99 (a
probe not answered 200 counts as 10 s), every status code the attackers and the probes saw, the
budget's refusals (408/413/429), what became of the slow sockets, the server's CPU (all granian
processes, from /proc, in % of one core) and peak memory, this script's own CPU (it shares the
machine), and the server log's tracebacks and 500s.
Goal: ≥ 95% of /healthz probes answered within 1 s under attack, and no 500 at all.

Bounded: the attack stops after --seconds; sockets are capped at --max-sockets; every socket,
the probe, granian and redis-server are stopped in `finally` (Ctrl-C too).
"""

import argparse
import asyncio
import collections
import contextlib
import importlib.util
import io
import itertools
import json
import logging
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HOST = "127.0.0.1"  # loopback only: nothing here ever connects elsewhere
PROBE_TIMEOUT = 10.0
HEALTH_EVERY = 0.1
CHECK_EVERY = 0.2
HEALTH_ADDRESS = "203.0.113.10"
CROWDED_ADDRESS = "192.0.2.77"
CHECK_ADDRESSES = [f"203.0.113.{n}" for n in range(20, 40)]
ORDINARY = json.dumps({"input": "https://quangninh-gov.vn/tra-cuu"}).encode()
OVERSIZED = 300 * 1024 * 1024
ATTACK_TIMEOUT = 120.0  # one attacker request at most (the attack's end cuts it short anyway)
LOG_PATTERNS = {
    "Traceback": re.compile(r"^Traceback"),
    '" 500 in the access log': re.compile(r'" 500 '),
    "failed outside Django": re.compile(r"request failed outside Django"),
    "worker died / respawned": re.compile(r"(?i)respawn|died|exited|killed"),
}


# --- HTTP/1.1 on asyncio streams ----------------------------------------------------------------
def head(method: str, path: str, port: int, headers: dict[str, str], length: int | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def read_response(reader: asyncio.StreamReader) -> int:
    """The status of the response on ``reader``, its body read and dropped."""
    return (await read_whole(reader))[0]


async def read_whole(reader: asyncio.StreamReader) -> tuple[int, bytes, bytes]:
    """Status, head and body of the response on ``reader``."""
    line = await reader.readline()
    if not line:
        raise EOFError
    status = int(line.split(b" ", 2)[1])
    length, head_lines = None, []
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        head_lines.append(line)
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length is not None:
        body = await reader.readexactly(length)
    else:
        body = b"".join([chunk async for chunk in _chunks(reader)])
    return status, b"".join(head_lines), body


async def _chunks(reader: asyncio.StreamReader):
    while chunk := await reader.read(65536):
        yield chunk


def outcome(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, EOFError | asyncio.IncompleteReadError):
        return "closed"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "reset"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    return type(exc).__name__


class Sockets:
    """The attack's connections: at most ``limit`` open at once, all closed at the end."""

    def __init__(self, port: int, limit: int):
        self.port = port
        self.slots = asyncio.Semaphore(limit)
        self.open: set[asyncio.StreamWriter] = set()
        self.peak = 0

    @contextlib.asynccontextmanager
    async def connect(self):
        async with self.slots:
            reader, writer = await asyncio.open_connection(HOST, self.port)
            self.open.add(writer)
            self.peak = max(self.peak, len(self.open))
            try:
                yield reader, writer
            finally:
                self.open.discard(writer)
                writer.transport.abort()  # at once, even with unsent bytes buffered

    def close_all(self) -> None:
        for writer in list(self.open):
            writer.transport.abort()


# --- what the attackers send --------------------------------------------------------------------
def batch_inputs(variant: int) -> list[str]:
    """100 inputs of at most 10,000 characters (the API's limits), distinct per variant."""
    labels = ".".join(["a"] * 4000)
    text = (
        "Kính gửi quý anh chị,\nĐể cập nhật hồ sơ định danh mức 2, vui lòng truy cập "
        "https://quangninh-gov.vn/tra-cuu?id={n} hoặc gọi 0912 345 678 trước ngày 15.\n"
    )
    makers = [
        lambda n: f"http://{labels}.com/{n}",  # the brief's host of 4,000 labels
        lambda n: "http://" + ".".join(["ả"] * 3000) + f".vn/{n}",  # Unicode labels
        lambda n: "https://" + ".".join(f"x{i}" for i in range(2400))[:9_000] + f".vn/{n}",
        lambda n: (text.replace("{n}", str(n)) * 80)[:10_000],  # a long forwarded text
        lambda n: (f"Xem chi tiết {n} tại " + labels + labels)[:10_000],  # text naming a host
        lambda n: (f"hotro{n}@" + labels + labels)[:9_990] + ".vn",  # a sender on such a host
    ]
    inputs = [makers[i % len(makers)](variant * 1000 + i) for i in range(100)]
    assert all(len(text) <= 10_000 for text in inputs)
    return inputs


def hostile_emails() -> list[tuple[str, bytes]]:
    """(name, raw message) of the hostile messages, built with the test corpus's generator."""
    spec = importlib.util.spec_from_file_location(
        "make_samples", ROOT / "tests/verify/corpus/eml/make_samples.py"
    )
    samples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(samples)
    stranger = "Hỗ trợ <hotro@shop-example.com>"

    def attached(subject: str, *files: tuple[str, bytes, str]) -> bytes:
        return samples.to_bytes(samples.message(subject, stranger, attachments=files))

    def packed(name: str, members: list[tuple[str, bytes]]) -> bytes:
        kind = name.rsplit(".", 1)[1]
        if kind == "7z":
            return samples.seven_zip(members)
        if kind == "rar":
            return samples.rar4(members)
        return samples.zip_of(members)

    def deflated(members: list[tuple[str, bytes]]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name, content in members:
                archive.writestr(name, content)
        return buffer.getvalue()

    bomb = deflated([("dulieu.csv", b"\0" * (200 * 1024 * 1024))])  # 200 MB of zeros
    many = deflated([(f"{n}.txt", b"") for n in range(20_000)])
    deep_name, deep = "payload.exe", samples.PE
    for level in reversed(range(8)):  # l0.zip › l1.7z › l2.rar › l3.zip › … › payload.exe
        outer = f"l{level}." + ("zip", "7z", "rar")[level % 3]
        deep, deep_name = packed(outer, [(deep_name, deep)]), outer
    wide = deflated([("leaf.bin", b"\0" * (20 * 1024 * 1024))])
    for level in range(3):  # 8 × 8 × 8 copies of 20 MB: 10 GB unpacked
        wide = deflated([(f"{level}-{n}.zip", wide) for n in range(8)])
    host = ".".join(["a"] * 2000)
    links = [f"http://{host}.l{n}.com/x" for n in range(200)]
    html = "".join(f'<p><a href="{u}">quangninh.gov.vn/{n}</a></p>' for n, u in enumerate(links))
    linked = samples.to_bytes(
        samples.message("Nhiều liên kết", stranger, text="\n".join(links), html=html)
    )
    received = "".join(
        f"Received: from relay{n}.example ([198.51.100.{n % 250}]) by mx.example; {samples.DATE}\r\n"
        for n in range(2_400)
    ).encode()
    plain = samples.to_bytes(samples.message("Tiêu đề lớn", stranger))
    megaheader = ("X-Filler: " + "x" * 990 + "\r\n").encode() * 2_000
    noise = random.Random(7).randbytes(4 * 1024 * 1024)
    return [
        (
            "zip bomb (200 MB of zeros)",
            attached("Dữ liệu", ("dulieu.zip", bomb, "application/zip")),
        ),
        ("zip of 20,000 members", attached("Ảnh", ("anh.zip", many, "application/zip"))),
        ("archives nested 8 deep", attached("Hồ sơ", (deep_name, deep, "application/zip"))),
        ("8×8×8 zips of 20 MB", attached("Sao lưu", ("saoluu.zip", wide, "application/zip"))),
        ("200 links on 2,000-label hosts", linked),
        ("700 header fields (45 KB)", samples.huge_headers()),
        ("240 KB of Received fields", received + plain),
        ("2 MB header block", megaheader + plain),
        ("4 MB of base64", attached("Tệp", ("tep.bin", noise, "application/octet-stream"))),
        ("MIME nested 2,000 deep", samples.deep_nesting(2000)),
    ]


# --- the attackers ------------------------------------------------------------------------------
class Attack:
    def __init__(self, args, port: int, emails: list[tuple[str, bytes]]):
        self.args = args
        self.port = port
        self.sockets = Sockets(port, args.max_sockets)
        self.stop = asyncio.Event()
        self.statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.lifetimes: dict[str, list[float]] = collections.defaultdict(list)
        self.sent = collections.Counter()
        addresses = [f"198.51.100.{n}" for n in range(1, 251)]
        count = args.addresses
        self.batch_addresses = addresses[:count]
        self.email_addresses = addresses[100 : 100 + count]
        self.slow_addresses = addresses[150:250]
        self.bodies = [json.dumps({"inputs": batch_inputs(v)}).encode() for v in range(4)]
        self.emails = emails

    async def run(self, seconds: float) -> None:
        args = self.args
        tasks = [asyncio.create_task(self.batches(n)) for n in range(args.batch_clients)]
        tasks += [asyncio.create_task(self.mails(n)) for n in range(args.email_clients)]
        tasks += [asyncio.create_task(self.slow_head(n)) for n in range(args.slow_heads)]
        tasks += [asyncio.create_task(self.slow_body(n)) for n in range(args.slow_bodies)]
        tasks += [asyncio.create_task(self.oversized(n)) for n in range(args.oversized)]
        tasks += [asyncio.create_task(self.crowd()) for _ in range(args.crowd)]
        tasks += [asyncio.create_task(self.log_ins(n)) for n in range(args.login_clients)]
        try:
            await asyncio.sleep(seconds)
        finally:
            self.stop.set()
            for task in tasks:
                task.cancel()
            self.sockets.close_all()
            await asyncio.wait(tasks, timeout=10)

    async def request(self, kinds: tuple[str, ...], path: str, headers: dict, body: bytes) -> None:
        """One request with its whole body written at once; its status counted under each of
        ``kinds``."""
        try:
            async with self.sockets.connect() as (reader, writer):
                writer.write(head("POST", path, self.port, headers, len(body)) + body)
                self.sent[kinds[0]] += 1
                async with asyncio.timeout(ATTACK_TIMEOUT):
                    status = str(await read_response(reader))
        except asyncio.CancelledError:
            for kind in kinds:
                self.statuses[kind]["unanswered at the end"] += 1
            raise
        except Exception as exc:  # every failure is a figure of the attack, never its end
            status = outcome(exc)
            await asyncio.sleep(0.05)
        for kind in kinds:
            self.statuses[kind][status] += 1

    async def batches(self, number: int) -> None:
        step = self.args.batch_clients
        for turn in itertools.count(number, step):
            if self.stop.is_set():
                return
            address = self.batch_addresses[turn % len(self.batch_addresses)]
            headers = {"Content-Type": "application/json", "X-Forwarded-For": address}
            await self.request(("batch",), "/api/v1/check", headers, self.bodies[turn % 4])

    async def mails(self, number: int) -> None:
        step = self.args.email_clients
        for turn in itertools.count(number, step):
            if self.stop.is_set():
                return
            address = self.email_addresses[turn % len(self.email_addresses)]
            headers = {"Content-Type": "message/rfc822", "X-Forwarded-For": address}
            name, raw = self.emails[turn % len(self.emails)]
            await self.request(("email", "email: " + name), "/api/v1/check/email", headers, raw)

    async def trickle(self, kind: str, opening: bytes, drip) -> None:
        """Open, send ``opening``, then ``drip`` a byte every --slow-interval seconds until the
        server answers or closes; count what it did and after how long; open again."""
        interval = self.args.slow_interval
        await asyncio.sleep(random.uniform(0, interval))  # spread the opening
        while not self.stop.is_set():
            try:
                async with self.sockets.connect() as (reader, writer):
                    opened = time.monotonic()
                    writer.write(opening)
                    self.sent[kind] += 1
                    status = None
                    for byte in drip():
                        answer = asyncio.ensure_future(reader.read(1))
                        done, _pending = await asyncio.wait({answer}, timeout=interval)
                        if done:
                            first = answer.result()
                            status = "closed"
                            if first:
                                async with asyncio.timeout(5):
                                    rest = await reader.readline()
                                status = (first + rest).split(b" ", 2)[1].decode()
                            break
                        answer.cancel()
                        writer.write(bytes([byte]))
                    self.statuses[kind][status or "drip ran out"] += 1
                    self.lifetimes[kind].append(time.monotonic() - opened)
            except asyncio.CancelledError:
                self.statuses[kind]["open at the end"] += 1
                raise
            except Exception as exc:
                self.statuses[kind][outcome(exc)] += 1
                await asyncio.sleep(interval)

    async def slow_head(self, number: int) -> None:
        address = self.slow_addresses[number % len(self.slow_addresses)]
        path = ("/api/v1/check", "/kiem-tra/")[number % 2]
        text = f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-For: {address}\r\n"
        text += "X-Padding: " + "a" * 100_000  # never ends: no blank line
        await self.trickle("slow head", b"", lambda: iter(text.encode()))

    async def slow_body(self, number: int) -> None:
        address = self.slow_addresses[number % len(self.slow_addresses)]
        path, kind, length = [
            ("/api/v1/check", "application/json", 2_000),
            ("/api/v1/check", "application/json", 1024 * 1024),
            ("/kiem-tra/", "application/x-www-form-urlencoded", 2_000),
            ("/kiem-tra/", "application/x-www-form-urlencoded", 5 * 1024 * 1024),
        ][number % 4]
        headers = {"Content-Type": kind, "X-Forwarded-For": address}
        opening = head("POST", path, self.port, headers, length)
        body = lambda: itertools.chain(b"q=", itertools.repeat(ord("a"), length - 2))  # noqa: E731
        await self.trickle("slow body", opening, body)

    async def crowd(self) -> None:
        headers = {"Content-Type": "application/json", "X-Forwarded-For": CROWDED_ADDRESS}
        opening = head("POST", "/api/v1/check", self.port, headers, 20) + b"{"
        await self.trickle("crowd", opening, lambda: iter(b'"input": "a.vn"}   '))

    async def log_ins(self, number: int) -> None:
        address = f"192.0.2.{100 + number}"
        for turn in itertools.count():
            if self.stop.is_set():
                return
            began = time.monotonic()
            try:
                async with self.sockets.connect() as (reader, writer):
                    get = head("GET", "/dang-nhap/", self.port, {"X-Forwarded-For": address}, None)
                    writer.write(get)
                    async with asyncio.timeout(ATTACK_TIMEOUT):
                        status, answer_head, page = await read_whole(reader)
                cookie = re.search(rb"csrftoken=([^;\s]+)", answer_head)
                token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                status, cookie, token = outcome(exc), None, None
            if cookie and token:
                form = urllib.parse.urlencode(
                    {
                        "csrfmiddlewaretoken": token.group(1).decode(),
                        "username": f"khach-{number}-{turn}",
                        "password": "khong-dung-mat-khau",
                    }
                ).encode()
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookie.group(1).decode()}",
                    "X-Forwarded-For": address,
                }
                await self.request(("log-in",), "/dang-nhap/", headers, form)
            else:
                self.statuses["log-in"][f"page {status}"] += 1
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - began)))

    async def oversized(self, number: int) -> None:
        paths = ["/api/v1/check", "/api/v1/check/email", "/kiem-tra/"]
        chunk = b"a" * 65536
        for turn in itertools.count(number, self.args.oversized):
            if self.stop.is_set():
                return
            address = self.batch_addresses[turn % len(self.batch_addresses)]
            headers = {"Content-Type": "application/octet-stream", "X-Forwarded-For": address}
            try:
                async with self.sockets.connect() as (reader, writer):
                    writer.write(head("POST", paths[turn % 3], self.port, headers, OVERSIZED))
                    self.sent["oversized"] += 1
                    answer = asyncio.ensure_future(read_response(reader))
                    while not answer.done() and not self.stop.is_set():
                        writer.write(chunk)
                        await asyncio.wait({answer}, timeout=1.0)
                    if not answer.done():
                        answer.cancel()
                        raise asyncio.CancelledError
                    self.statuses["oversized"][str(answer.result())] += 1
            except asyncio.CancelledError:
                self.statuses["oversized"]["unanswered at the end"] += 1
                raise
            except Exception as exc:
                self.statuses["oversized"][outcome(exc)] += 1
                await asyncio.sleep(0.05)


# --- the probe (run in a process of its own) ----------------------------------------------------
async def probe(port: int, seconds: float) -> list[tuple]:
    """(kind, started at, seconds taken, status) of every probe request."""
    results: list[tuple] = []
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def one(kind: str, method: str, path: str, headers: dict, body: bytes | None) -> None:
        began = loop.time()
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                reader, writer = await asyncio.open_connection(HOST, port)
                try:
                    length = None if body is None else len(body)
                    writer.write(head(method, path, port, headers, length) + (body or b""))
                    status = str(await read_response(reader))
                finally:
                    writer.transport.abort()
        except Exception as exc:
            status = outcome(exc)
        results.append((kind, began - start, loop.time() - began, status))

    tasks = set()
    ticks = 0
    while (tick := ticks * HEALTH_EVERY) < seconds:
        await asyncio.sleep(max(0.0, start + tick - loop.time()))
        headers = {"X-Forwarded-For": HEALTH_ADDRESS}
        tasks.add(asyncio.create_task(one("healthz", "GET", "/healthz", headers, None)))
        if ticks % round(CHECK_EVERY / HEALTH_EVERY) == 0:
            address = CHECK_ADDRESSES[(ticks // 2) % len(CHECK_ADDRESSES)]
            headers = {"Content-Type": "application/json", "X-Forwarded-For": address}
            tasks.add(asyncio.create_task(one("check", "POST", "/api/v1/check", headers, ORDINARY)))
        tasks = {t for t in tasks if not t.done()}
        ticks += 1
    if tasks:
        await asyncio.wait(tasks)
    return results


def start_probe(port: int, seconds: float) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, __file__, "--probe-port", str(port), "--seconds", str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )


def finish_probe(process: subprocess.Popen, seconds: float) -> dict:
    out, _err = process.communicate(timeout=seconds + PROBE_TIMEOUT + 30)
    return json.loads(out)


def summarise(rows: list) -> dict:
    health = [r for r in rows if r[0] == "healthz"]
    checks = [r for r in rows if r[0] == "check"]
    latencies = sorted(r[2] if r[3] == "200" else PROBE_TIMEOUT for r in checks)
    health_slow = sorted(r[2] for r in health)

    def quantile(values: list[float], share: float) -> float:
        return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")

    worst = max(health, key=lambda r: r[2], default=None)
    return {
        "health_n": len(health),
        "health_ok": sum(1 for r in health if r[3] == "200" and r[2] <= 1.0) / max(1, len(health)),
        "health_p50": quantile(health_slow, 0.5),
        "health_p99": quantile(health_slow, 0.99),
        "health_worst": worst,
        "check_n": len(checks),
        "check_ok": sum(1 for r in checks if r[3] == "200" and r[2] <= 1.0) / max(1, len(checks)),
        "check_p50": quantile(latencies, 0.5),
        "check_p99": quantile(latencies, 0.99),
        "health_status": collections.Counter(r[3] for r in health),
        "check_status": collections.Counter(r[3] for r in checks),
        "timeline": timeline(rows),
    }


def timeline(rows: list, width: float = 5.0) -> list[tuple]:
    """Per ``width`` seconds: (from, /healthz within 1 s, check p50)."""
    spans = collections.defaultdict(lambda: ([], []))
    for kind, started, took, status in rows:
        health, checks = spans[int(started // width)]
        if kind == "healthz":
            health.append(status == "200" and took <= 1.0)
        else:
            checks.append(took if status == "200" else PROBE_TIMEOUT)
    return [
        (slot * width, sum(h) / max(1, len(h)), statistics.median(c) if c else float("nan"))
        for slot, (h, c) in sorted(spans.items())
    ]


# --- the server and what it uses ----------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def process_tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        each = todo.pop()
        found.append(each)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{each}/task").iterdir():
                todo += map(int, (task / "children").read_text().split())
    return found


def server_usage(pid: int) -> tuple[float, int]:
    """CPU seconds (user + system) used so far by granian and its workers, and their RSS (KB)."""
    cpu, rss = 0, 0
    for each in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += int(fields[11]) + int(fields[12])
            rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
    return cpu / os.sysconf("SC_CLK_TCK"), rss


def wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"the server ended with status {server.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=2) as sock:
                sock.sendall(
                    head("GET", "/healthz", port, {"X-Forwarded-For": "203.0.113.2"}, None)
                )
                if b" 200 " in sock.recv(64):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the server did not answer /healthz within 60 s")
        time.sleep(0.3)


def grep_log(path: Path) -> dict[str, list[str]]:
    found = {name: [] for name in LOG_PATTERNS}
    for line in path.read_text(errors="replace").splitlines():
        for name, pattern in LOG_PATTERNS.items():
            if pattern.search(line):
                found[name].append(line)
    return found


def stop(process: subprocess.Popen | None, group: bool = False, grace: float = 10.0) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait()


def phase(server: subprocess.Popen, port: int, seconds: float, attack: Attack | None) -> dict:
    """The probe for ``seconds``, with the attack running meanwhile when given."""
    cpu_before, _ = server_usage(server.pid)
    own_before = time.process_time()
    began = time.monotonic()
    probe_process = start_probe(port, seconds)
    peak_rss = [0]

    async def measured() -> None:
        async def sample() -> None:
            while True:
                peak_rss[0] = max(peak_rss[0], server_usage(server.pid)[1])
                await asyncio.sleep(1)

        sampler = asyncio.create_task(sample())
        try:
            if attack is not None:
                await attack.run(seconds)
            else:
                await asyncio.sleep(seconds)
        finally:
            sampler.cancel()

    try:
        asyncio.run(measured())
        wall = time.monotonic() - began
        cpu_after, _ = server_usage(server.pid)
        own = time.process_time() - own_before
        rows = finish_probe(probe_process, seconds)
    finally:
        stop(probe_process)
    return {
        **summarise(rows),
        "server_cpu": (cpu_after - cpu_before) / wall,
        "peak_rss_mb": peak_rss[0] / 1024,
        "own_cpu": own / wall,
        "wall": wall,
    }


# --- report -------------------------------------------------------------------------------------
def report(args, phases: dict[str, dict], attack: Attack, log: dict, emails: list) -> None:
    print(f"\n{'':34}" + "".join(f"{name:>16}" for name in phases))
    rows = [
        ("seconds probed", lambda p: f"{p['wall']:.0f}"),
        ("/healthz probes", lambda p: f"{p['health_n']}"),
        ("/healthz answered within 1 s", lambda p: f"{p['health_ok']:.1%}"),
        (
            "/healthz p50 / p99 ms",
            lambda p: f"{p['health_p50'] * 1e3:.0f} / {p['health_p99'] * 1e3:.0f}",
        ),
        ("ordinary checks", lambda p: f"{p['check_n']}"),
        ("check answered within 1 s", lambda p: f"{p['check_ok']:.1%}"),
        ("check p50 ms", lambda p: f"{p['check_p50'] * 1e3:.0f}"),
        ("check p99 ms", lambda p: f"{p['check_p99'] * 1e3:.0f}"),
        ("server CPU (% of one core)", lambda p: f"{p['server_cpu']:.0%}"),
        ("server peak RSS MB", lambda p: f"{p['peak_rss_mb']:.0f}"),
        ("this script's CPU", lambda p: f"{p['own_cpu']:.0%}"),
    ]
    for title, cell in rows:
        print(f"{title:34}" + "".join(f"{cell(p):>16}" for p in phases.values()))
    for name, p in phases.items():
        print(f"probe statuses, {name}: /healthz {dict(p['health_status'])}, ", end="")
        print(f"check {dict(p['check_status'])}")
        worst = p["health_worst"]
        if worst:
            print(f"  slowest /healthz: {worst[2] * 1e3:.0f} ms at {worst[1]:.1f} s ({worst[3]})")
    under = phases["attack"]
    print("\nunder attack, per 5 s: from  /healthz ≤ 1 s  check p50 ms")
    for start, health, check in under["timeline"]:
        print(f"{start:>26.0f} s {health:>14.0%} {check * 1e3:>12.0f}")

    print(f"\n{'attacker':22} {'requests':>9}  statuses seen")
    for kind in ATTACKERS:
        counts = attack.statuses.get(kind, collections.Counter())
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        print(f"{kind:22} {attack.sent[kind]:9}  {shown}")
    for kind in sorted(k for k in attack.statuses if k.startswith("email: ")):
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(attack.statuses[kind].items()))
        print(f"  {kind[7:]:32} {shown}")
    refused = collections.Counter()
    for kind in ATTACKERS:
        for status in ("408", "413", "429"):
            refused[status] += attack.statuses[kind][status]
    print(
        f"refused by the budget: 408 {refused['408']}, 413 {refused['413']}, 429 {refused['429']}"
    )
    for kind in ("slow head", "slow body", "crowd"):
        lives = attack.lifetimes.get(kind)
        if lives:
            print(
                f"{kind}: {len(lives)} ended by the server, after {statistics.median(lives):.1f} s "
                f"(median), {max(lives):.1f} s at most"
            )
    print(f"sockets open at once (attack): at most {attack.sockets.peak}")
    five_hundreds = sum(counts.get("500", 0) for counts in attack.statuses.values()) + sum(
        p["health_status"].get("500", 0) + p["check_status"].get("500", 0) for p in phases.values()
    )
    print(f"500s seen by attackers and probes: {five_hundreds}")
    print("\nserver log:")
    for name, lines in log.items():
        print(f"  {name}: {len(lines)}")
        for line in lines[:3]:
            print(f"    {line[:200]}")
    paths = collections.Counter(
        re.search(r'"(\S+ \S+)', line).group(1) for line in log['" 500 in the access log']
    )
    left = attack.statuses["slow body"]["open at the end"]
    print(
        f"  the access log's 500s by request: {dict(paths)}; slow bodies this script dropped "
        f"unfinished at the end: {left} (logged as 400: their clients left before the body)"
    )
    print(
        "\nhostile emails: " + "; ".join(f"{name} {len(raw) / 1024:.0f} KB" for name, raw in emails)
    )
    ok = under["health_ok"] >= 0.95 and five_hundreds == 0 and not log["Traceback"]
    print(
        f"\n/healthz answered within 1 s under attack: {under['health_ok']:.1%} (goal ≥ 95%), "
        f"500s {five_hundreds}, tracebacks {len(log['Traceback'])}: {'PASS' if ok else 'FAIL'} — "
        f"{args.seconds:.0f} s of attack on {os.cpu_count()} cores shared with the attacker"
    )


ATTACKERS = ("batch", "email", "oversized", "slow head", "slow body", "crowd", "log-in")


def open_files_allowed() -> None:
    """Raise this process's (and the server's) open-file limit to the hard limit: the attack
    holds some 1,600 sockets, over the usual soft limit of 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def interrupted(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the attack")
    parser.add_argument("--reference-seconds", type=float, default=10)
    parser.add_argument("--after-seconds", type=float, default=10, help="probe after the attack")
    parser.add_argument("--batch-clients", type=int, default=8)
    parser.add_argument("--email-clients", type=int, default=4)
    parser.add_argument("--addresses", type=int, default=50, help="per attacker kind (≤ 50)")
    parser.add_argument("--slow-heads", type=int, default=200)
    parser.add_argument("--slow-bodies", type=int, default=200)
    parser.add_argument("--slow-interval", type=float, default=3.0)
    parser.add_argument("--oversized", type=int, default=10)
    parser.add_argument("--crowd", type=int, default=1100, help="sockets from one address")
    parser.add_argument("--login-clients", type=int, default=40)
    parser.add_argument("--max-sockets", type=int, default=2000)
    parser.add_argument("--keep-log", type=Path, help="copy the server's log to this file")
    parser.add_argument("--probe-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe_port:  # the probe process
        print(json.dumps(asyncio.run(probe(args.probe_port, args.seconds))))
        return
    if not shutil.which("redis-server"):
        sys.exit("needs redis-server (apt-get install redis-server)")
    args.addresses = max(1, min(args.addresses, 50))
    signal.signal(signal.SIGTERM, interrupted)  # stop everything as on Ctrl-C
    open_files_allowed()
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # writes to peers that hung up
    from chinhthong.config.cli import web_command

    print("building the hostile messages…", flush=True)
    emails = hostile_emails()
    redis = server = None
    with tempfile.TemporaryDirectory(prefix="chinhthong-attack-") as tmp:
        tmp = Path(tmp)
        try:
            redis_port, port = free_port(), free_port()
            redis = subprocess.Popen(
                [
                    *("redis-server", "--port", str(redis_port), "--bind", HOST),
                    *("--save", "", "--appendonly", "no", "--dir", str(tmp)),
                ],
                stdout=subprocess.DEVNULL,
            )
            env = {k: v for k, v in os.environ.items() if not k.startswith("CHINHTHONG_")}
            env.update(
                CHINHTHONG_VAR_DIR=str(tmp / "var"),
                REDIS_URL=f"redis://{HOST}:{redis_port}/0",
                CHINHTHONG_PROXY_COUNT="1",
                CHINHTHONG_ADMIN_PASSWORD="bench-only-password-1",
                DJANGO_SETTINGS_MODULE="chinhthong.config.settings",
            )
            print("chinhthong setup…", flush=True)
            setup = subprocess.run(
                [PYTHON, "-m", "chinhthong", "setup"], env=env, capture_output=True, text=True
            )
            if setup.returncode:
                sys.exit(f"setup failed: {setup.stderr[-2000:]}")
            command = web_command(HOST, port, 2)
            command[command.index("--log-level") + 1] = "info"  # the access log is read below
            log_path = tmp / "server.log"
            with log_path.open("wb") as log_file:
                server = subprocess.Popen(
                    command, env=env, stdout=log_file, stderr=subprocess.STDOUT, process_group=0
                )
            wait_ready(port, server)
            phases = {"reference": phase(server, port, args.reference_seconds, None)}
            print(f"attacking for {args.seconds:.0f} s…", flush=True)
            attack = Attack(args, port, emails)
            phases["attack"] = phase(server, port, args.seconds, attack)
            if args.after_seconds > 0:
                phases["after"] = phase(server, port, args.after_seconds, None)
            workers_alive = server.poll() is None
        finally:
            stop(server, group=True)
            stop(redis)
        log = grep_log(log_path)
        if args.keep_log:
            shutil.copyfile(log_path, args.keep_log)
    report(args, phases, attack, log, emails)
    if not workers_alive:
        print("the server had ended by itself before the end of the run")


if __name__ == "__main__":
    main()
