"""Writes the sample messages of tests/verify/corpus/eml/ and their expectations in
tests/verify/corpus/eml_cases.jsonl.

Run `python tests/verify/corpus/eml/make_samples.py` after changing a sample; the output is
deterministic (fixed dates, message ids and MIME boundaries) so regenerated files diff cleanly,
except the 7z archives, which carry their write time and, when encrypted, a random IV.
Every message is built with the stdlib email package; the few attachments the standard library
cannot write (an OLE document with a VBA project, RAR archives) are assembled byte by byte.

This module is the entry point; the modules beside it hold the rest:
- eml_building.py: the Sample record and the helpers that build and serialise a message;
- eml_attachment_bytes.py: attachment contents and the archives and documents built by hand;
- eml_samples_senders.py, eml_samples_links.py, eml_samples_attachments.py,
  eml_samples_structure.py, eml_samples_unknown.py: the samples, by what they test.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE.parent / "eml_cases.jsonl"
# The tests load this file by its path, not as part of a package, so the modules beside it are
# only importable once this folder is on the import path (hence their eml_ prefix: names that
# will not clash with another module on that path).
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from eml_attachment_bytes import (  # noqa: E402
    LNK,
    PDF,
    PE,
    iso_image,
    ole_with_vba,
    rar4,
    seven_zip,
    zip_of,
)
from eml_building import DATE, RECEIVER, Sample, auth, message, to_bytes  # noqa: E402
from eml_samples_attachments import attachment_samples  # noqa: E402
from eml_samples_links import link_samples  # noqa: E402
from eml_samples_senders import sender_samples  # noqa: E402
from eml_samples_structure import (  # noqa: E402
    bad_base64,
    deep_nesting,
    forwarded,
    huge_headers,
    structure_samples,
    truncated,
)
from eml_samples_unknown import unknown_samples  # noqa: E402

# Every name this module offered before it was split; tests/verify/test_mail*.py load it by
# path and use several of them.
__all__ = [
    "CASES",
    "DATE",
    "HERE",
    "LNK",
    "PDF",
    "PE",
    "RECEIVER",
    "Sample",
    "auth",
    "bad_base64",
    "deep_nesting",
    "forwarded",
    "huge_headers",
    "iso_image",
    "main",
    "message",
    "ole_with_vba",
    "rar4",
    "samples",
    "seven_zip",
    "to_bytes",
    "truncated",
    "zip_of",
]


# --- the samples -------------------------------------------------------------------------------
def samples() -> list[Sample]:
    # The order is the order of eml_cases.jsonl.
    return [
        *sender_samples(),
        *link_samples(),
        *attachment_samples(),
        *structure_samples(),
        *unknown_samples(),
    ]


def main() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    lines = []
    for sample in samples():
        (HERE / sample.file).write_bytes(sample.raw)
        lines.append(
            json.dumps(
                {
                    "file": sample.file,
                    "expected": sample.expected,
                    "lookalike_of": sample.lookalike_of,
                    "channel": sample.channel,
                    "technique": sample.technique,
                    "reasons": list(sample.reasons),
                },
                ensure_ascii=False,
            )
        )
    CASES.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} samples to {HERE} and {CASES}")


if __name__ == "__main__":
    main()
