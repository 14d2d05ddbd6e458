"""Identifiers as the source documents printed them. Letter 1341/STTTT-TTBCXB prints the
Government's page cut short (facebook.com/thongtinchinhp/) and the DDCI page as an address with
spaces: residents paste what the letter shows, and deserve to hear that it is the letter's
form, what is wrong with it, and where the real channel is — or that it is still being
confirmed."""

import re
from typing import NamedTuple

from chinhthong.verify.results import ChannelRef

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


class Printed(NamedTuple):
    channel: ChannelRef
    document: str  # number, and date when known: "1341/STTTT-TTBCXB (31/07/2020)"
    problem: str  # cut_short, differs or invalid


def key(text: str) -> str:
    """A printed identifier as compared: no scheme, www., trailing slash, case or extra spaces."""
    text = " ".join(text.strip().lower().split())
    text = _SCHEME.sub("", text)
    for prefix in ("www.", "m."):
        text = text.removeprefix(prefix)
    return text.rstrip("/ ").removeprefix("@")


def printed_forms(
    channels: list[tuple[dict, ChannelRef, str]], documents: dict
) -> dict[str, Printed]:
    """key -> what was printed, for the channels whose printed identifier is not their real
    one. ``channels``: (entry, reference, real identifier or ""); ``documents``: number -> the
    document's entry."""
    found: dict[str, Printed] = {}
    for entry, ref, identifier in channels:
        printed = entry.get("identifier_as_printed") or ""
        if not printed:
            continue
        printed_key, real = key(printed), key(identifier) if identifier else ""
        if printed_key == real or (ref.url and printed_key == key(ref.url)):
            continue
        if not real:
            problem = "invalid"
        elif real.startswith(printed_key):
            problem = "cut_short"
        else:
            problem = "differs"
        document = _document(entry.get("source"), documents)
        found.setdefault(printed_key, Printed(ref, document, problem))
    return found


def _document(number: str | None, documents: dict) -> str:
    if not number:
        return ""
    date = (documents.get(number) or {}).get("date") or ""
    if date:
        year, month, day = str(date).split("-")
        return f"{number} ({day}/{month}/{year})"
    return number
