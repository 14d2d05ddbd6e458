"""The ZIP of a referral package (package.py builds what goes in it): fixed member order and
dates, so that the package of a referral is the same bytes on every build; the manifests in the
format of ``sha256sum``."""

import io
import json
import re
import unicodedata
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from chinhthong.config.refusals import Refused
from chinhthong.reports import evidence
from chinhthong.reports.models import EvidenceKind

PDF_NAME = "ho-so-chuyen-xu-ly.pdf"
EVIDENCE_FOLDER = "bang-chung"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _safe_name(name: str) -> str:
    """A file name for inside the archive: no folders, no control characters, ASCII letters
    kept with their diacritics stripped so every unzip tool shows it alike."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", base.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.")
    return cleaned[:80] or "tep"


def _zip_info(path: str, when: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=when.astimezone(ZONE).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info


def _as_shared(item, with_contacts: bool) -> tuple[str | None, str]:
    """Which bytes of an evidence file a body receives: the original when reporters may be
    named; otherwise a picture's copy without its metadata (EXIF can place and name the phone
    that took it), and no forwarded message (its headers name its sender), which the handlers
    keep. (digest or None, why it differs from the original)."""
    if with_contacts:
        return item.sha256, ""
    if item.kind == EvidenceKind.MESSAGE:
        return None, "the forwarded message names its sender; the handlers keep it"
    if item.shown_sha256 and item.shown_sha256 != item.sha256:
        return item.shown_sha256, "the picture without its metadata"
    return item.sha256, ""


def archive(case, recipient, when: datetime, items, head, pdf: bytes, *, with_contacts: bool):
    """The ZIP of a referral package: each evidence file (``items``, in order) as the body may
    have it, the PDF ``pdf``, manifest.json and manifest-sha256.txt, every member dated
    ``when``."""
    files = []
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        for number, item in enumerate(items, start=1):
            digest, note = _as_shared(item, with_contacts)
            if digest is None:
                files.append(
                    {"name": item.name, "kind": item.kind, "sha256": item.sha256, "withheld": note}
                )
                continue
            try:
                data = evidence.read(digest)
            except OSError:
                raise Refused(
                    _("The evidence file “%(name)s” is missing from the store.")
                    % {"name": item.name},
                    code="evidence_missing",
                ) from None
            path = f"{EVIDENCE_FOLDER}/{number:03d}-{digest[:12]}-{_safe_name(item.name)}"
            zipped.writestr(_zip_info(path, when), data)
            files.append(
                {
                    "path": path,
                    "sha256": digest,
                    **({"original_sha256": item.sha256, "copy": note} if note else {}),
                    "size": len(data),
                    "name": item.name,
                    "kind": item.kind,
                    "content_type": item.content_type,
                    "report": item.report.tracking_code if item.report_id else None,
                    "received_at": item.created_at.isoformat(),
                }
            )
        zipped.writestr(_zip_info(PDF_NAME, when), pdf)
        manifest = {
            "case": case.number,
            "claim": case.title,
            "generated_at": when.isoformat(),
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
        zipped.writestr(_zip_info("manifest.json", when), manifest_bytes)
        lines = [f"{f['sha256']}  {f['path']}" for f in files if "path" in f]
        lines.append(f"{evidence.sha256(pdf)}  {PDF_NAME}")
        lines.append(f"{evidence.sha256(manifest_bytes)}  manifest.json")
        zipped.writestr(_zip_info("manifest-sha256.txt", when), "\n".join(lines) + "\n")
    return out.getvalue()
