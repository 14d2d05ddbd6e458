"""Matching a new report against 100,000 stored cases and bulletins (reports/textmatch.py):
how long one match takes, against the plain way — scoring the new claim against every stored
text with the same measure — in the same run.

    python bench/report_matching.py                      # 90,000 cases, 10,000 bulletins
    python bench/report_matching.py --cases 9000 --bulletins 1000 --queries 100

Corpus (generated, seeded, in memory: no database): case claims written from templates
(who, does what, where, when, "share it") and a vocabulary of Quảng Ninh places, with 0–12
words of filler — thousands of near-twins differing in a place or a day, the hard case for
finding the very claim; bulletins of 120–300 words (bench/forward_check.py's generator), a
fifth of them quoting a claim they rebut. Every text is normalised as the site does it
(teencode, squeezing, underthesea segmentation), then indexed (BM25, bm25s).

Queries, a third each: a stored claim retyped (diacritics stripped and/or teencode, emoji, a
link, "quáaaa"), which should join its case; a stored claim with a sentence added, which
should be suggested; a claim newly generated (another seed). Timed per query, as `place` and
`related` do it: the claim normalised (underthesea's cache cleared first, so every query is
segmented afresh), the cases searched (BM25 candidates, then the precise score), the
bulletins searched. Not timed: the database lookups the site adds (the cases of the best
reports: one indexed query).

Reference: the same normalised claim scored against every stored claim (rapidfuzz
process.extractOne with the same Indel measure, in C++) and every bulletin (the same
containment, a Python loop over their word-pair sets, built beforehand) — what the index
avoids. Printed: build times, p50/p95/max of both, and how often the index's best equals the
full scan's (the candidate stage misses nothing the scan finds).

Then, from a database (a temporary SQLite installation, migrated; skip with --no-database):
the same corpus stored as the site stores it — one case and one report per claim, the
bulletins published with one signed version each — with the terms normalised above written as
a first index build writes them back (textmatch: Report.match_terms, one UPDATE a row, timed;
BulletinTerms rows, timed), and the first match of a fresh process (a child Python process:
Django set up, then the site's bulletin index as every page builds it, then
`textmatch.search` once — the reports' index read from the stored terms, the bulletins' the
same — then a second match): what a web process waits on its first report.
"""

import argparse
import gc
import html
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from forward_check import EMOJI, body, sentence, strip_marks
from rapidfuzz import process
from rapidfuzz.distance import Indel

from chinhthong.reports import textindex, textmatch, textnorm

SUBJECTS = [
    "Tỉnh",
    "Ủy ban nhân dân tỉnh",
    "Công an thành phố",
    "Sở Y tế",
    "Sở Giáo dục",
    "Điện lực Quảng Ninh",
    "Công ty nước sạch",
    "Ban quản lý chợ",
    "Bệnh viện tỉnh",
    "Cảng vụ",
    "Ủy ban nhân dân phường",
    "Đoàn thanh tra",
]
ACTIONS = [
    "sắp phong tỏa toàn bộ",
    "sẽ cắt điện toàn bộ",
    "sẽ cắt nước sạch ở",
    "đóng cửa tất cả trường học ở",
    "thu hồi đất của người dân ở",
    "cấm xe máy đi vào",
    "tăng gấp đôi giá vé vào",
    "phát tiền hỗ trợ cho mọi người dân ở",
    "bắt buộc tiêm vắc xin mới ở",
    "cấm tàu thuyền ra khơi ở",
    "giải tỏa toàn bộ chợ ở",
    "dời trụ sở ra khỏi",
]
PLACES = [
    "thành phố Hạ Long",
    "Cẩm Phả",
    "Uông Bí",
    "Móng Cái",
    "phường Bãi Cháy",
    "huyện Vân Đồn",
    "thị xã Quảng Yên",
    "Đông Triều",
    "Tiên Yên",
    "Cô Tô",
    "Hoành Bồ",
    "Đầm Hà",
    "Hải Hà",
    "Bình Liêu",
    "Ba Chẽ",
    "phường Hồng Gai",
    "phường Cao Xanh",
    "phường Hà Khánh",
    "Tuần Châu",
    "Quang Hanh",
]
TIMES = [
    "từ ngày mai",
    "từ 0 giờ đêm nay",
    "trong tuần tới",
    "từ thứ hai tuần sau",
    "đến hết tháng này",
    "trong ba ngày tới",
    "ngay trong hôm nay",
    "từ đầu tháng sau",
]
TAILS = [
    "cấm người dân ra đường",
    "ai không chấp hành sẽ bị phạt nặng",
    "mọi người chia sẻ ngay cho người thân",
    "nghe nói đã có văn bản rồi",
    "người dân cần tích trữ lương thực",
    "không được tụ tập đông người",
    "ai có người nhà ở đó thì báo ngay",
    "tin này là thật một trăm phần trăm",
]
TEEN = [
    ("không", "ko"),
    ("được", "dc"),
    ("người", "ng"),
    ("với", "vs"),
    ("thành phố", "tp"),
    ("biết", "bít"),
    ("rồi", "r"),
    ("gì", "j"),
]


def claim(rng: random.Random) -> str:
    text = (
        f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(PLACES)} "
        f"{rng.choice(TIMES)}, {rng.choice(TAILS)}"
    )
    filler = rng.randint(0, 12)
    if filler:
        text += ". " + sentence(rng, filler)
    return text


def bulletin(rng: random.Random, claims: list[str]) -> str:
    title = sentence(rng, rng.randint(6, 12))[:-1]
    summary = sentence(rng, rng.randint(10, 20))
    text = body(rng, rng.randint(120, 300))
    if rng.random() < 0.2:  # rebuts a claim: quotes it
        text = f"Trên mạng lan truyền thông tin “{rng.choice(claims)}”. Đây là tin sai sự thật.\n\n{text}"
    return f"{title}\n\n{summary}\n\n{text}"


def retyped(text: str, rng: random.Random) -> str:
    if rng.random() < 0.6:
        for word, code in TEEN:
            text = text.replace(word, code)
        text = text.replace("quá", "quáaaa").replace("ngay", "ngayyy")
    if rng.random() < 0.6:
        text = strip_marks(text)
    return f"{rng.choice(EMOJI)} {text}!!! {rng.choice(EMOJI)} https://www.facebook.com/share/p/{rng.randrange(10**9)}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=90_000)
    parser.add_argument("--bulletins", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reference-queries", type=int, default=60)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--no-database", action="store_true", help="skip the database part")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    claims = [claim(rng) for _ in range(args.cases)]
    bulletins = [bulletin(rng, claims) for _ in range(args.bulletins)]
    print(
        f"corpus: {args.cases:,} case claims ({len(set(claims)):,} distinct, "
        f"{statistics.mean(len(c.split()) for c in claims):.0f} words on average), "
        f"{args.bulletins:,} bulletins "
        f"({statistics.mean(len(b.split()) for b in bulletins):.0f} words on average)"
    )

    gc.collect()
    started = time.perf_counter()
    normal_claims = [textnorm.normalise(c) for c in claims]
    took_claims = time.perf_counter() - started
    started = time.perf_counter()
    normal_bulletins = [textnorm.normalise(b) for b in bulletins]
    took_bulletins = time.perf_counter() - started
    print(
        f"normalised (underthesea included): claims {took_claims:.1f} s "
        f"({took_claims / args.cases * 1000:.2f} ms each), bulletins {took_bulletins:.1f} s "
        f"({took_bulletins / max(1, args.bulletins) * 1000:.2f} ms each)"
    )
    started = time.perf_counter()
    cases = textindex.TextIndex.of("case", enumerate(normal_claims))
    bulletin_index = textindex.TextIndex.of("bulletin", enumerate(normal_bulletins), contain=True)
    built = time.perf_counter() - started
    print(f"BM25 indexes built in {built:.1f} s (from the normalised texts)")
    started = time.perf_counter()
    cases.add([(args.cases, textnorm.normalise(claim(rng)))])
    print(f"a new report added to the index: {ms(time.perf_counter() - started)}")
    started = time.perf_counter()
    cases._rebuild()
    print(
        f"the cases' BM25 index rebuilt (after {cases.rebuild_after} new reports): "
        f"{time.perf_counter() - started:.1f} s"
    )

    qrng = random.Random(args.seed + 1)
    fresh = random.Random(args.seed + 2)
    queries = []  # (kind, text, the case it came from)
    for n in range(args.queries):
        source = qrng.randrange(args.cases)
        if n % 3 == 0:
            queries.append(("retyped", retyped(claims[source], qrng), source))
        elif n % 3 == 1:
            extra = sentence(qrng, qrng.randint(8, 14))
            queries.append(("sentence added", f"{claims[source]}. {extra}", source))
        else:
            queries.append(("new claim", claim(fresh), None))

    join, suggest = 0.85, 0.5  # settings.REPORT_JOIN_SCORE, REPORT_SUGGEST_SCORE
    for _kind, text, _source in queries[:3]:  # a warm process (bm25s's first call compiles)
        cases.search(textnorm.normalise(text))
        bulletin_index.search(textnorm.normalise(text))
    times, normalise_times, results = [], [], []
    for _kind, text, _source in queries:
        textnorm.segment.cache_clear()
        started = time.perf_counter()
        query = textnorm.normalise(text)
        normalised = time.perf_counter()
        case_hits = cases.search(query, limit=10)
        bulletin_index.search(query, limit=5, floor=suggest)
        times.append(time.perf_counter() - started)
        normalise_times.append(normalised - started)
        results.append(case_hits)

    outcome: dict[str, dict[str, int]] = {}
    for (kind, _text, source), hits in zip(queries, results, strict=True):
        best = hits[0] if hits else None
        tally = outcome.setdefault(kind, {"joined": 0, "suggested": 0, "none": 0})
        if source is not None:
            tally.setdefault("found its own case (or one as close)", 0)
        score = best.score if best else 0.0
        tally["joined" if score >= join else "suggested" if score >= suggest else "none"] += 1
        if source is not None and best is not None:
            own = textnorm.similarity(textnorm.normalise(_text), normal_claims[source])
            tally["found its own case (or one as close)"] += best.id == source or best.score >= own
    print(
        f"index: {len(queries)} queries, p50 {ms(percentile(times, 0.5))}, "
        f"p95 {ms(percentile(times, 0.95))}, max {ms(max(times))} "
        f"(of which normalising the claim: p50 {ms(percentile(normalise_times, 0.5))})"
    )
    for kind, tally in outcome.items():
        print(f"  {kind}: {tally}")

    # The reference: every text scored.
    claim_words = [n.folded for n in normal_claims]
    bulletin_pairs = [textnorm.pairs(n) for n in normal_bulletins]
    n_ref = min(args.reference_queries, len(queries))
    ref_times, agree = [], 0
    for (_kind, text, _source), hits in zip(queries[:n_ref], results[:n_ref], strict=True):
        textnorm.segment.cache_clear()
        started = time.perf_counter()
        query = textnorm.normalise(text)
        best = process.extractOne(query.folded, claim_words, scorer=Indel.normalized_similarity)
        query_pairs = textnorm.pairs(query)
        for found in bulletin_pairs:
            textnorm.containment(query, query_pairs, found)
        ref_times.append(time.perf_counter() - started)
        # The scan's measure (folded words) of the index's best, against the scan's best.
        mine = Indel.normalized_similarity(query.folded, claim_words[hits[0].id]) if hits else 0
        agree += mine >= best[1] - 1e-9
    print(
        f"reference (every text scored): {n_ref} queries, p50 {ms(percentile(ref_times, 0.5))}, "
        f"p95 {ms(percentile(ref_times, 0.95))}, max {ms(max(ref_times))}; "
        f"the index's best as good as the scan's: {agree}/{n_ref}"
    )
    speedup = statistics.median(ref_times) / statistics.median(times)
    print(f"median speed-up of the index over the reference: {speedup:.1f}x")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {rss:,.0f} MB")
    if not args.no_database:
        del claim_words, bulletin_pairs, cases, bulletin_index
        gc.collect()
        first_match_from_database(
            claims, normal_claims, bulletins, normal_bulletins, [q[1] for q in queries]
        )


# --- the first match of a fresh process, from the terms stored in a database -----------------
def _django(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        CHINHTHONG_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="chinhthong.config.settings",
        CHINHTHONG_LOG_LEVEL="WARNING",
    )
    return env


def first_match_from_database(claims, normal_claims, bulletins, normal_bulletins, queries):
    with tempfile.TemporaryDirectory(prefix="chinhthong-matching-") as tmp:
        var = Path(tmp) / "var"
        var.mkdir()
        os.environ.update(_django(var))
        os.environ.pop("DATABASE_URL", None)
        import django

        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        from chinhthong.bulletins.models import Bulletin, BulletinVersion, Status
        from chinhthong.reports.models import Case, Report

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"\ndatabase: SQLite under {var}, migrated in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        Case.objects.bulk_create(
            (Case(number=f"VV-2026-{n:06d}", title=text[:300]) for n, text in enumerate(claims)),
            batch_size=2000,
        )
        case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
        Report.objects.bulk_create(
            (
                Report(case_id=case, intake="web", claim=text)
                for case, text in zip(case_ids, claims, strict=True)
            ),
            batch_size=2000,
        )
        now = timezone.now()
        Bulletin.objects.bulk_create(
            (
                Bulletin(slug=f"ban-tin-{n}", status=Status.PUBLISHED, published_at=now)
                for n in range(len(bulletins))
            ),
            batch_size=2000,
        )
        bulletin_ids = list(Bulletin.objects.order_by("pk").values_list("pk", flat=True))
        versions = []
        for bulletin_id, text in zip(bulletin_ids, bulletins, strict=True):
            title, summary, body_text = text.split("\n\n", 2)
            paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body_text.split("\n\n"))
            versions.append(
                BulletinVersion(
                    bulletin_id=bulletin_id,
                    number=1,
                    title=title,
                    summary=summary,
                    body_markdown=body_text,
                    body_html=paragraphs,
                    signature="bench",
                    key_id="bench",
                )
            )
        BulletinVersion.objects.bulk_create(versions, batch_size=1000)
        print(
            f"stored {len(claims):,} cases and reports (no terms), {len(bulletins):,} published "
            f"bulletins: {time.perf_counter() - started:.1f} s"
        )

        # Written back as a first build without stored terms writes them (textmatch._store).
        report_ids = list(Report.objects.order_by("pk").values_list("pk", flat=True))
        rows = [
            (pk, textnorm.stored_terms(n)) for pk, n in zip(report_ids, normal_claims, strict=True)
        ]
        size = sum(len(json.dumps(terms, ensure_ascii=False).encode()) for _pk, terms in rows)
        started = time.perf_counter()
        textmatch._store_reports(rows)
        took = time.perf_counter() - started
        print(
            f"terms written back to {len(rows):,} reports (one UPDATE a row, {textmatch.STORE_BATCH} "
            f"a transaction): {took:.1f} s; {size / len(rows):,.0f} bytes of JSON each"
        )
        version_ids = list(
            BulletinVersion.objects.order_by("bulletin_id").values_list("pk", flat=True)
        )
        rows = [
            (pk, textnorm.stored_terms(n))
            for pk, n in zip(version_ids, normal_bulletins, strict=True)
        ]
        size = sum(len(json.dumps(terms, ensure_ascii=False).encode()) for _pk, terms in rows)
        started = time.perf_counter()
        textmatch._store_versions(rows)
        took = time.perf_counter() - started
        print(
            f"BulletinTerms rows for {len(rows):,} bulletins: {took:.1f} s; "
            f"{size / max(1, len(rows)):,.0f} bytes of JSON each"
        )
        from django.db import connection

        connection.close()
        database = var / "chinhthong.sqlite3"
        print(f"database file: {database.stat().st_size / 2**20:,.0f} MB")

        query_file = Path(tmp) / "queries.json"
        query_file.write_text(json.dumps(queries[:3], ensure_ascii=False))
        for run in (1, 2):
            child = subprocess.run(
                [sys.executable, __file__, "--first-match", str(query_file)],
                env=_django(var),
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode:
                sys.exit(f"the fresh process failed:\n{child.stderr[-3000:]}")
            found = json.loads(child.stdout.strip().splitlines()[-1])
            print(
                f"fresh process {run}: Django set up {found['setup']:.1f} s; the site's bulletin "
                f"index {found['site_index']:.1f} s; underthesea imported {found['underthesea']:.1f} s; "
                f"first match {found['first']:.1f} s (reports' index "
                f"{found['reports']:.1f} s, bulletins' {found['bulletins']:.1f} s, from "
                f"{found['indexed_reports']:,} and {found['indexed_bulletins']:,} stored terms); "
                f"next match {found['second'] * 1000:.1f} ms; texts segmented "
                f"{found['segmented']} (the queries); peak memory {found['rss']:,.0f} MB"
            )
            print(
                f"  from nothing to the first answer: {found['total']:.1f} s; stored terms equal "
                f"to the site's texts prepared again: {found['same_reports']}/20 reports, "
                f"{found['same_bulletins']}/20 bulletins"
            )


def first_match(query_file: str) -> None:
    """In a fresh process (the child): the first matches, timed, as JSON on the last line."""
    started = time.perf_counter()
    import django

    django.setup()
    from chinhthong.bulletins import queries

    texts = json.loads(Path(query_file).read_text())
    out = {"setup": time.perf_counter() - started}
    at = time.perf_counter()
    queries.current_index()
    out["site_index"] = time.perf_counter() - at
    at = time.perf_counter()
    textnorm._tokenizer()
    out["underthesea"] = time.perf_counter() - at
    at = time.perf_counter()
    textmatch.search(texts[0], kinds=("case",))
    out["reports"] = time.perf_counter() - at
    at = time.perf_counter()
    textmatch.search(texts[0], kinds=("bulletin",))
    out["bulletins"] = time.perf_counter() - at
    out["first"] = out["reports"] + out["bulletins"]
    at = time.perf_counter()
    textmatch.search(texts[1])
    out["second"] = time.perf_counter() - at
    out["total"] = time.perf_counter() - started
    out["indexed_reports"] = len(textmatch._state["reports"])
    out["indexed_bulletins"] = len(textmatch._state["bulletins"])
    out["segmented"] = textnorm.segment.cache_info().misses
    # The stored terms are what the site's texts give (20 of each, prepared again).
    source = queries.current_index()
    sample = [(b, v[-1]) for b, v in list(source.forwards.versions.items())[:20]]
    out["same_bulletins"] = sum(
        textnorm.normalise(v.text, max_chars=textmatch.MAX_BULLETIN_CHARS)
        == textmatch._normalised[("bulletin", b, v.number)]
        for b, v in sample
    )
    from chinhthong.reports.models import Report

    rows = Report.objects.order_by("pk").values_list("pk", "claim")[:20]
    out["same_reports"] = sum(
        textnorm.normalise(c, max_chars=textmatch.MAX_BULLETIN_CHARS)
        == textmatch._normalised[("report", pk, 0)]
        for pk, c in rows
    )
    # VmHWM, not ru_maxrss: the latter survives exec, so it would give the parent's peak.
    status = Path("/proc/self/status").read_text()
    out["rss"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--first-match"]:
        first_match(sys.argv[2])
    else:
        main()
