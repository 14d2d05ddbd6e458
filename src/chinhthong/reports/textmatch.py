"""Which stored texts say the same as a new one: the claims of earlier reports (their cases) and
the published bulletins (their latest version's title, summary and body).

Normalisation and the scores: textnorm.py; the pure index: textindex.py.

Ranking: BM25 (bm25s) over the folded syllables and segmented words finds a few dozen
candidates; a text typed without diacritics, which underthesea cannot segment, is given the
indexed words its syllables spell. Each candidate is then scored 0..1 by a measure whose
values mean something, so that the two thresholds (settings.REPORT_JOIN_SCORE,
REPORT_SUGGEST_SCORE) do:
- a case (one of its reports' claims): the share of words the two texts have in common, in
  order (2·LCS / (n + m) over the syllables; rapidfuzz Indel). The same text retyped without
  diacritics, in teencode, with emoji or another link scores 1.0; with a sentence added to
  one half as long, about 0.8; another claim from the same vocabulary, well under 0.5. When
  both texts carry diacritics the mean of the folded and the toned score is used, so that
  words differing only in their marks ("má"/"mà") count a little against;
- a bulletin: the share of the claim's word pairs that the bulletin contains (it quotes or
  rebuts the claim; it is much longer than it).
An embedding model may be plugged in: settings.REPORT_EMBEDDER (CHINHTHONG_REPORT_EMBEDDER), a
dotted path to a callable text → vector; the candidates' score is then the mean of the lexical
score and the cosine of the vectors (so that a paraphrase may be suggested; joining still needs
the words).

`search` keeps one index (textindex.TextIndex) per process over the database, as
bulletins/queries.py does for the forward check: new reports are added to it as they come
(scanned one by one until enough of them make rebuilding the BM25 index worth it); a report
moved to another case needs nothing (cases are looked up at query time); the bulletins' part
follows queries.current_index(). Tests reset it (`reset_index`).

Stored terms: preparing a text (normalising, underthesea above all) costs ~3 ms a claim and ~10
ms a bulletin, minutes for 100,000 of them, so the prepared words are stored with the text
(`stored_terms`): a report's in Report.match_terms, written by intake; a published bulletin
version's in a BulletinTerms row. A process building its index reads them instead of preparing
the texts again; a text without them (stored before, or under another TERMS_VERSION) is
prepared then and its terms written back once the transaction commits, so each installation
pays once. `prepare_missing` (`chinhthong reports prepare-matching`) does it ahead of time.
"""

import gc
import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from chinhthong.reports.textindex import Hit, TextIndex
from chinhthong.reports.textnorm import (
    MAX_BULLETIN_CHARS,
    TERMS_VERSION,
    Normalised,
    from_terms,
    normalise,
    stored_terms,
    terms_of,
)

# --- the process's index over the database ---------------------------------------------------
_lock = threading.Lock()
_state: dict = {}
_normalised: dict = {}  # (kind, key, version) → Normalised, kept across rebuilds
STORE_BATCH = 500  # rows written back in one transaction
log = logging.getLogger(__name__)


def reset_index() -> None:
    with _lock:
        _state.clear()
        _normalised.clear()


def embedder() -> Callable | None:
    from django.conf import settings
    from django.utils.module_loading import import_string

    path = getattr(settings, "REPORT_EMBEDDER", "") or ""
    return import_string(path) if path else None


@contextmanager
def _collector_paused():
    """Building an index allocates millions of small objects and no cycles: the cyclic
    collector's passes over them took a third of the build (90,000 reports: 4.3 → 2.6 s)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class _Unstored:
    """Texts an index build had to prepare (no stored terms): written back after it."""

    reports: list = field(default_factory=list)  # (report id, terms)
    bulletins: list = field(default_factory=list)  # ((bulletin id, version number), terms)

    def __bool__(self) -> bool:
        return bool(self.reports or self.bulletins)


def _log_build(kind: str, size: int, took: float, prepared: int) -> None:
    log.log(
        logging.INFO if prepared or took >= 1 else logging.DEBUG,
        "matching: %s %s indexed in %.1f s (%s prepared, the others from stored terms)",
        size,
        kind,
        took,
        prepared,
    )


def _prepared(cache_key: tuple, text: str, terms, unstored: list, store_key) -> Normalised:
    """The text normalised: from this process's cache, else from its stored terms, else
    prepared now (and noted in ``unstored`` under ``store_key``)."""
    found = _normalised.get(cache_key)
    if found is None:
        found = from_terms(text, terms)
        if found is None:
            found = normalise(text, max_chars=MAX_BULLETIN_CHARS)
            unstored.append((store_key, stored_terms(found)))
        _normalised[cache_key] = found
    return found


def _report_index(plug, unstored: _Unstored) -> TextIndex:
    from django.db.models import Count, Max

    from chinhthong.reports.models import Report

    now = Report.objects.aggregate(last=Max("pk"), count=Count("pk"))
    last, count = now["last"] or 0, now["count"]
    index = _state.get("reports")
    if index is not None and _state.get("plug") is plug:
        known_last, known_count = _state["reports_key"]
        if (last, count) == (known_last, known_count):
            return index
        newer = list(
            Report.objects.filter(pk__gt=known_last)
            .order_by("pk")
            .values_list("pk", "claim", "match_terms")
        )
        if last >= known_last and known_count + len(newer) == count:
            index.add(
                (pk, _prepared(("report", pk, 0), claim, terms, unstored.reports, pk))
                for pk, claim, terms in newer
            )
            _state["reports_key"] = (last, count)
            return index
    started, before = time.perf_counter(), len(unstored.reports)
    rows = (
        Report.objects.order_by("pk")
        .values_list("pk", "claim", "match_terms")
        .iterator(chunk_size=2000)
    )
    index = TextIndex.of(
        "case",
        (
            (pk, _prepared(("report", pk, 0), claim, terms, unstored.reports, pk))
            for pk, claim, terms in rows
        ),
        embedder=plug,
    )
    _log_build("reports", len(index), time.perf_counter() - started, len(unstored.reports) - before)
    _state.update(reports=index, reports_key=(last, count), plug=plug)
    return index


def _stored_bulletin_terms(wanted: list) -> dict:
    """(bulletin id, version number) → the stored terms of these versions (VersionTexts)."""
    from chinhthong.reports.models import BulletinTerms

    if not wanted:
        return {}
    rows = BulletinTerms.objects.values_list("version__bulletin_id", "version__number", "terms")
    if len(wanted) <= STORE_BATCH:  # a few new ones: not every bulletin's
        rows = rows.filter(version__bulletin_id__in={v.bulletin_id for v in wanted})
    return {(bulletin, number): terms for bulletin, number, terms in rows.iterator(chunk_size=500)}


def _bulletin_index(plug, unstored: _Unstored) -> TextIndex:
    from chinhthong.bulletins import queries

    source = queries.current_index()
    index = _state.get("bulletins")
    if index is not None and _state.get("bulletins_from") is source and _state["plug"] is plug:
        return index
    started, before = time.perf_counter(), len(unstored.bulletins)
    latest = [(bulletin, versions[-1]) for bulletin, versions in source.forwards.versions.items()]
    stored = _stored_bulletin_terms(
        [v for b, v in latest if ("bulletin", b, v.number) not in _normalised]
    )
    items = []
    for bulletin_id, version in latest:
        key = (bulletin_id, version.number)
        terms = stored.get(key)
        items.append(
            (
                bulletin_id,
                _prepared(("bulletin", *key), version.text, terms, unstored.bulletins, key),
            )
        )
    index = TextIndex.of("bulletin", items, contain=True, embedder=plug)
    took = time.perf_counter() - started
    _log_build("bulletins", len(index), took, len(unstored.bulletins) - before)
    _state.update(bulletins=index, bulletins_from=source, plug=plug)
    return index


# --- stored terms: written back, prepared ahead of time ----------------------------------------
def _chunks(items: Sequence, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _store_reports(rows: Sequence[tuple[int, dict]]) -> None:
    """Report.match_terms of these reports: one UPDATE a row, sent together (executemany; 18
    times faster than bulk_update's CASE on SQLite). Only this column is written."""
    from django.db import connection, transaction

    from chinhthong.reports.models import Report

    field = Report._meta.get_field("match_terms")
    quote = connection.ops.quote_name
    table, key = quote(Report._meta.db_table), quote(Report._meta.pk.column)  # names, not data
    sql = f"UPDATE {table} SET {quote(field.column)} = %s WHERE {key} = %s"  # noqa: S608
    for chunk in _chunks(rows, STORE_BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                sql, [(field.get_db_prep_save(terms, connection), pk) for pk, terms in chunk]
            )


def _store_versions(rows: Sequence[tuple[int, dict]]) -> None:
    """BulletinTerms of these versions (their ids), replacing any of another TERMS_VERSION."""
    from chinhthong.reports.models import BulletinTerms

    for chunk in _chunks(rows, STORE_BATCH):
        BulletinTerms.objects.bulk_create(
            [BulletinTerms(version_id=pk, terms=terms) for pk, terms in chunk],
            update_conflicts=True,
            unique_fields=["version"],
            update_fields=["terms"],
        )


def _store(unstored: _Unstored) -> None:
    """Write the terms an index build prepared (once the transaction it ran in commits)."""
    from chinhthong.bulletins.models import BulletinVersion

    _store_reports(unstored.reports)
    for chunk in _chunks(unstored.bulletins, STORE_BATCH):
        wanted = dict(chunk)
        versions = BulletinVersion.objects.filter(
            bulletin_id__in={bulletin for bulletin, _number in wanted}
        ).values_list("pk", "bulletin_id", "number")
        _store_versions([(pk, wanted[(b, n)]) for pk, b, n in versions if (b, n) in wanted])
    log.info(
        "matching: terms stored for %s reports and %s bulletins",
        len(unstored.reports),
        len(unstored.bulletins),
    )


def missing_terms() -> tuple[list[int], list[int]]:
    """The ids of the reports, and of the bulletin versions the index uses (each published
    bulletin's latest public one), without terms of this TERMS_VERSION stored."""
    from chinhthong.bulletins.queries import public_versions
    from chinhthong.reports.models import BulletinTerms, Report

    reports = [
        pk
        for pk, version in Report.objects.order_by("pk")
        .values_list("pk", "match_terms__v")
        .iterator(chunk_size=5000)
        if version != TERMS_VERSION
    ]
    latest: dict[int, int] = {}
    versions = public_versions().order_by("bulletin_id", "number").values_list("pk", "bulletin_id")
    for pk, bulletin_id in versions.iterator(chunk_size=5000):
        latest[bulletin_id] = pk
    done = set(
        BulletinTerms.objects.filter(terms__v=TERMS_VERSION).values_list("version_id", flat=True)
    )
    return reports, [pk for pk in latest.values() if pk not in done]


def prepare_reports(ids: Sequence[int]) -> None:
    """Prepare and store the terms of these reports."""
    from chinhthong.reports.models import Report

    rows = Report.objects.filter(pk__in=ids).values_list("pk", "claim")
    _store_reports([(pk, terms_of(claim)) for pk, claim in rows])


def prepare_versions(ids: Sequence[int]) -> None:
    """Prepare and store the terms of these bulletin versions (the text the index reads)."""
    from chinhthong.bulletins.forwards import version_text
    from chinhthong.bulletins.models import BulletinVersion

    rows = BulletinVersion.objects.filter(pk__in=ids).values_list(
        "pk", "title", "summary", "body_html"
    )
    _store_versions(
        [(pk, terms_of(version_text(title, summary, body))) for pk, title, summary, body in rows]
    )


def search(
    text: str | Sequence[str],
    *,
    kinds: Sequence[str] = ("case", "bulletin"),
    limit: int = 10,
    floor: float = 0.0,
    exclude_case: int | None = None,
) -> list[Hit]:
    """Cases and published bulletins that say what ``text`` says (one text, or several whose
    best scores count: a case's claims), best first: Hit(kind, case or bulletin id, 0..1)."""
    from django.db import transaction

    from chinhthong.reports.models import Report

    texts = [text] if isinstance(text, str) else list(text)
    queries = [normalise(t) for t in texts if t]
    plug = embedder()
    best: dict[tuple[str, int], float] = {}
    unstored = _Unstored()
    with _lock, _collector_paused():
        if _state.get("plug") is not plug:
            _state.clear()
        reports = _report_index(plug, unstored) if "case" in kinds else None
        bulletins = _bulletin_index(plug, unstored) if "bulletin" in kinds else None
    if unstored:  # after the transaction this runs in (an intake's): not holding its rows
        transaction.on_commit(partial(_store, unstored), robust=True)
    for query in queries:
        if reports is not None:
            found = reports.search(query, limit=max(limit * 4, 40), floor=floor)
            cases = dict(
                Report.objects.filter(pk__in=[h.id for h in found]).values_list("pk", "case_id")
            )
            for hit in found:
                case = cases.get(hit.id)
                if case is not None and case != exclude_case:
                    key = ("case", case)
                    best[key] = max(best.get(key, 0.0), hit.score)
        if bulletins is not None:
            for hit in bulletins.search(query, limit=limit, floor=floor):
                key = ("bulletin", hit.id)
                best[key] = max(best.get(key, 0.0), hit.score)
    hits = [Hit(kind, key, score) for (kind, key), score in best.items()]
    hits.sort(key=lambda h: (-h.score, h.kind, h.id))
    return hits[:limit]
