"""A bulletin's attached files: images (JPEG, PNG, WebP, GIF) and PDFs.

A file is taken for what its bytes are, never for its name or the type its sender declared:
puremagic names the type, then the file must be whole (an image's header gives a sane size; a
PDF ends with its end-of-file mark). SVG is refused (a document that can carry script), and so
is a PDF that asks to run something (JavaScript, a launch action, an embedded file) — the
letters this project comes from warn of exactly such "how to avoid infection" attachments.
Sizes are capped (settings.BULLETIN_IMAGE_MAX_BYTES, BULLETIN_PDF_MAX_BYTES) before anything
is stored, and each file's SHA-256 is kept. The body refers to a file by its name
(``![Bản đồ](ban-do.png)``), which services.render_body turns into the file's address.

Limit: a PDF may hide a script inside a compressed object stream, which the scan of its bytes
does not open; the file is served as a download, never shown by the site.
"""

import hashlib
import re

import puremagic
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chinhthong.bulletins import services
from chinhthong.bulletins.models import Attachment, Bulletin, BulletinVersion, Status
from chinhthong.config.refusals import NotFound, Refused
from chinhthong.portal import images
from chinhthong.verify.text import fold

PDF = "application/pdf"
# content type -> (name shown to editors, file extension)
IMAGES = {
    "image/jpeg": ("JPEG", "jpg"),
    "image/png": ("PNG", "png"),
    "image/webp": ("WebP", "webp"),
    "image/gif": ("GIF", "gif"),
}
FORMATS = {**IMAGES, PDF: ("PDF", "pdf")}
# Each side of an image at most this many pixels: a phone opening a 50,000-pixel-wide
# picture runs out of memory.
MAX_SIDE = 10_000
# And at most this many in all: a picture is opened whole, about 4 bytes a pixel (a 10,000 ×
# 10,000 one would take 400 MB); 50 million holds the largest phone camera's photos.
MAX_PIXELS = 50_000_000
MAX_NAME_CHARS = 100
# Names a PDF uses to run something when opened (after #xx escapes are decoded).
_ACTIVE_PDF = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)\b")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def cap(content_type: str | None = None) -> int:
    """The most a file of ``content_type`` may be; with no type, the most any file may be."""
    if content_type is None:
        return max(settings.BULLETIN_IMAGE_MAX_BYTES, settings.BULLETIN_PDF_MAX_BYTES)
    return (
        settings.BULLETIN_PDF_MAX_BYTES
        if content_type == PDF
        else settings.BULLETIN_IMAGE_MAX_BYTES
    )


def size_label(size: int) -> str:
    """A file's size as people read it: "269 B", "3,4 KB", "1,2 MB"."""
    return filesizeformat(size) if size >= 1024 else f"{size} B"


def accepted() -> str:
    return ", ".join(name for name, _extension in FORMATS.values())


def check_file(data: bytes) -> str:
    """The content type of ``data`` when it may be attached; raises Refused saying why not."""
    if not data:
        raise Refused(_("The file is empty."), code="empty")
    if len(data) > cap():
        raise _too_large(cap())
    if images._looks_like_svg(data):
        raise Refused(
            _("SVG files are not accepted: they can carry scripts. Save the image as PNG."),
            code="svg",
        )
    content_type = _sniff(data)
    if content_type not in FORMATS:
        raise Refused(
            _("The file is not of an accepted type (%(types)s).") % {"types": accepted()},
            code="type",
        )
    if len(data) > cap(content_type):
        raise _too_large(cap(content_type))
    if content_type == PDF:
        _check_pdf(data)
    else:
        _check_image(data, content_type)
    return content_type


def _too_large(limit: int) -> Refused:
    return Refused(
        _("The file is larger than %(size)s, the most it may be.")
        % {"size": filesizeformat(limit)},
        code="too_large",
    )


def _sniff(data: bytes) -> str:
    """The type puremagic is surest of, when it is one of ours."""
    try:
        matches = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        return ""
    best = max((match.confidence for match in matches), default=0)
    sure = [match.mime_type for match in matches if match.confidence == best]
    return next((mime for mime in sure if mime in FORMATS), "")


def _damaged(kind: str) -> Refused:
    return Refused(
        _("The file does not look like a whole %(type)s file: it may be damaged.") % {"type": kind},
        code="damaged",
    )


def _check_image(data: bytes, content_type: str) -> None:
    # The same header readers as the site's emblem (portal/images.py); its own signature too.
    if images._sniff(data) != content_type:
        raise _damaged(IMAGES[content_type][0])
    size = images._SIZE_READERS[content_type](data)
    if size is None:
        raise _damaged(IMAGES[content_type][0])
    width, height = size
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise Refused(
            _("The image is %(width)s×%(height)s pixels; each side may be at most %(max)s.")
            % {"width": width, "height": height, "max": MAX_SIDE},
            code="image_size",
        )
    if width * height > MAX_PIXELS:
        raise Refused(
            _(
                "The image is %(width)s×%(height)s pixels, more than %(max)s million in all; "
                "make it smaller."
            )
            % {"width": width, "height": height, "max": MAX_PIXELS // 1_000_000},
            code="image_size",
        )


def _check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise _damaged("PDF")
    decoded = _PDF_NAME_ESCAPE.sub(lambda found: bytes([int(found.group(1), 16)]), data)
    found = _ACTIVE_PDF.search(decoded)
    if found:
        raise Refused(
            _(
                "The PDF asks to run something when it is opened (%(what)s); save it again "
                "as a plain PDF (Print → Save as PDF)."
            )
            % {"what": found.group(1).decode()},
            code="active_pdf",
        )


def clean_name(name: str, content_type: str) -> str:
    """The name a file is kept under: its name without accents or spaces, and the extension of
    what it really is ("Bản đồ vùng ngập.PNG" → "ban-do-vung-ngap.png")."""
    stem = re.split(r"[/\\]", name or "")[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    base = slugify(fold(stem))[:MAX_NAME_CHARS].strip("-") or "tep"
    return f"{base}.{FORMATS[content_type][1]}"


def _unique_name(bulletin: Bulletin, name: str, *, exclude: int | None = None) -> str:
    taken = set(bulletin.attachments.exclude(pk=exclude).values_list("name", flat=True))
    stem, extension = name.rsplit(".", 1)
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}.{extension}"
    return candidate


@transaction.atomic
def add_attachment(bulletin: Bulletin, *, name: str, data: bytes, actor) -> Attachment:
    """Attach a file to a bulletin that is not cancelled. Attached to a published one, it
    serves a correction (which names it) and stays unpublished until one is made
    (``public_files``); the versions already published stay as they are."""
    content_type = check_file(data)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status == Status.CANCELLED:
        raise Refused(_("This bulletin was cancelled."), code="cancelled")
    digest = hashlib.sha256(data).hexdigest()
    same = bulletin.attachments.filter(sha256=digest).first()
    if same is not None:
        raise Refused(
            _("This file is attached already, as “%(name)s”.") % {"name": same.name},
            code="duplicate",
        )
    attachment = Attachment(
        bulletin=bulletin,
        name=_unique_name(bulletin, clean_name(name, content_type)),
        content_type=content_type,
        size=len(data),
        sha256=digest,
        data=data,
    )
    attachment.full_clean(exclude=["bulletin"])
    attachment.save()
    services.rerender_draft(bulletin)
    services.record(
        bulletin,
        _("File attached: %(name)s") % {"name": attachment.name[:60]},
        actor=actor,
    )
    return attachment


@transaction.atomic
def rename_attachment(attachment: Attachment, name: str, *, actor) -> Attachment:
    """Give a file of an unpublished bulletin another name (its extension stays that of its
    type). A published bulletin's text names its files: they keep their names."""
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    bulletin = attachment.bulletin
    if bulletin.status not in (Status.DRAFT, Status.SCHEDULED):
        raise Refused(
            _("The files of a published or cancelled bulletin keep their names."),
            code="published",
        )
    new = _unique_name(bulletin, clean_name(name, attachment.content_type), exclude=attachment.pk)
    if new == attachment.name:
        return attachment
    old, attachment.name = attachment.name, new
    attachment.save(update_fields=["name"])
    services.rerender_draft(bulletin)
    services.record(
        bulletin,
        _("File renamed: %(old)s → %(new)s") % {"old": old[:40], "new": new[:40]},
        actor=actor,
    )
    return attachment


# --- who may fetch a file ------------------------------------------------------------------------
def public_files() -> QuerySet[Attachment]:
    """The files a published version came with: attached before the bulletin was published,
    or before a correction of it. One attached since waits, unseen, for the correction that
    names it: a signed version's page never gains a file nobody signed."""
    corrected_since = BulletinVersion.objects.filter(
        bulletin=OuterRef("bulletin"), created_at__gte=OuterRef("created_at")
    ).exclude(signature="")
    return Attachment.objects.filter(
        Q(created_at__lte=F("bulletin__published_at")) | Exists(corrected_since),
        bulletin__status=Status.PUBLISHED,
    )


def visible_to(user) -> QuerySet[Attachment]:
    """A published version's files are public; the others only for those who may see the
    bulletin in the back office."""
    if user is not None and user.is_active and user.has_perm("bulletins.view_bulletin"):
        return Attachment.objects.all()
    return public_files()


def attachment_for(user, pk: int) -> Attachment:
    """The file, if ``user`` may fetch it; a forbidden one and a missing one are alike."""
    found = visible_to(user).select_related("bulletin").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There is no such file."), code="not_found")
    return found
