"""One urgent bulletin to 30,000 staff by email, through a local SMTP server, with a worker
killed halfway — beside a plain smtplib loop feeding the same server.

    python bench/bulletin_email.py                     # 30,000 staff: reference, (a), (b)
    python bench/bulletin_email.py --staff 3000        # a quick run
    python bench/bulletin_email.py --only embedded     # or: reference, postgres
    python bench/bulletin_email.py --no-kill           # no worker killed

The SMTP server is a process of its own (tests/delivery/smtp_server.py, aiosmtpd) that appends
one line per accepted recipient, "<Message-ID>\\t<recipient>", to a file: counts survive
whatever happens to the workers, and a message handed over twice shows as the same Message-ID
and recipient twice (each Delivery row has one stable Message-ID).

(a) the embedded defaults: SQLite under a fresh var/, the database task queue, one task worker
    and the scheduler started as `chinhthong serve` (`make run`) starts them
    (config/cli.py: worker_command, `chinhthong schedule`);
(b) PostgreSQL (scripts/with-postgres) and RQ on a throw-away redis-server, --rq-workers RQ
    workers.

Each run: set-up (`chinhthong setup`), the units and staff (not timed), then the bulletin is
published and the clock runs until the server has every recipient's message. When half of them
are in, one worker is killed with SIGKILL (its whole process group: an RQ worker's job runs in a
forked child) and started again. Then, after the leases have run out and the scheduler's sweep
has settled every row, the server's file is counted again: none duplicated (a Message-ID and
recipient twice), none lost (a recipient without a message), and the rows' statuses.

Reference in the same run: the same server fed by one process, a plain smtplib loop over one
connection, messages of the same size built with the standard library.
"""

import argparse
import contextlib
import json
import os
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.processes import free_port, redis_server, stop  # noqa: E402

PYTHON = sys.executable
SERVER = ROOT / "tests" / "delivery" / "smtp_server.py"
BUDGET = 120.0
DOMAIN = "canbo.example.vn"
SETTLE_SECONDS = 60  # after the last message: leases run out, the sweep settles rows
STALL_SECONDS = 90  # no new message for this long (leases and sweeps included): the rest is lost


def address(n: int) -> str:
    return f"cb{n:05d}@{DOMAIN}"


# --- the SMTP server and its file ---------------------------------------------------------------
class Server:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.out = workdir / f"smtp-{self.port}.txt"
        self.out.touch()
        self.process = subprocess.Popen(
            [PYTHON, str(SERVER), "--port", str(self.port), "--out", str(self.out)],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError(f"the SMTP server did not start: {line!r}")
        self._read = 0
        self.pairs: Counter = Counter()

    def poll(self) -> int:
        """Read what arrived since the last call; the number of distinct recipients."""
        with open(self.out, encoding="utf-8") as stream:
            stream.seek(self._read)
            chunk = stream.read()
        complete = chunk[: chunk.rfind("\n") + 1]
        self._read += len(complete.encode("utf-8"))
        for line in complete.splitlines():
            message_id, _tab, recipient = line.partition("\t")
            self.pairs[(message_id, recipient)] += 1
        return len({r for _m, r in self.pairs})

    def stop(self) -> None:
        stop(self.process)

    def tally(self, expected: int) -> dict:
        self.poll()
        recipients = Counter(r for (_m, r), n in self.pairs.items() for _k in range(n))
        wanted = {address(n) for n in range(expected)}
        return {
            "lines": sum(self.pairs.values()),
            "distinct": len(self.pairs),
            "duplicated": sum(n - 1 for n in self.pairs.values()),
            "recipients_twice": sum(1 for n in recipients.values() if n > 1),
            "lost": len(wanted - set(recipients)),
            "unexpected": len(set(recipients) - wanted),
        }


# --- reference: a plain smtplib loop ---------------------------------------------------------------
def reference(count: int, workdir: Path) -> dict:
    server = Server(workdir)
    text = "Kính gửi Cán bộ,\n\nCẢNH BÁO cuộc gọi giả danh công an yêu cầu chuyển tiền.\n" * 8
    html = "<p>" + text.replace("\n", "<br>\n") + "</p>"
    try:
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", server.port) as smtp:
            for n in range(count):
                message = EmailMessage()
                message["From"] = "bantin@quangninh.gov.vn"
                message["To"] = address(n)
                message["Subject"] = "[KHẨN] Cảnh báo cuộc gọi giả danh công an"
                message["Message-ID"] = f"<ref.{n}@quangninh.gov.vn>"
                message.set_content(text)
                message.add_alternative(html, subtype="html")
                body = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
                smtp.sendmail("bantin@quangninh.gov.vn", [address(n)], body)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "per_second": count / seconds, **server.tally(count)}
    finally:
        server.stop()


# --- the application's processes -------------------------------------------------------------------
def app_env(var: Path, smtp_port: int, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHINHTHONG_", "DJANGO_"))}
    env.update(
        CHINHTHONG_VAR_DIR=str(var),
        CHINHTHONG_INSTALLATION_FILE=str(var.parent / "installation.json"),
        CHINHTHONG_ADMIN_PASSWORD="quan-tri-bench-123",
        CHINHTHONG_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}?starttls=no",
        CHINHTHONG_MAIL_FROM="bantin@quangninh.gov.vn",
        CHINHTHONG_PUBLIC_URL="https://congchuc.example.vn",
        CHINHTHONG_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="chinhthong.config.settings",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{var / 'chinhthong.sqlite3'}")
    env.update(extra)
    return env


def chinhthong(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "-m", "chinhthong", *args], env=env, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"chinhthong {' '.join(args)}: {done.stderr[-3000:]}")
    return done.stdout


def this_script(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, __file__, *args], env=env, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args}: {done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def start(env: dict, command: list[str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as output:
        return subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, in whatever group or session it put itself (an RQ
    worker's job runs in a forked child of its own process group)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path("/proc", entry, "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rpartition(")")[2].split()[1]), []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def kill(process: subprocess.Popen) -> int:
    """SIGKILL to the worker and everything it started, at once; how many processes."""
    below = descendants(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    for pid in below:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()
    return 1 + len(below)


def run_part(
    name: str, count: int, workdir: Path, kill_one: bool, extra: dict, workers: int = 1
) -> dict:
    from chinhthong.config.cli import worker_command

    server = Server(workdir)
    var = workdir / f"var-{name}"
    env = app_env(var, server.port, **extra)
    backend = "rq" if env.get("REDIS_URL") else "db"
    processes: list[subprocess.Popen] = []
    result: dict = {"part": name, "staff": count, "workers": workers, "backend": backend}
    try:
        chinhthong(env, "setup", "--no-static")
        started = time.perf_counter()
        this_script(env, "--populate", str(count))
        result["populate_seconds"] = time.perf_counter() - started
        command = worker_command(backend)
        processes = [
            start(env, command, workdir / f"{name}-worker-{n}.log") for n in range(workers)
        ]
        scheduler = start(
            env, [PYTHON, "-m", "chinhthong", "schedule"], workdir / f"{name}-schedule.log"
        )
        time.sleep(3)  # the workers are up and polling, as on a running installation
        result["load_before"] = os.getloadavg()[0]
        t0 = float(this_script(env, "--publish"))
        killed_at, last_got, last_change = None, 0, time.time()
        while True:
            got = server.poll()
            now = time.time()
            if got != last_got:
                last_got, last_change = got, now
                result["last_message"] = now - t0
            if got and "first_message" not in result:
                result["first_message"] = now - t0
            if kill_one and killed_at is None and got >= count // 2:
                result["killed_processes"] = kill(processes[0])
                killed_at = now - t0
                processes[0] = start(env, command, workdir / f"{name}-worker-0.log")
                result["restarted_after"] = time.time() - now
            if got >= count:
                result["seconds"] = now - t0
                break
            if now - last_change > STALL_SECONDS or now - t0 > 900:
                result["seconds"] = None  # nothing more comes: the rest is lost
                break
            time.sleep(0.1)
        result["killed_at"] = killed_at
        result["load_after"] = os.getloadavg()[0]
        time.sleep(SETTLE_SECONDS)
        result["server"] = server.tally(count)
        result["rows"] = json.loads(this_script(env, "--statuses"))
        arrived = {r for (_m, r) in server.pairs}
        uncertain = result["rows"].pop("uncertain")
        result["uncertain"] = len(uncertain)
        result["uncertain_arrived"] = sum(1 for a in uncertain if a in arrived)
        processes.append(scheduler)
        return result
    finally:
        for process in processes:
            stop(process, grace=10)
        server.stop()


# --- inside the application (child processes with the run's environment) ----------------------
def django_setup() -> None:
    import django

    django.setup()


def populate(count: int) -> None:
    """Units (a province, 13 cities, 13 wards each) and ``count`` staff spread over them."""
    django_setup()
    from chinhthong.reach import organisation
    from chinhthong.reach.models import Category, StaffMember

    province = organisation.create_unit(code="QN", name="Tỉnh Quảng Ninh")
    wards = []
    for c in range(13):
        city = organisation.create_unit(code=f"TP{c}", name=f"Thành phố {c}", parent=province)
        for w in range(13):
            wards.append(
                organisation.create_unit(code=f"TP{c}-P{w}", name=f"Phường {w}", parent=city)
            )
    staff = [
        StaffMember(
            name=f"Cán bộ {n}",
            unit=wards[n % len(wards)],
            category=Category.CC,
            email=address(n),
            share_code=f"s{n:07d}",
        )
        for n in range(count)
    ]
    StaffMember.objects.bulk_create(staff, batch_size=2000)
    print(count)


def publish() -> None:
    django_setup()
    from chinhthong.bulletins import services
    from chinhthong.bulletins.models import Urgency

    draft = services.Draft(
        title="Cảnh báo cuộc gọi giả danh công an",
        summary="Không chuyển tiền theo yêu cầu qua điện thoại; gọi 113 khi nghi ngờ.",
        body_markdown="Các đối tượng giả danh **công an** gọi điện yêu cầu chuyển tiền.",
        urgency=Urgency.URGENT,
    )
    bulletin = services.create_draft(draft, actor=None)
    t0 = time.time()
    services.publish(bulletin, actor=None)
    print(t0)


def statuses() -> None:
    django_setup()
    from django.db.models import Count

    from chinhthong.delivery.models import Delivery

    email = Delivery.objects.filter(channel="email")
    rows = email.values("status").annotate(n=Count("pk"))
    # Settled by the sweep after the kill: accepted before it (certain), or the last one a
    # killed thread was handing over (uncertain: a technical failure, not resent).
    settled = email.filter(reason__startswith="Đã chuyển đi").count()
    uncertain = list(
        email.filter(status="technical-failure").values_list("staff__email", flat=True)
    )
    print(
        json.dumps(
            {
                **{r["status"]: r["n"] for r in rows},
                "settled_after_kill": settled,
                "uncertain": uncertain,
            }
        )
    )


# --- the whole run ----------------------------------------------------------------------------------
def postgres_part(count: int, kill_one: bool, workers: int) -> dict:
    """Runs inside scripts/with-postgres (DATABASE_URL set), with a redis-server of its own."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE bench_mail")
    with tempfile.TemporaryDirectory(prefix="bench-mail-pg-") as folder:
        workdir = Path(folder)
        with redis_server(workdir) as redis_url:
            extra = {"REDIS_URL": redis_url, "DATABASE_URL": url.rsplit("/", 1)[0] + "/bench_mail"}
            return run_part("postgres", count, workdir, kill_one, extra, workers)


def show(result: dict, reference_seconds: float | None) -> None:
    seconds = result.get("seconds")
    verdict = "met" if seconds is not None and seconds <= BUDGET else "NOT met"
    print(
        f"\n({result['part']}) {result['backend']} queue, {result['workers']} worker(s), "
        f"{result['staff']} staff"
    )
    print(
        f"  every message handed over in {seconds:.1f} s (budget {BUDGET:.0f} s: {verdict})"
        if seconds is not None
        else f"  NOT every message arrived: the last came {result['last_message']:.1f} s after "
        f"publication, then none for {STALL_SECONDS} s"
    )
    if reference_seconds:
        print(
            f"  reference smtplib loop: {reference_seconds:.1f} s "
            f"(×{seconds / reference_seconds:.2f})"
            if seconds
            else ""
        )
    if result.get("first_message") is not None:
        print(f"  first message after {result['first_message']:.1f} s (fan-out, queue)")
    print(f"  load average {result['load_before']:.1f} before, {result['load_after']:.1f} after")
    if result.get("killed_at") is not None:
        print(
            f"  a worker SIGKILLed at {result['killed_at']:.1f} s "
            f"({result['killed_processes']} processes), restarted"
        )
    server = result["server"]
    print(
        f"  at the server: {server['distinct']} distinct messages, "
        f"{server['duplicated']} duplicated, {server['lost']} lost, "
        f"{server['recipients_twice']} recipients with two messages"
    )
    print(f"  rows: {result['rows']}")
    print(
        f"  uncertain rows (the last a killed thread was handing over): {result['uncertain']}, "
        f"of which {result['uncertain_arrived']} arrived at the server"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=30_000)
    parser.add_argument("--only", choices=["reference", "embedded", "postgres"])
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--rq-workers", type=int, default=2)
    parser.add_argument("--populate", type=int)
    parser.add_argument("--publish", action="store_true")
    parser.add_argument("--statuses", action="store_true")
    parser.add_argument("--postgres-part", action="store_true")
    args = parser.parse_args()
    # Stopped by a signal, the run still stops the processes it started (its `finally`s).
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    if args.populate:
        return populate(args.populate)
    if args.publish:
        return publish()
    if args.statuses:
        return statuses()
    if args.postgres_part:
        print(json.dumps(postgres_part(args.staff, not args.no_kill, args.rq_workers)))
        return None
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-mail-") as folder:
        workdir = Path(folder)
        if args.only in (None, "reference"):
            results["reference"] = reference(args.staff, workdir)
            ref = results["reference"]
            print(
                f"reference: smtplib loop, one process, one connection: {args.staff} messages "
                f"in {ref['seconds']:.1f} s ({ref['per_second']:.0f}/s); "
                f"{ref['duplicated']} duplicated, {ref['lost']} lost"
            )
        ref_seconds = results.get("reference", {}).get("seconds")
        if args.only in (None, "embedded"):
            results["embedded"] = run_part("embedded", args.staff, workdir, not args.no_kill, {})
            show(results["embedded"], ref_seconds)
        if args.only in (None, "postgres"):
            command = [
                str(ROOT / "scripts" / "with-postgres"),
                PYTHON,
                __file__,
                "--postgres-part",
                "--staff",
                str(args.staff),
                "--rq-workers",
                str(args.rq_workers),
            ]
            if args.no_kill:
                command.append("--no-kill")
            done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-3000:])
            results["postgres"] = json.loads(done.stdout.strip().splitlines()[-1])
            show(results["postgres"], ref_seconds)
    failed = [
        name
        for name, r in results.items()
        if name != "reference"
        and (
            r.get("seconds") is None
            or r["seconds"] > BUDGET
            or r["server"]["duplicated"]
            or r["server"]["lost"]
        )
    ]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
