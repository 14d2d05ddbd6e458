"""Batch URL checks on one core: verdicts per second of the verification engine over a large
synthetic corpus, and the share of the labelled impersonations it catches.

    python bench/url_batch.py                 # 1,000,000 URLs over 200,000 distinct hosts
    python bench/url_batch.py --urls 100000   # quick run (hosts scale to a fifth of the URLs)
    python bench/url_batch.py --profile 200000  # also cProfile a fresh engine over 200k URLs

Registry: the default registry plus generated channels of Vietnamese public bodies (1,000
channels); blocklist: 1,000,000 made-up phishing URLs and hosts; corpus: official,
legitimate, look-alike, blocklisted and random links, hosts repeating Zipf-like (see
bench/synthetic.py). Generation is timed apart and not counted.

Reference, measured in the same run: dnstwist's permutation sets (the usual tool for
look-alike detection). For every official registrable domain, ``dnstwist.Fuzzer(d).generate()``;
a URL is flagged when the registrable domain of its host (or the host itself) is one of the
permutations. Same parser (chinhthong.verify.urls.parse) and the same Public Suffix List, so
parsing costs the same. dnstwist keeps the suffix it permutes (quangninh.gov.vn gives
quangnlnh.gov.vn, which only a state body could register); a second, generous variant also
flags a permuted name under any suffix (quangnlnh.vn). dnstwist has no notion of official
hosts or blocklists: it only flags look-alikes.

Detection share: the labelled impersonations (kind url or domain) of
tests/verify/corpus/cases.jsonl, checked against the DEFAULT registry and the corpus blocklist.

Budget from the issue: >= 40,000 verdicts/s on one core.
"""

import argparse
import contextlib
import cProfile
import gc
import json
import multiprocessing
import os
import pstats
import resource
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import dnstwist

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

from chinhthong.verify import domains as domains_module
from chinhthong.verify.blocklist import Blocklist
from chinhthong.verify.canonical import InvalidIdentifier, canonical_host
from chinhthong.verify.domains import DomainNames
from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.results import Verdict
from chinhthong.verify.urls import parse

ROOT = synthetic.ROOT
CASES = ROOT / "tests/verify/corpus/cases.jsonl"
CORPUS_BLOCKLIST = ROOT / "tests/verify/corpus/blocklist.txt"
BUDGET = 40_000  # verdicts/s on one core
ALL_CPUS = frozenset(os.sched_getaffinity(0))

# Used only when tests/verify/corpus/cases.jsonl is missing: a few labelled impersonations
# written here for this benchmark (input, technique).
FALLBACK_CASES = [
    ("http://quangninh-gov.vn/", "combosquat"),
    ("https://gplx-gov.vn/tra-cuu", "combosquat"),
    ("https://dichvucong-xacminh.com/dang-nhap", "combosquat"),
    ("quangnlnh.vn", "typosquat"),
    ("https://quangninh.com.vn/", "suffix_swap"),
    ("https://xn--qungninh-6x0d.vn/", "diacritics"),
    ("https://quаngninh.vn/", "homoglyph"),
    ("https://quangn1nh.vn/", "leetspeak"),
    ("https://quangninh.gov.vn.xacminh.top/", "embedded_host"),
    ("https://quangninh.gov.vn@evil.top/", "userinfo"),
]


# --- helpers ------------------------------------------------------------------------------------
def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def clear_domain_caches() -> None:
    """The Public Suffix List look-ups are lru-cached per process: start each loop cold."""
    domains_module._registrable.cache_clear()
    domains_module._suffix.cache_clear()


class GcClock:
    """Time the garbage collector spends between creation and ``stop()``."""

    def __init__(self):
        self.seconds = 0.0
        self._start = 0.0
        gc.callbacks.append(self._tick)

    def _tick(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start

    def stop(self) -> None:
        gc.callbacks.remove(self._tick)


def _set_cpus(cpus: tuple[int, ...]) -> None:
    os.sched_setaffinity(0, cpus)


def _permutations(domain: str) -> tuple[str, list[str], list[str], float]:
    """dnstwist's permutations of ``domain`` (ASCII), and their labels before the suffix."""
    start = time.process_time()
    fuzzer = dnstwist.Fuzzer(domain)
    fuzzer.generate()
    found = [p["domain"].lower() for p in fuzzer.domains if p["fuzzer"] != "*original"]
    names = DomainNames()
    labels = [names.core_label(names.registrable(p) or p) for p in found]
    return domain, found, labels, time.process_time() - start


class Twist:
    """dnstwist's permutation sets for the official registrable domains.

    ``exact``: permutation -> official domain. ``labels``: the label before the public suffix
    of each permutation -> official domain, for the generous variant that accepts a permuted
    name under any suffix (dnstwist itself keeps the suffix). The official names themselves are
    left out of both, or every official link would hit."""

    def __init__(self, registrables: list[str], workers: int):
        start = time.perf_counter()
        names = DomainNames()
        officials = set(registrables)
        official_labels = {names.core_label(r) for r in registrables}
        if workers > 1:
            # spawn, not fork: a forked child's garbage collector would touch (and copy) the
            # parent's large heap of URLs and cached results
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                workers, context, initializer=_set_cpus, initargs=(tuple(ALL_CPUS),)
            ) as pool:
                # longest names first: they have the most permutations
                order = sorted(registrables, key=len, reverse=True)
                results = list(pool.map(_permutations, order))
        else:
            results = [_permutations(d) for d in registrables]
        self.exact: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.cpu = 0.0
        for domain, found, labels, seconds in results:
            self.cpu += seconds
            for permutation, label in zip(found, labels, strict=True):
                if permutation and permutation not in officials:
                    self.exact.setdefault(permutation, domain)
                if label and label not in official_labels:
                    self.labels.setdefault(label, domain)
        self.wall = time.perf_counter() - start
        self.registrables = registrables

    def checker(self):
        """Flags a URL whose host's registrable domain (or the host) is a permutation."""
        registrable = DomainNames().registrable
        exact = self.exact

        def check(url: str) -> str | None:
            link = parse(url)
            if link is None:
                return None
            host = link.host
            return exact.get(registrable(host) or host) or exact.get(host)

        return check

    def any_suffix_checker(self):
        """Also flags a permuted name under another suffix (quangnlnh.vn for quangninh.gov.vn)."""
        names = DomainNames()
        registrable, core_label = names.registrable, names.core_label
        exact, labels = self.exact, self.labels

        def check(url: str) -> str | None:
            link = parse(url)
            if link is None:
                return None
            host = link.host
            domain = registrable(host) or host
            return exact.get(domain) or exact.get(host) or labels.get(core_label(domain))

        return check


def load_corpus_blocklist() -> Blocklist:
    entries = []
    for line in CORPUS_BLOCKLIST.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "://" in line:
            link = parse(line)
            if link:
                entries.append(("url", link.href, "corpus"))
        else:
            with contextlib.suppress(InvalidIdentifier):
                entries.append(("host", canonical_host(line), "corpus"))
    return Blocklist.from_entries(entries)


def labelled_impersonations() -> tuple[list[dict], list[dict], str]:
    """(impersonations of kind url/domain, the other url/domain cases, where they came from)."""
    if CASES.exists():
        cases = []
        for line in CASES.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append(json.loads(line))
        web = [c for c in cases if c.get("kind") in ("url", "domain")]
        if any(c.get("expected") == "impersonation" for c in web):
            return (
                [c for c in web if c["expected"] == "impersonation"],
                [c for c in web if c["expected"] in ("official", "unknown")],
                f"{CASES.relative_to(ROOT)} ({len(cases)} cases)",
            )
    fallback = [
        {"input": i, "kind": "url", "expected": "impersonation", "technique": t}
        for i, t in FALLBACK_CASES
    ]
    return fallback, [], "FALLBACK list in bench/url_batch.py (cases.jsonl missing)"


def fmt(n: float) -> str:
    return f"{n:,.0f}"


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    –"


# --- parts --------------------------------------------------------------------------------------
APPROACHES = ("engine", "dnstwist", "dnstwist_any_suffix")


def detection(default_doc: dict) -> dict:
    """Share of the labelled impersonations each approach catches, with the default registry."""
    impersonations, others, origin = labelled_impersonations()
    engine = Engine(RegistryIndex.from_document(default_doc), load_corpus_blocklist())
    twist = Twist(sorted(engine.index.official_registrables), 1)

    def engine_check(case: dict) -> bool:
        return engine.check(case["input"], case["kind"]).verdict is Verdict.IMPERSONATION

    exact, any_suffix = twist.checker(), twist.any_suffix_checker()
    checks = {
        "engine": engine_check,
        "dnstwist": lambda case: exact(case["input"]) is not None,
        "dnstwist_any_suffix": lambda case: any_suffix(case["input"]) is not None,
    }
    per_tag: dict[str, Counter] = defaultdict(Counter)
    missed: dict[str, list[str]] = defaultdict(list)
    for case in impersonations:
        tag = case.get("technique", "?")
        per_tag[tag]["cases"] += 1
        for name, check in checks.items():
            if check(case):
                per_tag[tag][name] += 1
            else:
                missed[name].append(f"{tag}: {case['input']}")
    false = {name: [c["input"] for c in others if check(c)] for name, check in checks.items()}
    totals = Counter()
    for row in per_tag.values():
        totals.update(row)
    return {
        "origin": origin,
        "per_tag": dict(per_tag),
        "totals": totals,
        "missed": missed,
        "twist": twist,
        "others": len(others),
        "false": false,
    }


def profile(document: dict, blocklist: Blocklist, corpus: synthetic.Corpus, count: int) -> None:
    """Where the time goes: cProfile of a fresh engine, then mean time per URL by category,
    with the host cache cold (first pass) and warm (second pass over the same URLs)."""
    urls, labels = corpus.urls[:count], corpus.labels[:count]
    engine = Engine(RegistryIndex.from_document(document), blocklist)
    clear_domain_caches()
    check = engine.check_url
    profiler = cProfile.Profile()
    profiler.enable()
    for url in urls:
        check(url)
    profiler.disable()
    print(f"\n## cProfile of a fresh engine over the first {len(urls):,} URLs (cold host cache)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(30)

    engine = Engine(RegistryIndex.from_document(document), blocklist)
    clear_domain_caches()
    check = engine.check_url
    clock = time.perf_counter
    passes = []
    for _ in ("cold", "warm"):
        spent: Counter = Counter()
        for url, label in zip(urls, labels, strict=True):
            start = clock()
            check(url)
            spent[label.split(":")[0] if label.startswith(("wrapped", "trick")) else label] += (
                clock() - start
            )
        passes.append(spent)
    counts = Counter(
        label.split(":")[0] if label.startswith(("wrapped", "trick")) else label for label in labels
    )
    cold_total, warm_total = sum(passes[0].values()), sum(passes[1].values())
    print(
        f"\n## Time per URL by category, first {len(urls):,} URLs: cold pass "
        f"{fmt(len(urls) / cold_total)} verdicts/s, warm pass (same URLs again) "
        f"{fmt(len(urls) / warm_total)} verdicts/s\n"
    )
    print(
        "| category | URLs | cold µs/URL | share of cold time | warm µs/URL | share of warm time |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label in sorted(counts, key=lambda k: -passes[0][k]):
        n = counts[label]
        cold, warm = passes[0][label], passes[1][label]
        print(
            f"| {label} | {fmt(n)} | {cold / n * 1e6:.1f} | {100 * cold / cold_total:.1f} % | "
            f"{warm / n * 1e6:.1f} | {100 * warm / warm_total:.1f} % |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=0, help="distinct hosts (default: URLs / 5)")
    parser.add_argument("--blocklist", type=int, default=1_000_000)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--cpu", type=int, default=max(ALL_CPUS), help="core to pin to")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also cProfile a fresh engine over the first N URLs",
    )
    args = parser.parse_args()
    hosts = args.hosts or max(args.urls // 5, 100)
    os.sched_setaffinity(0, {args.cpu})
    workers = len(ALL_CPUS)
    print(
        f"# Batch URL checks — pinned to CPU {args.cpu} (of {sorted(ALL_CPUS)}), "
        f"Python {sys.version.split()[0]}"
    )

    # --- data (not counted) ---
    start = time.perf_counter()
    document = synthetic.registry_document(args.channels)
    t_registry = time.perf_counter() - start
    start = time.perf_counter()
    block = synthetic.blocklist_data(args.blocklist)
    synthetic.check_canonical(block)
    t_block = time.perf_counter() - start
    start = time.perf_counter()
    corpus = synthetic.url_corpus(document, block, args.urls, hosts)
    t_corpus = time.perf_counter() - start
    urls = corpus.urls
    print(
        f"generated: registry {len(document['channels']):,} channels in {t_registry:.2f} s; "
        f"blocklist {len(block.entries):,} entries in {t_block:.1f} s; corpus {len(urls):,} URLs "
        f"over {corpus.distinct_hosts:,} distinct hosts in {t_corpus:.1f} s"
    )
    gc.collect()
    rss_data = rss_mib()

    # --- engine ---
    start = time.perf_counter()
    blocklist = Blocklist.from_entries(block.entries)
    t_load = time.perf_counter() - start
    rss_blocklist = rss_mib()
    tables = sys.getsizeof(blocklist.urls) + sys.getsizeof(blocklist.hosts)
    strings = sum(map(sys.getsizeof, blocklist.urls)) + sum(map(sys.getsizeof, blocklist.hosts))
    start = time.perf_counter()
    index = RegistryIndex.from_document(document)
    engine = Engine(index, blocklist)
    t_build = time.perf_counter() - start
    rss_engine = rss_mib()
    clear_domain_caches()
    check = engine.check_url
    # The benchmark's own data (millions of URL strings, labels and blocklist tuples) stays in
    # this process; frozen, the collector's full passes no longer walk it, as they would not in
    # a service that checks links and keeps nothing. The engine's own objects are still
    # collected, and the collector's time during the run is printed.
    gc.collect()
    gc.freeze()
    collector = GcClock()
    start = time.perf_counter()
    verdicts = [check(url).verdict for url in urls]
    t_engine = time.perf_counter() - start
    collector.stop()
    rss_after = rss_mib()
    peak_engine = peak_mib()
    engine_rate = len(urls) / t_engine
    cached = len(engine.hosts.cache)

    # --- dnstwist ---
    registrables = sorted(index.official_registrables)
    twist = Twist(registrables, workers)
    timed: dict[str, tuple[list, float]] = {}
    for name, checker in (
        ("dnstwist", twist.checker()),
        ("dnstwist_any_suffix", twist.any_suffix_checker()),
    ):
        clear_domain_caches()
        start = time.perf_counter()
        hits = [checker(url) for url in urls]
        timed[name] = (hits, time.perf_counter() - start)
    # the floor both share: parsing alone, on a sample
    sample = urls[: min(len(urls), 200_000)]
    start = time.perf_counter()
    for url in sample:
        parse(url)
    parse_rate = len(sample) / (time.perf_counter() - start)

    # --- labelled corpus ---
    found = detection(synthetic.load_default_registry())
    totals, cases = found["totals"], found["totals"]["cases"]

    # --- report ---
    verdict_counts = Counter(verdicts)
    rates = {"engine": engine_rate, **{k: len(urls) / t for k, (_, t) in timed.items()}}
    titles = {
        "engine": "chinhthong engine (`Engine.check_url`)",
        "dnstwist": f"dnstwist permutation sets ({len(twist.exact):,} permutations of "
        f"{len(registrables)} registrables)",
        "dnstwist_any_suffix": f"dnstwist permuted names under any suffix ({len(twist.labels):,} "
        "names; generous variant)",
    }
    print("\n## Throughput on one core and labelled impersonations caught\n")
    print(f"| approach | verdicts/s (1 core) | labelled impersonations caught (of {cases}) |")
    print("|---|---:|---:|")
    for name in APPROACHES:
        rate = fmt(rates[name])
        if name == "engine":
            rate += f" ({'PASS' if engine_rate >= BUDGET else 'FAIL'}, budget ≥ {fmt(BUDGET)})"
        print(f"| {titles[name]} | {rate} | {totals[name]} = {pct(totals[name], cases).strip()} |")
    print(f"| floor: `urls.parse` alone (first {len(sample):,} URLs) | {fmt(parse_rate)} | – |")
    print(
        "\ndnstwist alone has no notion of official hosts or blocklists: it only flags look-alikes."
    )
    print(
        f"{len(urls):,} URLs, {corpus.distinct_hosts:,} distinct hosts; engine {t_engine:.1f} s "
        f"(garbage collector {collector.seconds:.1f} s of it)"
        + "".join(f", {k} {t:.1f} s" for k, (_, t) in timed.items())
        + f"; engine host cache after the run: {cached:,} hosts"
    )
    print(
        f"engine build (RegistryIndex.from_document + Engine, {len(document['channels']):,} "
        f"channels, {len(registrables)} brands): {t_build * 1000:.0f} ms; blocklist load "
        f"(Blocklist.from_entries, {len(blocklist):,} entries): {t_load:.2f} s"
    )
    print(
        f"dnstwist generation: {len(twist.exact):,} permutations of {len(registrables)} "
        f"registrables, {twist.wall:.1f} s wall on {workers} process(es), {twist.cpu:.1f} CPU s"
    )
    print(
        f"memory (RSS): {rss_data:.0f} MiB after generating the data; "
        f"+{rss_blocklist - rss_data:.0f} MiB blocklist; +{rss_engine - rss_blocklist:.0f} MiB "
        f"engine; +{rss_after - rss_engine:.0f} MiB after the run (host cache, verdicts); peak "
        f"ru_maxrss {peak_engine:.0f} MiB after the engine run, {peak_mib():.0f} MiB at the end "
        "(with the dnstwist sets)"
    )
    print(
        f"blocklist in memory: {tables / 2**20:.0f} MiB of dict tables + {strings / 2**20:.0f} MiB "
        "of strings (sys.getsizeof)"
    )

    print("\n## Engine verdicts over the corpus\n")
    print("| verdict | URLs | share |")
    print("|---|---:|---:|")
    for verdict in Verdict:
        count = verdict_counts[verdict]
        print(f"| {verdict} | {fmt(count)} | {pct(count, len(urls))} |")
    for name, (hits, _) in timed.items():
        count = sum(h is not None for h in hits)
        print(f"| {name} hits | {fmt(count)} | {pct(count, len(urls))} |")

    print("\n## By generated category (synthetic labels; look-alikes by technique)\n")
    by_label: dict[str, Counter] = defaultdict(Counter)
    for label, verdict in zip(corpus.labels, verdicts, strict=True):
        by_label[label][verdict] += 1
    for name, (hits, _) in timed.items():
        for label, hit in zip(corpus.labels, hits, strict=True):
            by_label[label][name] += hit is not None
    columns = [*Verdict, *timed]
    print(f"| category | URLs | {' | '.join(str(c) for c in columns)} |")
    print("|---|---:|" + "---:|" * len(columns))
    for label in sorted(by_label):
        counts = by_label[label]
        total = sum(counts[v] for v in Verdict)
        print(f"| {label} | {fmt(total)} | {' | '.join(pct(counts[c], total) for c in columns)} |")

    print(f"\n## Labelled impersonations (url/domain) — {found['origin']}, default registry\n")
    print(f"| technique | cases | {' | '.join(APPROACHES)} |")
    print("|---|---:|" + "---:|" * len(APPROACHES))
    rows = sorted(found["per_tag"].items(), key=lambda kv: -kv[1]["cases"])
    for tag, row in [*rows, ("**all**", totals)]:
        n = row["cases"]
        cells = " | ".join(f"{row[a]} ({pct(row[a], n).strip()})" for a in APPROACHES)
        print(f"| {tag} | {n} | {cells} |")
    small = found["twist"]
    print(
        f"\ndnstwist over the default registry: {len(small.exact):,} permutations of "
        f"{', '.join(small.registrables)}"
    )
    if found["missed"]["engine"]:
        print("engine missed: " + "; ".join(found["missed"]["engine"]))
    print(
        f"false alarms on the {found['others']} official/unknown url/domain cases: "
        + "; ".join(f"{a} {len(found['false'][a])} {found['false'][a][:6]}" for a in APPROACHES)
    )

    if args.profile:
        profile(document, blocklist, corpus, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
