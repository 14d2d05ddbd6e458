"""The chain of custody of a case: every piece of evidence taken in and every step taken on the
case, append-only and hash-chained.

Each entry's digest is SHA-256 over the previous entry's digest and the entry's canonical JSON
(case, sequence number, time, actor, action, detail); the first entry's previous digest is 64
zeros. Changing an entry breaks its digest; removing one breaks the next entry's link. Removing
the last entries leaves a shorter chain that holds together, so the head — the last sequence
number and digest — is signed with the installation's Ed25519 key (the registry snapshot's) and
kept apart: a chain that ends before its signed head has been cut. `chinhthong reports
verify-custody CASE` checks all three.
"""

import functools
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.registry import signing
from chinhthong.reports.models import Case, CustodyEntry, CustodyHead

GENESIS = "0" * 64
HEX = frozenset("0123456789abcdef")


def canonical(case_number: str, seq: int, at: datetime, actor: str, action: str, detail) -> bytes:
    document = {
        "case": case_number,
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "detail": detail,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest_of(previous: str, body: bytes) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + body).hexdigest()


def head_body(case_number: str, seq: int, digest: str) -> bytes:
    return f"chinhthong-custody-head\n{case_number}\n{seq}\n{digest}".encode()


def actor_label(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "system"
    return f"user:{user.pk}:{user.get_username()}"


def append(case: Case, action: str, detail: dict, *, actor=None) -> CustodyEntry:
    """Add an entry to ``case``'s chain and sign the new head. Call inside the transaction
    that makes the change it records; the case row is locked so entries never interleave."""
    Case.objects.select_for_update().filter(pk=case.pk).first()
    last = CustodyEntry.objects.filter(case=case).order_by("-seq").first()
    seq = last.seq + 1 if last else 1
    previous = last.digest if last else GENESIS
    at = timezone.now()
    label = actor if isinstance(actor, str) else actor_label(actor)
    detail = json.loads(json.dumps(detail, ensure_ascii=False, default=str))
    digest = digest_of(previous, canonical(case.number, seq, at, label, action, detail))
    entry = CustodyEntry.objects.create(
        case=case,
        seq=seq,
        at=at,
        actor=label,
        action=action,
        detail=detail,
        previous=previous,
        digest=digest,
    )
    key = _signing_key()
    CustodyHead.objects.update_or_create(
        case=case,
        defaults={
            "seq": seq,
            "digest": digest,
            "signature": signing.sign(key, head_body(case.number, seq, digest)),
            "key_id": signing.key_id(key),
            "signed_at": at,
        },
    )
    return entry


def _signing_key():
    """The installation's key, read again only when its file changes (a report writes several
    entries, each signed: reading and parsing the file each time was a quarter of a report's
    cost, bench/report_intake.py)."""
    path = settings.REGISTRY_SIGNING_KEY_FILE
    stat = os.stat(path)
    return _key_from(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _key_from(path: str, _mtime_ns: int, _size: int):
    return signing.load_private_key(Path(path))


class Problem(NamedTuple):
    seq: int | None
    message: str


def verify(case: Case, public_key_pem: bytes | None = None) -> list[Problem]:
    """Every break in ``case``'s chain, in order; none when it holds."""
    if public_key_pem is None:
        public_key_pem = signing.public_pem(_signing_key())
    problems: list[Problem] = []
    previous, expected_seq = GENESIS, 1
    last_seq, last_digest = 0, GENESIS
    for entry in CustodyEntry.objects.filter(case=case).order_by("seq"):
        if entry.seq != expected_seq:
            problems.append(
                Problem(
                    entry.seq,
                    _("Entries %(from)s to %(to)s are missing.")
                    % {"from": expected_seq, "to": entry.seq - 1},
                )
            )
        if entry.previous != previous:
            problems.append(
                Problem(entry.seq, _("It does not follow the entry before it (its link differs)."))
            )
        body = canonical(case.number, entry.seq, entry.at, entry.actor, entry.action, entry.detail)
        if digest_of(entry.previous, body) != entry.digest:
            problems.append(Problem(entry.seq, _("Its content was changed after it was written.")))
        previous, expected_seq = entry.digest, entry.seq + 1
        last_seq, last_digest = entry.seq, entry.digest
    if not last_seq:
        # Every case starts with the entry that opened it.
        problems.append(Problem(None, _("The case has no chain of custody.")))
    problems += _records_against_chain(case)
    head = CustodyHead.objects.filter(case=case).first()
    if head is None:
        if last_seq:
            problems.append(Problem(None, _("The chain has no signed head.")))
        return problems
    if not signing.verify(
        public_key_pem, head_body(case.number, head.seq, head.digest), head.signature
    ):
        problems.append(Problem(None, _("The signature of the chain's head does not verify.")))
    elif head.seq > last_seq:
        problems.append(
            Problem(
                None,
                _(
                    "The chain ends at entry %(last)s but its signed head is entry %(head)s: "
                    "entries were removed from its end."
                )
                % {"last": last_seq, "head": head.seq},
            )
        )
    elif head.seq != last_seq or head.digest != last_digest:
        problems.append(Problem(None, _("The last entry is not the one the signed head names.")))
    return problems


def _recorded(value, found: set[str]) -> set[str]:
    """Every SHA-256 (64 hex digits) anywhere in an entry's detail."""
    if isinstance(value, dict):
        for item in value.values():
            _recorded(item, found)
    elif isinstance(value, list):
        for item in value:
            _recorded(item, found)
    elif isinstance(value, str) and len(value) == 64 and all(c in HEX for c in value):
        found.add(value)
    return found


def _records_against_chain(case: Case) -> list[Problem]:
    """What the case holds now against what its chain recorded: each evidence file named in it
    and whole on disk, each added file still kept, each report's claim as received."""
    from chinhthong.reports import evidence
    from chinhthong.reports.models import Evidence, Report

    entries = list(CustodyEntry.objects.filter(case=case).values_list("action", "detail"))
    recorded = set()
    for _action, detail in entries:
        _recorded(detail, recorded)
    problems = []
    for item in Evidence.objects.filter(case=case).order_by("pk"):
        if item.sha256 not in recorded:
            problems.append(
                Problem(None, _("Evidence “%(name)s” is not in the chain.") % {"name": item.name})
            )
        elif not evidence.intact(item.sha256):
            problems.append(
                Problem(
                    None,
                    _("The file of evidence “%(name)s” is missing or no longer matches its hash.")
                    % {"name": item.name},
                )
            )
    added = {
        detail.get("sha256")
        for action, detail in entries
        if action == "evidence_added" and isinstance(detail, dict)
    } - {None}
    kept = set(Evidence.objects.filter(sha256__in=added).values_list("sha256", flat=True))
    for digest in sorted(added - kept):
        problems.append(Problem(None, _("Evidence %(sha)s… was removed.") % {"sha": digest[:12]}))
    claims = {
        detail.get("report"): detail.get("claim_sha256")
        for action, detail in entries
        if action in ("report_received", "report_joined") and isinstance(detail, dict)
    }
    for code, claim in Report.objects.filter(case=case).values_list("tracking_code", "claim"):
        wanted = claims.get(code)
        if wanted and evidence.sha256(claim.encode()) != wanted:
            problems.append(
                Problem(None, _("The claim of report %(code)s was changed.") % {"code": code})
            )
    return problems
