"""Registrable domains from the Public Suffix List shipped in the publicsuffixlist package
(no download at run time), and host names in both their ASCII and readable forms."""

import contextlib
import copy
from functools import lru_cache

import idna
from publicsuffixlist import PublicSuffixList

_PSL = PublicSuffixList()
# The same parsed list answering None for unknown endings: accept_unknown is read per look-up,
# so a copy shares the tables instead of parsing the file a second time (25 ms at start-up).
_KNOWN_ONLY = copy.copy(_PSL)
_KNOWN_ONLY.accept_unknown = False


class DomainNames:
    def registrable(self, host: str) -> str | None:
        """example.gov.vn for a.b.example.gov.vn; None for a bare suffix or a single label."""
        return _registrable(host)

    def public_suffix(self, host: str) -> str | None:
        return _suffix(host)

    def core_label(self, registrable: str) -> str:
        """quangninh for quangninh.gov.vn; the label a person reads as the site's name."""
        suffix = _suffix(registrable)
        if not suffix or suffix == registrable:
            return ""
        return registrable[: -len(suffix) - 1]

    def name_part(self, host: str) -> str:
        """The host without its public suffix: www.quangninh-gov for www.quangninh-gov.vn."""
        suffix = _suffix(host)
        if not suffix or suffix == host:
            return host
        return host[: -len(suffix) - 1]


@lru_cache(maxsize=65536)
def _registrable(host: str) -> str | None:
    return _PSL.privatesuffix(host)


@lru_cache(maxsize=65536)
def _suffix(host: str) -> str | None:
    return _PSL.publicsuffix(host)


def readable(ascii_host: str) -> str:
    """xn--qungninh-6x0d.vn -> quảngninh.vn; hosts that do not decode stay as they are."""
    if "xn--" not in ascii_host:
        return ascii_host
    labels = []
    for label in ascii_host.split("."):
        if label.startswith("xn--"):
            try:
                label = idna.decode(label)
            except idna.IDNAError:
                with contextlib.suppress(UnicodeError):
                    label = label.encode("ascii").decode("idna")
        labels.append(label)
    return ".".join(labels)


def is_known_suffix(host: str) -> bool:
    """True when the host ends in a suffix the list knows (so "1.5" or "file.txt" is not a host)."""
    return "." in host and _KNOWN_ONLY.publicsuffix(host) is not None
