"""Reading blocklist feeds (PhishTank, OpenPhish, URLhaus, plain lists) into canonical
entries: links canonicalised as browsers do (ada-url), hosts as IDNA lowercase."""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from chinhthong.verify import canonical
from chinhthong.verify.blocklist import HOST, URL
from chinhthong.verify.canonical import InvalidIdentifier
from chinhthong.verify.urls import parse, scheme_of

FORMATS = ("phishtank", "openphish", "urlhaus", "plain")


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # URL or HOST
    value: str


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    text: str


def entry_for(text: str) -> Entry | None:
    """A URL (with a scheme) or a bare host; None when it is neither."""
    text = text.strip()
    if not text:
        return None
    if scheme_of(text):
        link = parse(text)
        return Entry(URL, link.href) if link else None
    try:
        return Entry(HOST, canonical.canonical_host(text.lstrip("*.").rstrip("/")))
    except InvalidIdentifier:
        return None


def read(data: bytes, fmt: str) -> Iterator[Entry | BadLine]:
    """Entries of a feed; lines that hold no usable entry come out as BadLine."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    text = data.decode("utf-8", errors="replace")
    if fmt == "phishtank":
        yield from _phishtank(text)
    elif fmt == "urlhaus":
        yield from _csv_column(text, "url", skip_comments=True)
    else:
        yield from _lines(text)


def _lines(text: str) -> Iterator[Entry | BadLine]:
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip() if not scheme_of(line.strip()) else line.strip()
        if not line:
            continue
        entry = entry_for(line)
        yield entry if entry else BadLine(number, line[:200])


def _phishtank(text: str) -> Iterator[Entry | BadLine]:
    if text.lstrip().startswith("["):
        for number, item in enumerate(json.loads(text), 1):
            entry = entry_for(str(item.get("url", ""))) if isinstance(item, dict) else None
            yield entry if entry else BadLine(number, str(item)[:200])
        return
    yield from _csv_column(text, "url", skip_comments=False)


def _csv_column(text: str, column: str, skip_comments: bool) -> Iterator[Entry | BadLine]:
    lines = text.splitlines()
    if skip_comments:
        # URLhaus puts its header in a comment: "# id,dateadded,url,..."
        header = next(
            (
                ln.lstrip("# ").strip()
                for ln in lines
                if ln.startswith("#") and column in next(csv.reader([ln.lstrip("# ")]), [])
            ),
            None,
        )
        body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
        rows = csv.reader(io.StringIO("\n".join(([header] if header else []) + body)))
    else:
        rows = csv.reader(io.StringIO(text))
    names = next(rows, None)
    if not names or column not in names:
        yield BadLine(1, f"no “{column}” column")
        return
    position = names.index(column)
    for number, row in enumerate(rows, 2):
        value = row[position] if len(row) > position else ""
        entry = entry_for(value)
        yield entry if entry else BadLine(number, ",".join(row)[:200])
