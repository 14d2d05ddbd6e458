"""Blocklisted links and hosts, looked up in memory in constant time.

Entries arrive canonical (the Django side canonicalises them once, on import), so loading a
million of them is reading strings into two dictionaries.
"""

from collections.abc import Iterable

URL = "url"
HOST = "host"


class Blocklist:
    def __init__(
        self,
        urls: dict[str, int] | None = None,
        hosts: dict[str, int] | None = None,
        sources: list[str] | None = None,
        version: str = "",
    ):
        self.urls = urls or {}
        self.hosts = hosts or {}
        self.sources = sources or []
        self.version = version

    @classmethod
    def from_entries(
        cls, entries: Iterable[tuple[str, str, str]], version: str = ""
    ) -> "Blocklist":
        """From (kind, canonical value, source name) triples."""
        urls: dict[str, int] = {}
        hosts: dict[str, int] = {}
        sources: dict[str, int] = {}
        for kind, value, source in entries:
            number = sources.setdefault(source, len(sources))
            (urls if kind == URL else hosts)[value] = number
        return cls(urls, hosts, list(sources), version)

    def __len__(self) -> int:
        return len(self.urls) + len(self.hosts)

    def url_source(self, href: str) -> str | None:
        number = self.urls.get(href)
        return None if number is None else self.sources[number]

    def host_source(self, host: str) -> str | None:
        """A listed host matches itself and every name under it."""
        if not self.hosts:
            return None
        labels = host.split(".")
        for i in range(len(labels) - 1):
            number = self.hosts.get(".".join(labels[i:]))
            if number is not None:
                return self.sources[number]
        return None


EMPTY = Blocklist()
