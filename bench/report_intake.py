"""2,000 reports of false information from 50 concurrent clients on loopback, every one checked
in the database afterwards, beside a trivial view driven by the same clients in the same run.

    python bench/report_intake.py [--reports 2000] [--clients 50] [--screenshot-every 4]

The server is started as `chinhthong serve` runs it (bench/http_check.py: granian with
config/asgi.py, 2 workers on this 2-core machine) on the embedded defaults — SQLite in a fresh
temporary folder, the database cache, the database task queue — with the per-client limits
raised (CHINHTHONG_REPORT_RATE_LIMIT and CHINHTHONG_PUBLIC_RATE_LIMIT: all clients are one
address). No task worker runs, so the captures each report queues stay queued (they are counted,
not run) and nothing goes out to the internet; the links are on hosts under `.example` besides,
which a capture would refuse.

Each client is a thread with its own httpx client, taking the next report from a shared list:
POST /api/v1/reports (the API; the public form at /bao-tin-gia/ calls the same
`intake.submit`, behind a CSRF token), each a distinct Vietnamese claim with one or two links,
and every 4th as multipart with a distinct small PNG screenshot. Then, with the server stopped,
the SQLite file is read directly: exactly one Report per request, each tracking code answered
present once, each claim (its SHA-256) stored once, each report's links, each screenshot's
SHA-256 as Evidence.sha256 of its own report, and each evidence file on disk hashing to its
name. The reference: the same clients POSTing as many times to /bench/trivial (bench_urls.py),
before and after the reports. PASS when all answered 201 and all were stored exactly once.
"""

import argparse
import hashlib
import io
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from PIL import Image

from chinhthong.config.cli import web_command

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_check import free_port, server_cpu, wait

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

# Claims: drawn from several vocabularies so that most are different rumours (as a day's reports
# are), each made distinct by its details; some share a subject, which matching may join.
WHO = [
    "Bộ Y tế",
    "UBND tỉnh Quảng Ninh",
    "Công an thành phố Hạ Long",
    "Sở Giáo dục và Đào tạo",
    "Ngân hàng Nhà nước",
    "Bảo hiểm xã hội Việt Nam",
    "Cục Cảnh sát giao thông",
    "Tổng cục Thuế",
    "EVN Quảng Ninh",
    "Sở Tài nguyên và Môi trường",
    "Ban quản lý vịnh Hạ Long",
    "Trung tâm kiểm soát bệnh tật",
]
WHAT = [
    "sẽ phong tỏa toàn bộ {place} từ {hour} giờ tối nay",
    "yêu cầu người dân chuyển {money} triệu đồng để nhận hỗ trợ",
    "thông báo cắt điện {place} trong {days} ngày liền",
    "cho học sinh {place} nghỉ học đến hết tháng {month}",
    "phát tiền hỗ trợ {money} triệu cho mỗi hộ gia đình ở {place}",
    "xử phạt {money} triệu đồng người không cài ứng dụng mới",
    "đóng cửa cầu Bãi Cháy trong {days} ngày để sửa chữa",
    "bắt giữ {days} cán bộ ở {place} vì nhận hối lộ",
    "thu hồi toàn bộ giấy phép lái xe cấp trước tháng {month}",
    "cảnh báo nước máy ở {place} bị nhiễm độc, không được uống",
    "tăng học phí gấp {days} lần từ tháng {month}",
    "mở đăng ký nhận gạo miễn phí qua đường link, hạn chót {hour} giờ",
]
PLACES = [
    "phường Hồng Gai",
    "thị xã Quảng Yên",
    "huyện Vân Đồn",
    "thành phố Cẩm Phả",
    "huyện Tiên Yên",
    "thành phố Móng Cái",
    "thị xã Đông Triều",
    "huyện Cô Tô",
    "phường Bãi Cháy",
    "huyện Ba Chẽ",
]
TAIL = [
    "Mọi người chia sẻ gấp!!!",
    "Nghe nói tin này có từ nhóm Zalo của phường.",
    "Bài đăng đã có hàng nghìn lượt chia sẻ.",
    "Có ảnh chụp văn bản đóng dấu đỏ kèm theo.",
    "Ai biết thật hay giả không ạ?",
    "Tài khoản đăng bài mới lập tuần trước.",
    "Trang này còn bán hàng online.",
]
HOSTS = ["facebook-tin.example", "zalo-nhom.example", "tiktok-video.example", "baomoi-gia.invalid"]


def claim(i: int) -> str:
    rng = random.Random(i)
    what = rng.choice(WHAT).format(
        place=rng.choice(PLACES),
        hour=rng.randint(6, 23),
        money=rng.randint(1, 90),
        days=rng.randint(2, 15),
        month=rng.randint(1, 12),
    )
    return (
        f"Có tin đồn {rng.choice(WHO)} {what}. {rng.choice(TAIL)} "
        f"(thấy lúc {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}, mã bài {i:05d})"
    )


def screenshot(i: int) -> bytes:
    """A small PNG of noise seeded by i: each different, by bytes and by perceptual hash."""
    rng = random.Random(1_000_000 + i)
    image = Image.frombytes("RGB", (96, 64), rng.randbytes(96 * 64 * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def reports(count: int, every: int) -> list[dict]:
    out = []
    for i in range(count):
        links = [f"https://{HOSTS[i % len(HOSTS)]}/bai-viet/{i}?ref=share"]
        if i % 3 == 0:
            links.append(f"https://{HOSTS[(i + 1) % len(HOSTS)]}/chia-se/{i}")
        document = {
            "links": links,
            "claim": claim(i),
            "seen_at": f"2026-12-0{1 + i % 4}T{i % 24:02d}:{i % 60:02d}:00+07:00",
        }
        if i % 5 == 0:
            document["contact"] = f"nguoidan{i}@example.com"
        out.append({"document": document, "png": screenshot(i) if i % every == every - 1 else None})
    return out


def drive(base: str, path: str, jobs: list, clients: int, send) -> tuple[list, float]:
    """`clients` threads, each with its own connection, taking jobs in turn; (results, seconds).
    A result is (index, status, latency in seconds, body)."""
    results: list = [None] * len(jobs)
    position = iter(range(len(jobs)))
    lock = threading.Lock()

    def client():
        with httpx.Client(base_url=base, timeout=120) as http:
            while True:
                with lock:
                    index = next(position, None)
                if index is None:
                    return
                started = time.perf_counter()
                try:
                    response = send(http, path, jobs[index])
                    status, body = response.status_code, response.content
                except httpx.HTTPError as exc:
                    status, body = 0, repr(exc).encode()
                results[index] = (index, status, time.perf_counter() - started, body)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def send_report(http: httpx.Client, path: str, job: dict) -> httpx.Response:
    text = json.dumps(job["document"], ensure_ascii=False)
    if job["png"] is None:
        return http.post(path, content=text.encode(), headers={"Content-Type": "application/json"})
    return http.post(
        path,
        data={"report": text},
        files={"screenshots": ("man-hinh.png", job["png"], "image/png")},
    )


def send_trivial(http: httpx.Client, path: str, _job) -> httpx.Response:
    return http.post(path, content=b"{}", headers={"Content-Type": "application/json"})


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def figures(results: list, seconds: float, cpu: float) -> dict:
    latencies = [r[2] * 1000 for r in results]
    statuses = Counter(r[1] for r in results)
    return {
        "requests": len(results),
        "seconds": seconds,
        "rps": len(results) / seconds,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "cpu_ms": cpu / len(results) * 1000,
        "statuses": dict(sorted(statuses.items())),
    }


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(database: Path, evidence_dir: Path, jobs: list, results: list) -> list[str]:
    """What is wrong with what was stored (empty when every report is there exactly once)."""
    problems = []
    codes = {}
    for index, status, _latency, body in results:
        if status == 201:
            codes[index] = json.loads(body)["tracking_code"]
    if len(set(codes.values())) != len(codes):
        problems.append("the server answered the same tracking code twice")
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    rows = db.execute("SELECT id, tracking_code, claim FROM reports_report").fetchall()
    if len(rows) != len(jobs):
        problems.append(f"{len(rows)} Report rows for {len(jobs)} submissions")
    by_code = Counter(code for _pk, code, _claim in rows)
    pk_of = {code: pk for pk, code, _claim in rows}
    missing = [c for c in codes.values() if by_code[c] == 0]
    twice = [c for c, n in by_code.items() if n > 1]
    unknown = set(by_code) - set(codes.values())
    if missing:
        problems.append(f"{len(missing)} tracking codes answered but not stored, e.g. {missing[0]}")
    if twice:
        problems.append(f"{len(twice)} tracking codes stored more than once")
    if unknown:
        problems.append(f"{len(unknown)} stored reports whose code no client was given")
    stored_claims = Counter(sha(text.encode()) for _pk, _code, text in rows)
    sent_claims = Counter(sha(job["document"]["claim"].encode()) for job in jobs)
    if stored_claims != sent_claims or max(stored_claims.values(), default=0) > 1:
        lost = sum((sent_claims - stored_claims).values())
        extra = sum((stored_claims - sent_claims).values())
        problems.append(f"claims: {lost} sent but not stored, {extra} stored but not sent")
    # Each report's claim and links are the ones its client sent.
    claim_of = {code: text for _pk, code, text in rows}
    links_of: dict[int, set] = {}
    for report_id, url in db.execute("SELECT report_id, url FROM reports_reportlink"):
        links_of.setdefault(report_id, set()).add(url)
    wrong_claim = wrong_links = 0
    for index, code in codes.items():
        document = jobs[index]["document"]
        if code in claim_of and claim_of[code] != document["claim"]:
            wrong_claim += 1
        if code in pk_of and links_of.get(pk_of[code], set()) != set(document["links"]):
            wrong_links += 1
    if wrong_claim or wrong_links:
        problems.append(f"{wrong_claim} reports with another claim, {wrong_links} with other links")
    # Screenshots: each one's SHA-256 is the evidence of its own report, once; files intact.
    evidence = db.execute(
        "SELECT report_id, sha256, shown_sha256 FROM reports_evidence WHERE kind = 'screenshot'"
    ).fetchall()
    stored_shots = Counter((report_id, digest) for report_id, digest, _shown in evidence)
    sent_shots = Counter(
        (pk_of.get(codes.get(i)), sha(job["png"])) for i, job in enumerate(jobs) if job["png"]
    )
    if stored_shots != sent_shots:
        lost = sum((sent_shots - stored_shots).values())
        extra = sum((stored_shots - sent_shots).values())
        problems.append(f"screenshots: {lost} sent but not stored, {extra} stored but not sent")
    files = {d for _r, digest, shown in evidence for d in (digest, shown) if d}
    damaged = 0
    for digest in files:
        path = evidence_dir / digest[:2] / digest[2:4] / digest
        if not path.is_file() or sha(path.read_bytes()) != digest:
            damaged += 1
    if damaged:
        problems.append(f"{damaged} evidence files missing or not matching their hash")
    db.close()
    return problems


def counts(database: Path) -> dict:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    table = one("SELECT name FROM sqlite_master WHERE name LIKE '%dbtaskresult'")
    queued = f"SELECT count(*) FROM {table} WHERE task_path LIKE '%capture_link' AND status"  # noqa: S608
    out = {
        "reports": one("SELECT count(*) FROM reports_report"),
        "cases": one("SELECT count(*) FROM reports_case"),
        "links": one("SELECT count(*) FROM reports_reportlink"),
        "screenshots": one("SELECT count(*) FROM reports_evidence WHERE kind = 'screenshot'"),
        "custody": one("SELECT count(*) FROM reports_custodyentry"),
        "captures_queued": one(f"{queued} = 'READY'"),
        "captures_done": one(f"{queued} != 'READY'"),
    }
    db.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--screenshot-every", type=int, default=4)
    args = parser.parse_args()
    jobs = reports(args.reports, args.screenshot_every)
    shots = [sha(job["png"]) for job in jobs if job["png"]]
    assert len(set(shots)) == len(shots), "screenshots must differ"
    assert len({job["document"]["claim"] for job in jobs}) == len(jobs), "claims must differ"
    with tempfile.TemporaryDirectory(prefix="chinhthong-reports-") as tmp:
        tmp = Path(tmp)
        var = tmp / "var"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("CHINHTHONG_") and k not in ("REDIS_URL", "DATABASE_URL")
        }
        env.update(
            CHINHTHONG_VAR_DIR=str(var),
            CHINHTHONG_TASK_BACKEND="db",  # `serve`'s default here; no worker: captures stay queued
            CHINHTHONG_PUBLIC_RATE_LIMIT="100000000/m",
            CHINHTHONG_REPORT_RATE_LIMIT="100000000/m",
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
            sys.exit(f"setup failed: {exc.stderr.decode()[-2000:]}")
        port = free_port()
        log = (tmp / "server.log").open("wb")
        server = subprocess.Popen(
            web_command("127.0.0.1", port, 2), env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        runs = {}
        try:
            wait(f"{base}/bench/trivial", b"{}")
            # Warm both workers without storing a report: status look-ups (404) load the app.
            with httpx.Client(base_url=base) as http:
                for _ in range(50):
                    http.get("/api/v1/reports/KHONGCO")
                    http.post("/bench/trivial", content=b"{}")
            for name, path, send in (
                ("trivial (before)", "/bench/trivial", send_trivial),
                ("reports", "/api/v1/reports", send_report),
                ("trivial (after)", "/bench/trivial", send_trivial),
            ):
                before, mine = server_cpu(server.pid), time.process_time()
                results, seconds = drive(base, path, jobs, args.clients, send)
                runs[name] = (
                    results,
                    figures(results, seconds, server_cpu(server.pid) - before),
                    (time.process_time() - mine) / len(jobs) * 1000,
                )
        finally:
            server.terminate()
            server.wait()
            log.close()
        errors = [
            line
            for line in (tmp / "server.log").read_text(errors="replace").splitlines()
            if "Not Found: /api/v1/reports/KHONGCO" not in line
        ]
        database = var / "chinhthong.sqlite3"
        results = runs["reports"][0]
        problems = verify(database, var / "evidence", jobs, results)
        stored = counts(database)
    with_png = sum(1 for job in jobs if job["png"])
    print(
        f"{args.reports} reports ({with_png} with a PNG screenshot, multipart), "
        f"{args.clients} concurrent clients, 2 server workers, SQLite + database task queue\n"
    )
    print(
        f"{'endpoint':32} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'CPU ms/req':>10} {'client CPU':>10} {'wall s':>7}  answers"
    )
    for name, (_results, row, client_cpu) in runs.items():
        title = "POST /api/v1/reports" if name == "reports" else f"{name} /bench/trivial"
        print(
            f"{title:32} {row['rps']:7.1f} {row['p50']:7.1f} {row['p95']:7.1f} {row['p99']:7.1f} "
            f"{row['max']:7.0f} {row['cpu_ms']:10.2f} {client_cpu:10.2f} {row['seconds']:7.1f}  "
            f"{row['statuses']}"
        )
    reports_run = runs["reports"][0]
    for title, chosen in (
        ("  of which JSON", [r for r in reports_run if jobs[r[0]]["png"] is None]),
        ("  of which multipart + PNG", [r for r in reports_run if jobs[r[0]]["png"] is not None]),
    ):
        latencies = [r[2] * 1000 for r in chosen]
        print(
            f"{title:32} {'':7} {statistics.median(latencies):7.1f} "
            f"{percentile(latencies, 0.95):7.1f} {percentile(latencies, 0.99):7.1f} "
            f"{max(latencies):7.0f}"
        )
    print(
        "CPU ms/req: user + system time of the server's processes over the run, per request; "
        f"client CPU: the same of this process (the {args.clients} clients), per request"
    )
    print("\nstored: " + ", ".join(f"{k} {v}" for k, v in stored.items()))
    failures = sum(n for status, n in runs["reports"][1]["statuses"].items() if status != 201)
    for status, n in runs["reports"][1]["statuses"].items():
        if status == 429:
            print(f"  {n} × 429: the limits were not raised (a failure of the set-up)")
        elif status >= 500 or status == 0:
            print(f"  {n} × {status or 'no answer'}: a failure of the system")
    for problem in problems:
        print(f"  {problem}")
    if errors:
        print(f"\nthe server's log ({len(errors)} lines), its end:\n" + "\n".join(errors[-20:]))
    ok = not problems and not failures and stored["reports"] == args.reports
    print(
        f"\n{args.reports:,} submissions stored exactly once, none lost: "
        f"{'PASS' if ok else 'FAIL'} — p95 {runs['reports'][1]['p95']:.0f} ms "
        f"(trivial view: {runs['trivial (before)'][1]['p95']:.0f} ms)"
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
