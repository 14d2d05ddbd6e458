"""The province dashboard over 30,000 staff × 90 days of events: how long the whole page takes
(GET /cong-chuc/don-vi/<province>/ through Django's test Client: URL resolution, every
middleware, the session and the user, the queries, the template and its SVG charts).

    python bench/dashboard.py                  # 30,000 staff, 90 days, fresh SQLite
    python bench/dashboard.py --staff 3000     # quick run
    python bench/dashboard.py --profile        # also cProfile one render
    scripts/with-postgres .venv/bin/python bench/dashboard.py     # PostgreSQL

The data is BENCH DATA, not fixtures: made up here and written with bulk inserts (executemany
on SQLite, COPY on PostgreSQL), bypassing the services on purpose — the services write one
event at a time, and ~8 million rows through them would take hours. Tests build their data
through the services (tests/reach/factories.py). The shape:
- units: a province → 13 cities/districts (each with 10 offices) and 20 departments (each with
  3 offices) → ~170 communes/wards (each with 3 offices): levels are only data here too;
- staff spread over the units, each with a habit (opens the portal on 95 %, 75 %, 40 % or 0 %
  of days), an email for 95 %, a Zalo account for 15 %, web push for 20 %;
- 100 bulletins over the 90 days (1 in 10 urgent, 1 in 10 for one district only): reads
  (most within 24 hours), shares by 15 % of readers, 0–5 visits per share;
- Delivery rows as delivery/services.py makes them: every bulletin on the portal for everyone
  it is for (delivered when made), a daily digest by email to everyone with an address, urgent
  bulletins at once by email, web push and Zalo (97 % delivered);
- the app declared by 85 % of people who use the portal, confirmed by a manager for half;
- the roster's history (reach/roster_history.py reads it): everyone imported a month before the
  period, then, over the period, 1 % added (they owe no read of what came out before them),
  0.5 % moved from another unit and 2 % edited (a phone number).

Then the tallies (reach/tallies.py) are made as the hourly task makes them (timed: it is the
nightly batch), and the page is asked for, after a warm-up, --runs times per case; the median
and 95th percentile are printed with references measured in the same run: a trivial view
through the same middleware with the same logged-in session (bench/bench_urls.py), and one
`SELECT COUNT(*)` over the events table. Budget from the issue: ≤ 500 ms.
"""

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BUDGET_MS = 500.0


def setup_django(args) -> Path:
    tmp = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    os.environ["CHINHTHONG_VAR_DIR"] = str(tmp)
    url = args.database_url or f"sqlite:///{tmp / 'chinhthong.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["CHINHTHONG_PUBLIC_RATE_LIMIT"] = "1000000/m"
    os.environ["CHINHTHONG_TASK_BACKEND"] = "immediate"
    os.environ["CHINHTHONG_STATICFILES_STORAGE"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_site"
    sys.path[:0] = [str(ROOT / "src"), str(BENCH)]
    if url.startswith("postgres"):
        create_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    print(f"(migrated in {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return tmp


def create_database(url: str) -> None:
    """scripts/with-postgres names a database it does not create."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# --- writing rows fast ---------------------------------------------------------------------------
class Table:
    """Rows of one model written in bulk: the columns given, every other column at its
    default, prepared once."""

    def __init__(self, model, columns: list[str], *, batch: int = 50_000):
        from django.db import connection

        self.connection = connection
        self.model = model
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.given = columns
        self.fixed = {}
        for f in fields:
            if f.column in columns:
                continue
            value = f.get_default()
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = NOW_DB
            elif value is not None:
                value = f.get_db_prep_save(value, connection)
            self.fixed[f.column] = value
        self.columns = [*columns, *self.fixed]
        self.tail = tuple(self.fixed.values())
        self.rows: list[tuple] = []
        self.batch = batch
        self.count = 0

    def add(self, *values) -> None:
        self.rows.append(values + self.tail)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.model._meta.db_table
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                names = ", ".join(f'"{c}"' for c in self.columns)
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                names = ", ".join(f'"{c}"' for c in self.columns)
                marks = ", ".join(["%s"] * len(self.columns))
                insert = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 (model names)
                cursor.executemany(insert, self.rows)
        self.count += len(self.rows)
        self.rows = []


NOW_DB = None  # set in generate()


def when(value: dt.datetime):
    """A datetime as the database takes it in bulk (UTC)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return value
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# --- the organisation ----------------------------------------------------------------------------
def make_units(rng) -> list[tuple[int, str, int | None, str]]:
    """(id, code, parent id, path) of every unit, made by hand with explicit ids."""
    units: list[tuple[int, str, int | None, str]] = []

    def add(code: str, parent: tuple | None) -> tuple:
        pk = len(units) + 1
        path = (parent[3] if parent else "/") + f"{pk}/"
        unit = (pk, code, parent[0] if parent else None, path)
        units.append(unit)
        return unit

    province = add("QN", None)
    for d in range(20):
        department = add(f"QN-SO{d:02d}", province)
        for o in range(3):
            add(f"QN-SO{d:02d}-P{o}", department)
    communes = [13 + (1 if n < 1 else 0) for n in range(13)]  # 170 communes and wards
    for d, count in enumerate(communes):
        district = add(f"QN-H{d:02d}", province)
        for o in range(10):
            add(f"QN-H{d:02d}-P{o}", district)
        for c in range(count):
            commune = add(f"QN-H{d:02d}-X{c:02d}", district)
            for o in range(3):
                add(f"QN-H{d:02d}-X{c:02d}-P{o}", commune)
    return units


HABITS = [(0.95, 0.55), (0.75, 0.25), (0.40, 0.12), (0.0, 0.08)]  # (share of days, of people)


def generate(args, rng) -> dict:
    global NOW_DB
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from chinhthong.accounts import roles
    from chinhthong.accounts import services as accounts
    from chinhthong.bulletins.models import Bulletin, BulletinVersion
    from chinhthong.delivery.models import Delivery
    from chinhthong.reach import organisation
    from chinhthong.reach.events import local_day
    from chinhthong.reach.models import ReachEvent, StaffMember, Unit

    now = timezone.now()
    NOW_DB = when(now)
    today = local_day(now)
    first = today - dt.timedelta(days=args.days - 1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    started = time.perf_counter()
    counts: dict[str, int] = {}
    with transaction.atomic():
        # Units: a real one through the service (so the sequence and the code path are real),
        # the rest in bulk with explicit paths.
        units = make_units(rng)
        table = Table(Unit, ["id", "code", "name", "parent_id", "path"])
        for pk, code, parent, path in units:
            table.add(pk, code, f"Đơn vị {code}", parent, path)
        table.flush()
        counts["units"] = len(units)
        leaf_weights = [(u[0], u[3]) for u in units]
        staff_units = rng.choices([u[0] for u in leaf_weights], k=args.staff)
        paths = {u[0]: u[3] for u in units}

        table = Table(StaffMember, ["id", "name", "unit_id", "category", "email", "share_code"])
        habit, has_email = [], []
        for n in range(args.staff):
            email = f"cb{n}@quangninh.gov.vn" if rng.random() < 0.95 else ""
            has_email.append(bool(email))
            table.add(n + 1, f"Cán bộ số {n}", staff_units[n], "CC", email, f"s{n:07d}")
            habit.append(rng.choices([h for h, _ in HABITS], [w for _, w in HABITS])[0])
        table.flush()
        counts["staff"] = args.staff

        # Bulletins in time order.
        table = Table(
            Bulletin, ["id", "slug", "status", "urgency", "whole_province", "published_at"]
        )
        versions = Table(
            BulletinVersion, ["bulletin_id", "number", "title", "body_markdown", "body_html"]
        )
        bulletins = []
        span = (now - start).total_seconds()
        times = sorted(
            start + dt.timedelta(seconds=rng.uniform(0, span - 3600)) for _ in range(args.bulletins)
        )
        districts = [u for u in units if u[1].count("-") == 1 and "-H" in u[1]]
        for n, published in enumerate(times, start=1):
            urgent = n % 10 == 3
            audience = rng.choice(districts) if n % 10 == 7 else None
            table.add(
                n,
                f"ban-tin-{n}",
                "published",
                "urgent" if urgent else "normal",
                audience is None,
                when(published),
            )
            versions.add(n, 1, f"Bản tin số {n}", "Nội dung.", "<p>Nội dung.</p>")
            bulletins.append((n, published, urgent, audience))
        table.flush()
        versions.flush()
        audience_rows = [(b[0], b[3][0]) for b in bulletins if b[3]]
        with connection.cursor() as cursor:
            through = Bulletin.audience.through._meta.db_table
            insert = f'INSERT INTO "{through}" (bulletin_id, unit_id) VALUES (%s, %s)'  # noqa: S608
            cursor.executemany(insert, audience_rows)
        counts["bulletins"] = len(bulletins)
        # Sequences after explicit ids (PostgreSQL).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Unit, StaffMember, Bulletin):
                    t = model._meta.db_table
                    top = f'(SELECT MAX(id) FROM "{t}")'  # noqa: S608 (a model's table)
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{t}\"', 'id'), {top})")

    events = Table(
        ReachEvent, ["staff_id", "unit_id", "kind", "bulletin_id", "version", "via", "at", "day"]
    )
    deliveries = Table(
        Delivery,
        [
            "staff_id",
            "channel",
            "kind",
            "key",
            "bulletin_id",
            "version",
            "status",
            "attempts",
            "created_at",
            "sent_at",
            "delivered_at",
        ],
    )
    webpush = [rng.random() < 0.20 for _ in range(args.staff)]
    zalo = [rng.random() < 0.15 for _ in range(args.staff)]
    ids = range(args.staff)

    def local(day: dt.date, hour: float) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min)) + dt.timedelta(hours=hour)

    def status() -> str:
        r = rng.random()
        return (
            "delivered" if r < 0.97 else ("permanent-failure" if r < 0.98 else "temporary-failure")
        )

    by_day: dict[dt.date, list] = {}
    for bulletin in bulletins:
        by_day.setdefault(local_day(bulletin[1]), []).append(bulletin)
    with transaction.atomic():
        for offset in range(args.days):
            day = first + dt.timedelta(days=offset)
            # The day's portal visits.
            for s in ids:
                if habit[s] and rng.random() < habit[s]:
                    at = local(day, rng.uniform(7, 17))
                    if at <= now:
                        events.add(
                            s + 1,
                            staff_units[s],
                            "access",
                            None,
                            None,
                            "",
                            when(at),
                            day.isoformat(),
                        )
            # The day's digest, in the morning, to everyone with an address.
            digest_at = local(day, 6.5)
            if digest_at <= now:
                for s in ids:
                    if has_email[s]:
                        st = status()
                        delivered = (
                            when(digest_at + dt.timedelta(seconds=rng.uniform(1, 600)))
                            if st == "delivered"
                            else None
                        )
                        deliveries.add(
                            s + 1,
                            "email",
                            "digest",
                            f"digest:{day.isoformat()}",
                            None,
                            None,
                            st,
                            1,
                            when(digest_at),
                            delivered,
                            delivered,
                        )
            # The day's bulletins: who read, shared, and the visits the shares brought.
            for pk, published, urgent, audience in by_day.get(day, []):
                prefix = audience[3] if audience else "/"
                for s in ids:
                    if not paths[staff_units[s]].startswith(prefix):
                        continue
                    # The portal shows every bulletin at once (delivery/services.py fan_out).
                    deliveries.add(
                        s + 1,
                        "portal",
                        "bulletin",
                        f"bulletin:{pk}",
                        pk,
                        1,
                        "delivered",
                        0,
                        when(published),
                        when(published),
                        when(published),
                    )
                    if urgent:
                        for channel, has in (
                            ("email", has_email[s]),
                            ("webpush", webpush[s]),
                            ("zalo", zalo[s]),
                        ):
                            if has:
                                st = status()
                                delivered = (
                                    when(published + dt.timedelta(seconds=rng.uniform(1, 300)))
                                    if st == "delivered"
                                    else None
                                )
                                deliveries.add(
                                    s + 1,
                                    channel,
                                    "bulletin",
                                    f"bulletin:{pk}",
                                    pk,
                                    1,
                                    st,
                                    1,
                                    when(published),
                                    delivered,
                                    delivered,
                                )
                    if not habit[s] or rng.random() > min(
                        1.0, habit[s] * (1.05 if urgent else 0.9)
                    ):
                        continue
                    delay = rng.expovariate(1 / 5) if rng.random() < 0.75 else rng.uniform(24, 240)
                    read = published + dt.timedelta(hours=delay)
                    if read > now:
                        continue
                    events.add(
                        s + 1,
                        staff_units[s],
                        "read",
                        pk,
                        1,
                        rng.choice(["link", "portal", "button"]),
                        when(read),
                        local_day(read).isoformat(),
                    )
                    if rng.random() < 0.15:
                        shared = read + dt.timedelta(minutes=rng.uniform(1, 30))
                        if shared > now:
                            continue
                        events.add(
                            s + 1,
                            staff_units[s],
                            "shared",
                            pk,
                            None,
                            rng.choice(["zalo", "facebook", "copy"]),
                            when(shared),
                            local_day(shared).isoformat(),
                        )
                        for _ in range(rng.choices([0, 1, 2, 5], [50, 25, 15, 10])[0]):
                            visit = shared + dt.timedelta(hours=rng.uniform(0, 72))
                            if visit <= now:
                                events.add(
                                    s + 1,
                                    staff_units[s],
                                    "share_visit",
                                    pk,
                                    None,
                                    "",
                                    when(visit),
                                    local_day(visit).isoformat(),
                                )
        # The app, declared on a day of the period by most people who use the portal.
        for s in ids:
            if habit[s] and rng.random() < 0.85:
                on = first + dt.timedelta(days=rng.randrange(args.days))
                events.add(
                    s + 1,
                    staff_units[s],
                    "app_installed",
                    None,
                    None,
                    "",
                    when(local(on, 12)),
                    on.isoformat(),
                )
                if rng.random() < 0.5:
                    later = min(today, on + dt.timedelta(days=rng.randrange(0, 5)))
                    events.add(
                        s + 1,
                        staff_units[s],
                        "app_confirmed",
                        None,
                        None,
                        "manager",
                        when(min(now, local(later, 15))),
                        later.isoformat(),
                    )
        events.flush()
        deliveries.flush()
    counts["events"] = events.count
    counts["deliveries"] = deliveries.count
    counts["history"] = write_roster_history(rng, staff_units, [u[0] for u in units], start, now)
    with connection.cursor() as cursor:
        # What autovacuum does on PostgreSQL soon after a load (the visibility map lets index-only
        # scans skip the table); statistics on both.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    counts["seconds"] = time.perf_counter() - started

    # The manager of the province, through the services.
    manager = accounts.create_user("quanly-tinh", "mat-khau-bench-42", role=roles.STAFF)
    organisation.add_manager(Unit.objects.get(code="QN"), manager)
    counts["manager"] = manager.pk
    assert get_user_model().objects.filter(pk=manager.pk).exists()
    return counts


def write_roster_history(rng, staff_units, unit_ids, start, now) -> int:
    """The roster's history rows (simple-history's, as an import and later edits write them):
    see the module's docstring. Returns how many."""
    from django.db import transaction

    from chinhthong.reach.models import StaffMember

    history = Table(
        StaffMember.history.model,
        ["id", "name", "unit_id", "category", "history_date", "history_type", "active"],
    )
    imported = start - dt.timedelta(days=30)
    span = (now - start).total_seconds()

    def during() -> dt.datetime:
        return start + dt.timedelta(seconds=rng.uniform(0, span))

    with transaction.atomic():
        for n, unit_id in enumerate(staff_units):
            name, r = f"Cán bộ số {n}", rng.random()
            if r < 0.01:  # added during the period
                history.add(n + 1, name, unit_id, "CC", when(during()), "+", True)
                continue
            # Moved here from another unit during the period, or edited, or neither.
            before = rng.choice(unit_ids) if r < 0.015 else unit_id
            at = when(imported + dt.timedelta(seconds=n))
            history.add(n + 1, name, before, "CC", at, "+", True)
            if r < 0.035:
                history.add(n + 1, name, unit_id, "CC", when(during()), "~", True)
        history.flush()
    return history.count


def stored_counts() -> dict:
    """What a database kept by an earlier run (--keep, then --reuse DIR) holds."""
    from django.contrib.auth import get_user_model

    from chinhthong.bulletins.models import Bulletin
    from chinhthong.delivery.models import Delivery
    from chinhthong.reach.models import ReachEvent, StaffMember, Unit

    if not StaffMember.history.all().exists():  # kept by a run from before the history was written
        rng = random.Random(11)
        staff = StaffMember.objects.order_by("pk").values_list("unit_id", flat=True)
        first = Bulletin.objects.order_by("published_at").values_list("published_at", flat=True)
        now = Bulletin.objects.order_by("-published_at").values_list("published_at", flat=True)
        start = first[0] - dt.timedelta(hours=1)
        units = list(Unit.objects.values_list("pk", flat=True))
        write_roster_history(rng, list(staff), units, start, now[0] + dt.timedelta(hours=1))
    return {
        "units": Unit.objects.count(),
        "staff": StaffMember.objects.count(),
        "bulletins": Bulletin.objects.count(),
        "events": ReachEvent.objects.count(),
        "deliveries": Delivery.objects.count(),
        "manager": get_user_model().objects.get(username="quanly-tinh").pk,
    }


# --- timing ------------------------------------------------------------------------------------
def interleaved(cases, runs: int) -> list[tuple[str, list[float], list[float]]]:
    """Each case once after a warm-up, then ``runs`` rounds of every case in turn, so that a
    busy moment of the machine falls on all cases alike: (title, wall ms, this process's CPU ms)
    per run. On SQLite the CPU time is all the work (the database runs in the process); on
    PostgreSQL only Django's share of it."""
    for _title, fn in cases:
        fn()
    wall: dict[str, list[float]] = {title: [] for title, _fn in cases}
    cpu: dict[str, list[float]] = {title: [] for title, _fn in cases}
    for _ in range(runs):
        for title, fn in cases:
            started, processor = time.perf_counter(), time.process_time()
            fn()
            wall[title].append((time.perf_counter() - started) * 1000)
            cpu[title].append((time.process_time() - processor) * 1000)
    return [(title, wall[title], cpu[title]) for title, _fn in cases]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=30_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--bulletins", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    environment_url = os.environ.get("DATABASE_URL", "")
    parser.add_argument(
        "--database-url",
        default=environment_url if environment_url.startswith("postgres") else "",
        help="an EMPTY, disposable PostgreSQL database (default: DATABASE_URL when it names "
        "PostgreSQL, else a fresh SQLite database in a temporary directory)",
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile one render")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--reuse", metavar="DIR", help="the directory a --keep run left: its data, not new data"
    )
    args = parser.parse_args()
    tmp = setup_django(args)
    try:
        return run(args)
    finally:
        if not (args.keep or args.reuse):
            shutil.rmtree(tmp, ignore_errors=True)


def run(args) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from chinhthong.reach import tallies
    from chinhthong.reach.models import DayTally, ReadTally, TalliedBulletin, TalliedDay

    rng = random.Random(args.seed)
    counts = stored_counts() if args.reuse else generate(args, rng)
    vendor = f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.pg_version}"
    print(
        f"# Province dashboard — {counts['staff']:,} staff in {counts['units']:,} units, "
        f"{args.days} days, {counts['bulletins']} bulletins; {vendor}; Python {sys.version.split()[0]}"
    )
    made_in = f" in {counts['seconds']:.0f} s" if counts.get("seconds") else " (reused)"
    print(
        f"bench data (bulk insert, not timed as part of anything): {counts['events']:,} events, "
        f"{counts['deliveries']:,} deliveries{made_in}; load average "
        + " ".join(f"{n:.1f}" for n in os.getloadavg())
    )
    started = time.perf_counter()
    made = tallies.make_tallies()
    tally_s = time.perf_counter() - started
    print(
        f"tallies (the hourly task's first run: {made[0]} days, {made[1]} bulletins): {tally_s:.1f} s; "
        f"{DayTally.objects.count():,} day rows, {ReadTally.objects.count():,} read rows"
    )
    started = time.perf_counter()
    again = tallies.make_tallies()
    print(
        f"the task's next run (nothing due: {again}): {(time.perf_counter() - started) * 1000:.0f} ms"
    )

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(pk=counts["manager"]))
    page = "/cong-chuc/don-vi/QN/"

    def get(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return fetch

    def count_events():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM reach_reachevent")
            cursor.fetchone()

    size = len(get(page)().content)
    cases = [
        ("floor: trivial view, same middleware and session", get("/bench/trivial")),
        ("reference: `SELECT COUNT(*)` over the events table", count_events),
        ("province page, last 30 days (the default)", get(page)),
        ("province page, last 7 days", get(page + "?days=7")),
        ("province page, last 90 days", get(page + "?days=90")),
        ("province page, 90 days, one bulletin", get(page + "?days=90&bulletin=ban-tin-93")),
        ("one district's page, 30 days", get("/cong-chuc/don-vi/QN-H03/")),
        ("API: /api/v1/reach/units/QN, 30 days", get("/api/v1/reach/units/QN")),
    ]
    results = interleaved(cases, args.runs)
    # Without the tallies: everything from the events (what the page costs before the task's
    # first run, or on a day it could not run).
    TalliedDay.objects.all().delete()
    TalliedBulletin.objects.all().delete()
    results += interleaved(
        [
            ("province page, 30 days, no tallies (all from events)", get(page)),
            ("province page, 90 days, no tallies (all from events)", get(page + "?days=90")),
        ],
        3,
    )
    tallies.make_tallies()  # as the data was (for a later --reuse)

    print(
        f"\npage size {size / 1000:.0f} kB; {args.runs} rounds after a warm-up (3 without "
        "tallies); load average at the end " + " ".join(f"{n:.1f}" for n in os.getloadavg()) + "\n"
    )
    print("| case | median ms | p95 ms | min ms | CPU ms (median) | ≤ 500 ms |")
    print("|---|---:|---:|---:|---:|---|")
    for title, ms, cpu in results:
        met = statistics.median(ms) <= BUDGET_MS and p95(ms) <= BUDGET_MS
        verdict = ("**PASS**" if met else "**FAIL**") if "page" in title else "–"
        print(
            f"| {title} | {statistics.median(ms):.1f} | {p95(ms):.1f} | {min(ms):.1f} "
            f"| {statistics.median(cpu):.1f} | {verdict} |"
        )
    if args.profile:
        tallies.make_tallies()
        profiler = cProfile.Profile()
        profiler.enable()
        get(page + "?days=90")()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
