"""The referral package of a case: a PDF summary in Vietnamese for the body it is referred to,
and a ZIP of the evidence exactly as received with a manifest of hashes.

The PDF (WeasyPrint, set in Noto Sans from Debian's fonts-noto-core, which writes Vietnamese)
holds the case, the claim, the reported links with the verifier's verdicts and the captures of
the pages, the reports, the evidence with SHA-256 and sizes, the verdict and finding, the
custody log and its signed head. It is an official document for Vietnamese bodies: its fixed
text is Vietnamese whatever the reader's language. The reporters' identity and contact are in
it only when settings.REFERRAL_INCLUDES_CONTACT says so (docs/privacy.md).

The ZIP holds every evidence file's original bytes (read through evidence.read, which refuses
a file changed on disk), the PDF, manifest.json and manifest-sha256.txt (the format of
``sha256sum``, so ``sha256sum -c manifest-sha256.txt`` checks an unpacked copy).
"""

import io
import json
import logging
import re
import unicodedata
import zipfile
from typing import NamedTuple

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chinhthong.checks.services import VERDICT_LABELS
from chinhthong.config.refusals import Refused
from chinhthong.reports import evidence, labels
from chinhthong.reports.models import Capture, Case, CustodyEntry, CustodyHead, Referral, Report

# WeasyPrint reports each step of each document at INFO; its warnings still pass.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PDF_NAME = "ho-so-chuyen-xu-ly.pdf"
EVIDENCE_FOLDER = "bang-chung"

# The fixed labels of the document, in Vietnamese (the labels of the national anti-fake-news
# centre for the verdicts).
STATES = {
    "new": "Mới tiếp nhận",
    "triage": "Đang phân loại",
    "investigating": "Đang xác minh",
    "decided": "Đã có kết luận",
    "referred": "Đã chuyển xử lý",
    "closed": "Đã đóng",
    "rejected": "Không đủ căn cứ xử lý",
}
VERDICTS = {
    "fabricated": "Tin giả",
    "false": "Tin sai sự thật",
    "true": "Tin xác thực",
    "unverifiable": "Chưa thể xác minh",
}
INTAKES = {
    "web": "Biểu mẫu công khai",
    "staff": "Biểu mẫu của cán bộ",
    "api": "Giao diện lập trình (API)",
    "mail": "Thư điện tử",
}
EVIDENCE_KINDS = {
    "screenshot": "Ảnh chụp màn hình",
    "attachment": "Tệp đính kèm",
    "message": "Thư chuyển tiếp",
    "warc": "Bản lưu trang web (WARC)",
}
CAPTURES = {
    "pending": "Đang chờ lưu",
    "done": "Đã lưu",
    "refused": "Từ chối truy cập",
    "failed": "Không lưu được",
}
REFERRAL_STATUSES = {
    "sent": "Đã chuyển",
    "received": "Đã tiếp nhận",
    "handling": "Đang xử lý",
    "done": "Đã xử lý xong",
    "declined": "Từ chối xử lý",
}
SYSTEM = "Hệ thống"
REPORTER = "Người phản ánh"


class Package(NamedTuple):
    pdf: bytes
    zip: bytes
    pdf_sha256: str
    zip_sha256: str
    evidence_count: int
    contacts_included: bool


def contacts_included() -> bool:
    return bool(settings.REFERRAL_INCLUDES_CONTACT)


def _no_fetching(url: str, *args, **kwargs):
    # Everything the document shows is in its HTML; it loads nothing, from anywhere.
    raise ValueError(f"not fetched: {url[:80]}")


def _actor(label: str, reporters: set[int], with_contacts: bool) -> str:
    if label == "system" or not label.startswith("user:"):
        return SYSTEM if label == "system" else label
    _user, pk, username = [*label.split(":", 2), "", ""][:3]
    if pk.isdigit() and int(pk) in reporters and not with_contacts:
        return REPORTER
    return username or label


def _summary(entry: CustodyEntry) -> str:
    """A line on what the entry recorded (its full detail is in the custody log)."""
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    if entry.action in ("report_received", "report_joined") and detail.get("report"):
        return f"Mã phản ánh {detail['report']}"
    if entry.action == "evidence_added":
        return f"{detail.get('name', '')} · SHA-256 {str(detail.get('sha256', ''))[:16]}…"
    if entry.action == "referred":
        return f"Chuyển đến {detail.get('recipient_name') or detail.get('recipient', '')}"
    if entry.action == "referral_updated":
        status = (detail.get("status") or {}).get("to", "")
        return f"{detail.get('recipient', '')}: {REFERRAL_STATUSES.get(status, status)}"
    if entry.action == "case_opened":
        return str(detail.get("number", ""))
    if entry.action == "decided":
        return VERDICTS.get(detail.get("verdict", ""), "")
    if entry.action == "state_changed" and detail.get("to"):
        return f"{STATES.get(detail.get('from'), detail.get('from'))} → {STATES.get(detail['to'])}"
    state = detail.get("state")
    if isinstance(state, dict) and state.get("to"):
        return f"{STATES.get(state.get('from'), state.get('from'))} → {STATES.get(state['to'])}"
    return ""


def _link_rows(reports: list[Report]) -> list[dict]:
    captures = {
        c.link_id: c
        for c in Capture.objects.filter(link__report__in=reports).select_related("warc")
    }
    rows = []
    for report in reports:
        for link in report.links.all():
            verdict = (link.verdict or {}).get("verdict", "")
            reasons = [
                r.get("message") or r.get("code", "")
                for r in (link.verdict or {}).get("reasons", [])
                if isinstance(r, dict)
            ]
            capture = captures.get(link.pk)
            rows.append(
                {
                    "url": link.url,
                    "platform": link.platform,
                    "report": report.tracking_code,
                    "verdict": str(VERDICT_LABELS.get(verdict, verdict)) if verdict else "",
                    "reasons": reasons,
                    "capture": capture,
                    "capture_status": CAPTURES.get(capture.status, "") if capture else "",
                }
            )
    return rows


def context(case: Case, recipient=None) -> dict:
    """What the document shows; ``recipient``: the body it is addressed to (None: to no one,
    as a handler's copy)."""
    from chinhthong.portal.services import identity

    with_contacts = contacts_included()
    reports = list(
        Report.objects.filter(case=case)
        .select_related("reporter", "unit")
        .prefetch_related("links")
        .order_by("received_at", "pk")
    )
    reporters = {r.reporter_id for r in reports if r.reporter_id}
    entries = list(CustodyEntry.objects.filter(case=case).order_by("seq"))
    referral = (
        Referral.objects.filter(case=case, recipient=recipient).first() if recipient else None
    )
    return {
        "case": case,
        "state": STATES.get(case.state, case.state),
        "verdict": VERDICTS.get(case.verdict, ""),
        "recipient": recipient,
        "referral": referral,
        "referral_status": REFERRAL_STATUSES.get(referral.status, "") if referral else "",
        "sender": identity().name,
        "generated_at": timezone.now(),
        "with_contacts": with_contacts,
        "reports": [
            {"report": r, "intake": INTAKES.get(r.intake, r.intake), "links": r.links.all()}
            for r in reports
        ],
        "links": _link_rows(reports),
        "evidence": [
            {"item": item, "kind": EVIDENCE_KINDS.get(item.kind, item.kind)}
            for item in case.evidence.select_related("report").order_by("created_at", "pk")
        ],
        "timeline": [
            {
                "entry": entry,
                "action": labels.action(entry.action),
                "actor": _actor(entry.actor, reporters, with_contacts),
                "summary": _summary(entry),
            }
            for entry in entries
        ],
        "head": CustodyHead.objects.filter(case=case).first(),
    }


def referral_pdf(case: Case, recipient=None) -> bytes:
    """The PDF summary of ``case`` addressed to ``recipient``."""
    from weasyprint import CSS, HTML

    with translation.override("vi"), timezone.override(settings.TIME_ZONE):
        html = render_to_string("reports/package/referral.html", context(case, recipient))
        css = render_to_string("reports/package/referral.css")
    document = HTML(string=html, url_fetcher=_no_fetching)
    return document.write_pdf(stylesheets=[CSS(string=css, url_fetcher=_no_fetching)])


def _safe_name(name: str) -> str:
    """A file name for inside the archive: no folders, no control characters, ASCII letters
    kept with their diacritics stripped so every unzip tool shows it alike."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", base.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.")
    return cleaned[:80] or "tep"


def _zip_info(path: str, when) -> zipfile.ZipInfo:
    local = timezone.localtime(when)
    info = zipfile.ZipInfo(path, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def evidence_zip(case: Case, recipient=None, *, pdf: bytes | None = None) -> bytes:
    """Every evidence file of ``case`` as received, the PDF summary, manifest.json and
    manifest-sha256.txt. Refused when a stored file is missing or no longer matches its
    hash: a package is never made with evidence that changed."""
    if pdf is None:
        pdf = referral_pdf(case, recipient)
    now = timezone.now()
    files = []
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number, item in enumerate(case.evidence.order_by("created_at", "pk"), start=1):
            try:
                data = evidence.read(item.sha256)
            except OSError:
                raise Refused(
                    _("The evidence file “%(name)s” is missing from the store.")
                    % {"name": item.name},
                    code="evidence_missing",
                ) from None
            path = f"{EVIDENCE_FOLDER}/{number:03d}-{item.sha256[:12]}-{_safe_name(item.name)}"
            archive.writestr(_zip_info(path, item.created_at), data)
            files.append(
                {
                    "path": path,
                    "sha256": item.sha256,
                    "size": len(data),
                    "name": item.name,
                    "kind": item.kind,
                    "content_type": item.content_type,
                    "report": item.report.tracking_code if item.report_id else None,
                    "received_at": item.created_at.isoformat(),
                }
            )
        archive.writestr(_zip_info(PDF_NAME, now), pdf)
        head = CustodyHead.objects.filter(case=case).first()
        manifest = {
            "case": case.number,
            "claim": case.title,
            "generated_at": now.isoformat(),
            "recipient": recipient.code if recipient else None,
            "summary": {"path": PDF_NAME, "sha256": evidence.sha256(pdf), "size": len(pdf)},
            "evidence": files,
            "custody_head": (
                {
                    "seq": head.seq,
                    "digest": head.digest,
                    "signature": head.signature,
                    "key_id": head.key_id,
                    "signed_at": head.signed_at.isoformat(),
                }
                if head
                else None
            ),
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"
        archive.writestr(_zip_info("manifest.json", now), manifest_bytes)
        lines = [f"{f['sha256']}  {f['path']}" for f in files]
        lines.append(f"{evidence.sha256(pdf)}  {PDF_NAME}")
        lines.append(f"{evidence.sha256(manifest_bytes)}  manifest.json")
        archive.writestr(_zip_info("manifest-sha256.txt", now), "\n".join(lines) + "\n")
    return out.getvalue()


def build(case: Case, recipient=None) -> Package:
    """The PDF and the ZIP that holds it, with their hashes."""
    pdf = referral_pdf(case, recipient)
    archive = evidence_zip(case, recipient, pdf=pdf)
    return Package(
        pdf=pdf,
        zip=archive,
        pdf_sha256=evidence.sha256(pdf),
        zip_sha256=evidence.sha256(archive),
        evidence_count=case.evidence.count(),
        contacts_included=contacts_included(),
    )
