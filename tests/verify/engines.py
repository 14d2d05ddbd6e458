"""Engines for tests, built the way the CLI builds them without a database: from the registry
shipped in the package, and the corpus blocklist read through the feed parser."""

import copy
from functools import cache
from pathlib import Path

import yaml

from chinhthong.verify import feeds
from chinhthong.verify.blocklist import Blocklist
from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/verify/corpus"
REGISTRY = ROOT / "src/chinhthong/registry/data/default_registry.yaml"
LEGIT = ROOT / "tests/verify/data/legit-domains-vn.txt"


@cache
def default_document() -> dict:
    return yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))


def corpus_blocklist() -> Blocklist:
    entries = feeds.read((CORPUS / "blocklist.txt").read_bytes(), "plain")
    return Blocklist.from_entries(
        (e.kind, e.value, "corpus") for e in entries if isinstance(e, feeds.Entry)
    )


@cache
def corpus_engine() -> Engine:
    return Engine(RegistryIndex.from_document(default_document()), corpus_blocklist())


def engine_with(channels: list[dict], known_sites: dict[str, str] | None = None) -> Engine:
    """An engine over the shipped registry plus ``channels`` (test-only entries)."""
    document = copy.deepcopy(default_document())
    document["channels"] += channels
    return Engine(RegistryIndex.from_document(document), known_sites=known_sites)


def legit_domains() -> list[str]:
    lines = LEGIT.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
