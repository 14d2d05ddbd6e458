"""Blocklist of 1,000,000 entries: how long ``load_blocklist()`` takes to read the live
blocklist from the database into the engine's dictionaries, and how much memory it keeps.

    python bench/blocklist_load.py                      # 1,000,000 entries, fresh SQLite
    python bench/blocklist_load.py --entries 100000     # quick run
    python bench/blocklist_load.py --profile            # also cProfile one load

PostgreSQL: ``--database-url postgres://…`` or DATABASE_URL naming PostgreSQL (an SQLite
DATABASE_URL is ignored: the default is always a fresh temporary SQLite database), e.g.

    scripts/with-postgres sh -c 'psql "${DATABASE_URL%/*}/postgres" -c "CREATE DATABASE
        chinhthong" && .venv/bin/python bench/blocklist_load.py'

A fresh SQLite database in a temporary directory (CHINHTHONG_VAR_DIR and DATABASE_URL set
before django.setup(), then ``migrate``); the entries are bench/synthetic.py's made-up
phishing links and hosts (60 % URLs, 40 % hosts, canonical, four sources), imported through
``chinhthong.checks.blocklists.import_entries`` one source at a time (timed, reported apart).
With ``--database-url`` the database must be an empty, disposable one: it is migrated and
filled, and the entries are deleted again at the end.

Every load runs in a NEW Python process (subprocess, not fork), pinned to one core, so its
memory is measured cleanly: RSS right before the call (Django set up, connection open), wall
time of the call, and ru_maxrss (peak RSS) after it. Each is repeated; the table shows the
median time and the largest peak.

Reference, measured in the same run the same way: the floor of reading the same rows —
``SELECT kind, value, source_id FROM checks_blocklistentry`` with a plain sqlite3 (or
psycopg) cursor, ``fetchall()`` into a list — and the same rows into two dictionaries as
``load_blocklist`` builds them, still without Django.

Budget from the issue: loaded in <= 5 s, <= 250 MB resident (MB = 10^6 bytes).
"""

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SETTINGS = "chinhthong.config.settings"
TABLE = "checks_blocklistentry"
BUDGET_SECONDS = 5.0
BUDGET_BYTES = 250 * 10**6
MB = 10**6
ALL_CPUS = frozenset(os.sched_getaffinity(0))


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_bytes() -> int:
    """ru_maxrss. Linux carries it over from the parent through fork/vfork + exec, which is why
    the process that starts the loads stays small (it never imports the data itself)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def hwm_bytes() -> int:
    """VmHWM: the peak RSS of this process's own address space (new at exec)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def sqlite_path(url: str) -> str | None:
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None


# --- children -----------------------------------------------------------------------------------
def child_load(args) -> dict:
    """load_blocklist() in this fresh process; then look-ups and a size breakdown."""
    import django

    django.setup()
    from django.db import connection

    from chinhthong.checks.engines import load_blocklist, packaged_document

    connection.ensure_connection()
    before = rss_bytes()
    profiler = cProfile.Profile() if args.profile else None
    cpu = time.process_time()
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    blocklist = load_blocklist()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak, hwm, after = peak_bytes(), hwm_bytes(), rss_bytes()
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(15)

    from chinhthong.verify.engine import Engine
    from chinhthong.verify.index import RegistryIndex

    engine = Engine(RegistryIndex.from_document(packaged_document()), blocklist)
    probe_url, probe_host = args.probe_url, args.probe_host
    lookups = {
        "url_source(listed URL)": blocklist.url_source(probe_url),
        "host_source(listed host)": blocklist.host_source(probe_host),
        "host_source(www.<listed host>)": blocklist.host_source("www." + probe_host),
        "url_source(unlisted URL)": blocklist.url_source("https://khong-co-trong-danh-sach.vn/"),
        "host_source(unlisted host)": blocklist.host_source("khong-co-trong-danh-sach.vn"),
        "engine.check_url(listed URL)": str(engine.check_url(probe_url).verdict),
        "engine.check_url(https://<listed host>/x)": str(
            engine.check_url(f"https://{probe_host}/x").verdict
        ),
    }
    tables = sys.getsizeof(blocklist.urls) + sys.getsizeof(blocklist.hosts)
    strings = sum(map(sys.getsizeof, blocklist.urls)) + sum(map(sys.getsizeof, blocklist.hosts))
    return {
        "seconds": seconds,
        "cpu": cpu,
        "before": before,
        "peak": peak,
        "hwm": hwm,
        "after": after,
        "entries": len(blocklist),
        "urls": len(blocklist.urls),
        "hosts": len(blocklist.hosts),
        "sources": blocklist.sources,
        "version": blocklist.version,
        "lookups": lookups,
        "tables": tables,
        "strings": strings,
    }


def _connect(url: str):
    path = sqlite_path(url)
    if path is not None:
        import sqlite3

        return sqlite3.connect(path)
    import psycopg

    return psycopg.connect(url)


def child_floor(args) -> dict:
    """The same rows with a plain DB-API cursor: into a list, or into two dicts."""
    connection = _connect(args.database_url)
    cursor = connection.cursor()
    cursor.execute("SELECT 1")
    cursor.fetchall()
    before = rss_bytes()
    cpu = time.process_time()
    start = time.perf_counter()
    cursor.execute(f"SELECT kind, value, source_id FROM {TABLE}")  # noqa: S608
    if args.child == "floor-list":
        rows = cursor.fetchall()
        count = len(rows)
    else:
        urls: dict[str, int] = {}
        hosts: dict[str, int] = {}
        while rows := cursor.fetchmany(50_000):
            for kind, value, source_id in rows:
                (urls if kind == "url" else hosts)[value] = source_id
        count = len(urls) + len(hosts)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu": time.process_time() - cpu,
        "before": before,
        "peak": peak_bytes(),
        "hwm": hwm_bytes(),
        "after": rss_bytes(),
        "entries": count,
    }


def run_child(mode: str, args, env: dict, extra: list[str] = ()) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--database-url",
        env["DATABASE_URL"],
        "--probe-url",
        args.probe_url,
        "--probe-host",
        args.probe_host,
        *extra,
    ]
    cpu = str(args.cpu)
    out = subprocess.run(
        ["taskset", "-c", cpu, *command], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{mode} child failed:\n{out.stderr}")
    if out.stderr.strip():
        print(out.stderr, file=sys.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- parent -------------------------------------------------------------------------------------
def import_all(entries: list[tuple[str, str, str]]) -> tuple[float, list[tuple[str, float, int]]]:
    from chinhthong.checks.blocklists import import_entries, source_named
    from chinhthong.verify import feeds

    by_source: dict[str, list[feeds.Entry]] = defaultdict(list)
    for kind, value, source in entries:
        by_source[source].append(feeds.Entry(kind, value))
    per_source = []
    start = time.perf_counter()
    for name, items in sorted(by_source.items()):
        began = time.perf_counter()
        summary = import_entries(source_named(name), items, replace=False)
        per_source.append((name, time.perf_counter() - began, summary.added))
    return time.perf_counter() - start, per_source


def child_import(args) -> dict:
    """migrate, generate, import (in a child, so the process that starts the loads stays
    small); the probes for the look-ups."""
    import django

    django.setup()
    import synthetic
    from django.core.management import call_command
    from django.db import connection

    from chinhthong.checks.models import BlocklistEntry

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - start
    if BlocklistEntry.objects.exists():
        raise SystemExit("the database already holds blocklist entries: give an empty one")
    start = time.perf_counter()
    data = synthetic.blocklist_data(args.entries)
    synthetic.check_canonical(data)
    t_generate = time.perf_counter() - start
    t_import, per_source = import_all(data.entries)
    with connection.cursor() as cursor:  # the plan of load_blocklist()'s query
        explain = "EXPLAIN QUERY PLAN" if connection.vendor == "sqlite" else "EXPLAIN"
        cursor.execute(
            f"{explain} SELECT kind, value, source_id FROM {TABLE} "  # noqa: S608
            "WHERE expires_at IS NULL OR expires_at > %s",
            ["2025-01-01 00:00:00"],
        )
        plan = "; ".join(str(row[-1]) for row in cursor.fetchall())
    result = {
        "vendor": connection.vendor,
        "plan": plan,
        "migrate": t_migrate,
        "generate": t_generate,
        "import": t_import,
        "per_source": per_source,
        "stored": BlocklistEntry.objects.count(),
        "peak": peak_bytes(),
        "probe_url": data.urls_by_host[data.url_hosts[len(data.url_hosts) // 2]][0],
        "probe_host": data.hosts[len(data.hosts) // 2],
    }
    connection.close()
    return result


def child_cleanup(args) -> dict:
    """Deletes the benchmark's sources (and so their entries) from a given database."""
    import django

    django.setup()
    from chinhthong.checks.models import BlocklistSource

    deleted, _ = BlocklistSource.objects.filter(name__in=args.sources.split(",")).delete()
    return {"deleted": deleted}


def fmt_mb(value: float) -> str:
    return f"{value / MB:,.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="loads per approach")
    parser.add_argument("--cpu", type=int, default=max(ALL_CPUS), help="core to pin loads to")
    environment_url = os.environ.get("DATABASE_URL", "")
    parser.add_argument(
        "--database-url",
        default=environment_url if environment_url.startswith(("postgres", "postgis")) else "",
        help="an EMPTY, disposable PostgreSQL database (default: DATABASE_URL when it names "
        "PostgreSQL, else a fresh SQLite database in a temporary directory)",
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile one load")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--child", choices=["import", "load", "floor-list", "floor-dicts", "cleanup"]
    )
    parser.add_argument("--probe-url", default="")
    parser.add_argument("--probe-host", default="")
    parser.add_argument("--sources", default="")
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(BENCH))
        run = {
            "import": child_import,
            "load": child_load,
            "floor-list": child_floor,
            "floor-dicts": child_floor,
            "cleanup": child_cleanup,
        }[args.child]
        print(json.dumps(run(args)))
        return 0

    # This process imports neither Django nor the data: it only starts children.
    tmp = Path(tempfile.mkdtemp(prefix="blocklist-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'chinhthong.sqlite3'}"
    env = {
        **os.environ,
        "CHINHTHONG_VAR_DIR": str(tmp),
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    print(
        f"# Blocklist load — {args.entries:,} entries, "
        f"{'SQLite in ' + str(tmp) if not args.database_url else 'the given DATABASE_URL'}, "
        f"every step in its own process pinned to CPU {args.cpu}, Python "
        f"{sys.version.split()[0]}"
    )
    imported: dict = {}
    try:
        imported = run_child("import", args, env, ["--entries", str(args.entries)])
        args.probe_url, args.probe_host = imported["probe_url"], imported["probe_host"]
        stored = imported["stored"]
        path = sqlite_path(url)
        if path:
            wal = Path(path + "-wal")
            storage = (
                f"database file {fmt_mb(os.path.getsize(path))}, WAL "
                f"{fmt_mb(wal.stat().st_size if wal.exists() else 0)}"
            )
        else:
            storage = imported["vendor"]
        results: dict[str, list[dict]] = {"load": [], "floor-list": [], "floor-dicts": []}
        for _ in range(args.repeat):
            for mode in results:
                results[mode].append(run_child(mode, args, env))
        if args.profile:
            print("\n## cProfile of one load_blocklist() (child process)\n", file=sys.stderr)
            run_child("load", args, env, ["--profile"])
    finally:
        if args.database_url and imported:
            names = ",".join(name for name, _, _ in imported["per_source"])
            run_child("cleanup", args, env, ["--sources", names])
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    t_migrate, t_generate, t_import = imported["migrate"], imported["generate"], imported["import"]
    per_source, import_peak = imported["per_source"], imported["peak"]
    own_peak = peak_bytes()

    # --- report ---
    print(
        f"\nsetup (not counted): migrate {t_migrate:.1f} s; generated {args.entries:,} entries in "
        f"{t_generate:.1f} s"
    )
    print(
        f"import through import_entries: {t_import:.1f} s for {stored:,} rows "
        f"({stored / t_import:,.0f} rows/s; "
        + ", ".join(f"{name} {seconds:.1f} s/{added:,}" for name, seconds, added in per_source)
        + f"); importing process peak RSS {fmt_mb(import_peak)} (holds the generated data); "
        f"{storage}"
    )
    print(
        f"plan of load_blocklist()'s query (WHERE expires_at IS NULL OR > now): {imported['plan']}"
    )
    titles = {
        "load": "`load_blocklist()` (Django cursor → Blocklist)",
        "floor-list": "floor: plain cursor, `fetchall()` into a list",
        "floor-dicts": "floor: plain cursor, rows into two dicts",
    }
    print(f"\n## Loading {stored:,} entries in a fresh process ({args.repeat} runs each)\n")
    print(
        "| approach | wall s (median; min–max) | CPU s (median) | peak RSS − RSS before "
        "| absolute peak RSS | RSS before | time ≤ 5 s | memory ≤ 250 MB (peak − before; "
        "absolute) |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for mode, runs in results.items():
        seconds = [r["seconds"] for r in runs]
        delta = max(r["peak"] - r["before"] for r in runs)
        peak = max(r["peak"] for r in runs)
        before = statistics.median(r["before"] for r in runs)
        if mode == "load":
            time_ok = "**PASS**" if statistics.median(seconds) <= BUDGET_SECONDS else "**FAIL**"
            mem_ok = (
                f"**{'PASS' if delta <= BUDGET_BYTES else 'FAIL'}**; "
                f"{'PASS' if peak <= BUDGET_BYTES else 'FAIL'}"
            )
        else:
            time_ok = mem_ok = "–"
        print(
            f"| {titles[mode]} | {statistics.median(seconds):.2f} ({min(seconds):.2f}–"
            f"{max(seconds):.2f}) | {statistics.median(r['cpu'] for r in runs):.2f} | "
            f"{fmt_mb(delta)} | {fmt_mb(peak)} | {fmt_mb(before)} | "
            f"{time_ok} | {mem_ok} |"
        )
    hwm_gap = max(abs(r["peak"] - r["hwm"]) for runs in results.values() for r in runs)
    print(
        f"\npeak = ru_maxrss of the child; its VmHWM agrees within {fmt_mb(hwm_gap)} (the process "
        f"that started it peaked at {fmt_mb(own_peak)}, below every child, so nothing of its "
        "ru_maxrss carried over)"
    )
    load = results["load"][0]
    print(
        f"\nloaded: {load['entries']:,} entries ({load['urls']:,} URLs, {load['hosts']:,} hosts) "
        f"from sources {', '.join(load['sources'])}, version {load['version']}; RSS after the "
        f"load {fmt_mb(load['after'])} (peak − after: transient "
        f"{fmt_mb(max(0, load['peak'] - load['after']))}); in the Blocklist: dict tables "
        f"{fmt_mb(load['tables'])} + strings {fmt_mb(load['strings'])} (sys.getsizeof)"
    )
    mismatched = [r for r in results["floor-list"] if r["entries"] != stored]
    if mismatched:
        print(f"warning: the floor read {mismatched[0]['entries']:,} rows of {stored:,}")
    print("\n## Look-ups after loading\n")
    print("| look-up | answer |")
    print("|---|---|")
    ok = True
    for name, answer in load["lookups"].items():
        if "unlisted" in name:
            good = answer is None
        elif name.startswith("engine"):
            good = answer == "malicious"
        else:
            good = answer is not None
        ok &= good
        print(f"| {name} | {answer} {'✓' if good else '✗'} |")
    print(f"\nprobes: {args.probe_url} ; {args.probe_host}")
    print("look-ups: PASS" if ok else "look-ups: FAIL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
