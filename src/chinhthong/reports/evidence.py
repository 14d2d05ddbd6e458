"""Evidence files: kept exactly as received, addressed by their SHA-256, in
settings.EVIDENCE_DIR (never under the site's static or media files).

A screenshot is taken for what its bytes are, never its name or declared type: it must open as
a JPEG, PNG, WebP or GIF of a sane size, checked before anything is written. Its original is
kept (the metadata may matter to an investigator); what pages show is a copy re-encoded from
its pixels alone, without EXIF (a phone's photo carries where it was taken and on what
device). A 64-bit perceptual hash (imagehash's pHash) recognises the same screenshot
re-encoded, resized or cropped a little.
"""

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

import imagehash
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from chinhthong.config.refusals import Refused

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
MAX_SIDE = 20_000
MAX_PIXELS = 50_000_000  # a phone's screenshot is a few million; 4 bytes each when opened
# Two screenshots whose hashes differ in at most this many of 64 bits show the same picture.
NEAR_BITS = 8


class CheckedImage(NamedTuple):
    content_type: str
    original: bytes
    shown: bytes  # re-encoded from the pixels: no metadata
    phash: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_for(digest: str) -> Path:
    return Path(settings.EVIDENCE_DIR) / digest[:2] / digest[2:4] / digest


def store(data: bytes) -> str:
    """Write ``data`` under its SHA-256 (once: the same bytes are one file) and return the
    digest. Written to a temporary file and renamed, so a file under a digest is whole."""
    digest = sha256(data)
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest


def read(digest: str) -> bytes:
    """A stored file's bytes, checked against its name: a file changed on disk is refused."""
    data = path_for(digest).read_bytes()
    if sha256(data) != digest:
        raise Refused(_("The stored file no longer matches its hash."), code="evidence_changed")
    return data


def intact(digest: str) -> bool:
    try:
        return sha256(path_for(digest).read_bytes()) == digest
    except OSError:
        return False


def check_image(data: bytes, name: str = "") -> CheckedImage:
    """A screenshot's real type, its metadata-free copy and perceptual hash; Refused when the
    bytes are not an image we take (whatever the name says), or too large."""
    label = name or _("the image")
    if not data:
        raise Refused(_("“%(name)s” is empty.") % {"name": label}, code="image_empty")
    cap = settings.REPORT_IMAGE_MAX_BYTES
    if len(data) > cap:
        raise Refused(
            _("“%(name)s” is larger than %(mb)s MB.") % {"name": label, "mb": cap // 2**20},
            code="image_too_large",
        )
    not_image = Refused(
        _("“%(name)s” is not a JPEG, PNG, WebP or GIF picture.") % {"name": label},
        code="not_an_image",
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in IMAGE_FORMATS:
                raise not_image
            if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
                raise Refused(
                    _("“%(name)s” is %(w)s × %(h)s pixels: too large a picture.")
                    % {"name": label, "w": width, "h": height},
                    code="image_too_many_pixels",
                )
            probe.verify()  # the whole file, not just its header
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            shown = _without_metadata(image, kind)
            phash = str(imagehash.phash(image.convert("RGB")))
    except Refused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_image from None
    return CheckedImage(IMAGE_FORMATS[kind], data, shown, phash)


def _without_metadata(image: Image.Image, kind: str) -> bytes:
    """The picture from its pixels alone, turned upright as its EXIF said; PNG for all but
    photographs (JPEG stays JPEG)."""
    upright = ImageOps.exif_transpose(image.copy())
    out = io.BytesIO()
    if kind == "JPEG":
        upright.convert("RGB").save(out, "JPEG", quality=90)
    else:
        if upright.mode not in ("RGB", "RGBA", "L", "LA"):
            upright = upright.convert("RGBA")
        upright.save(out, "PNG", optimize=False)
    return out.getvalue()


def near(phash_a: str, phash_b: str) -> bool:
    if not (phash_a and phash_b):
        return False
    return imagehash.hex_to_hash(phash_a) - imagehash.hex_to_hash(phash_b) <= NEAR_BITS
