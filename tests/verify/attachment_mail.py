"""Messages with attachments for the attachment tests: written exactly as given (raw_mail) or
by the stdlib (attached), checked by an engine over the default registry."""

import base64
import importlib.util

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from tests.verify.engines import CORPUS, default_document

ENGINE = Engine(RegistryIndex.from_document(default_document()))
STRANGER = "hotro@shop-example.com"
OFFICIAL = "vanphong@quangninh.gov.vn"


def _samples():
    path = CORPUS / "eml" / "make_samples.py"
    spec = importlib.util.spec_from_file_location("make_samples_hardening", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLES = _samples()
PE = SAMPLES.PE
PDF = SAMPLES.PDF
SCRIPT = b'WScript.Echo "xin chao"\r\n'  # what a script attachment holds: plain text


def raw_mail(*parts: tuple[str, bytes], sender: str = STRANGER, auth: str | None = None) -> bytes:
    """A multipart message whose attachment headers are written exactly as given (the stdlib
    would encode names its own way)."""
    lines = [
        *([f"Authentication-Results: {auth}"] if auth else []),
        f"From: Ho tro <{sender}>",
        "To: canbo@quangninh.gov.vn",
        "Subject: Ho so",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b0"',
        "",
        "--b0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Xin chao.",
    ]
    for headers, payload in parts:
        encoded = base64.encodebytes(payload).decode("ascii").splitlines()
        lines += ["--b0", *headers.splitlines(), "Content-Transfer-Encoding: base64", "", *encoded]
    lines += ["--b0--", ""]
    return "\r\n".join(lines).encode("utf-8")


def attached(filename: str, data: bytes, sender: str = STRANGER, auth=None) -> bytes:
    """A message with one attachment, its name written by the stdlib (RFC 2231 if needed)."""
    msg = SAMPLES.message("Ho so", sender, auth=auth, attachments=((filename, data, "a/b"),))
    return SAMPLES.to_bytes(msg)


def reasons_of(result) -> list[tuple[str, dict]]:
    return [(r.code, r.params_dict) for r in result.reasons]


def codes(result) -> set[str]:
    return {r.code for r in result.reasons}


def found(result, code: str) -> list[dict]:
    return [r.params_dict for r in result.reasons if r.code == code]
