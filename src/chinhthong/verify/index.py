"""The registry, indexed for checking: built once from a snapshot document (the JSON that
/registry.json serves, or the packaged default registry) and never changed afterwards."""

from dataclasses import dataclass, field

from chinhthong.verify import canonical
from chinhthong.verify.canonical import InvalidIdentifier
from chinhthong.verify.domains import DomainNames
from chinhthong.verify.lookalike import Brand, BrandIndex, normalise
from chinhthong.verify.results import ChannelRef
from chinhthong.verify.text import fold

ACTIVE = "active"
PENDING = "pending_review"


@dataclass(frozen=True, slots=True)
class Owners:
    """The official channels behind one brand name: its website and its mail domain."""

    website: ChannelRef | None
    mail: ChannelRef | None

    def for_sender(self) -> ChannelRef:
        return self.mail or self.website

    def for_link(self) -> ChannelRef:
        return self.website or self.mail


@dataclass
class RegistryIndex:
    websites: dict[str, ChannelRef] = field(default_factory=dict)
    mail_domains: dict[str, ChannelRef] = field(default_factory=dict)
    mail_addresses: dict[str, ChannelRef] = field(default_factory=dict)
    facebook_keys: dict[str, ChannelRef] = field(default_factory=dict)
    facebook_ids: dict[str, ChannelRef] = field(default_factory=dict)
    pending: dict[tuple[str, str], ChannelRef] = field(default_factory=dict)
    # hotlines by canonical number; apps and Zalo accounts by (registry field, canonical id),
    # YouTube and TikTok accounts by (kind, handle)
    phones: dict[str, ChannelRef] = field(default_factory=dict)
    apps: dict[tuple[str, str], ChannelRef] = field(default_factory=dict)
    # folded official names (agency names, short names, channel names) -> channel to name
    official_names: dict[str, ChannelRef] = field(default_factory=dict)
    agency_names: dict[str, str] = field(default_factory=dict)
    brands: BrandIndex = field(default_factory=lambda: BrandIndex([]))
    facebook_brands: BrandIndex = field(default_factory=lambda: BrandIndex([]))
    # YouTube and TikTok handles by site, for look-alike accounts on the same site
    account_brands: dict[str, BrandIndex] = field(default_factory=dict)
    official_registrables: frozenset[str] = frozenset()
    domains: DomainNames = field(default_factory=DomainNames)
    version: str = ""

    @classmethod
    def from_document(cls, document: dict, domains: DomainNames | None = None) -> "RegistryIndex":
        index = cls(domains=domains or DomainNames())
        index.version = document.get("content_sha256", "") or str(len(document.get("channels", [])))
        agencies = {a["code"]: a for a in document.get("agencies", [])}
        index.agency_names = {code: a.get("name", code) for code, a in agencies.items()}
        owners: dict[str, dict] = {}
        for entry in document.get("channels", []):
            ref = _ref(entry, agencies)
            if entry.get("status") == ACTIVE:
                index._add_active(entry, ref, owners)
            elif entry.get("status") == PENDING:
                index._add_pending(entry, ref)
        index._add_names(document, agencies)
        brands = [
            Brand(
                core,
                o["registrable"],
                Owners(o.get("website"), o.get("mail")),
                tuple(normalise(label).final for label in o.get("labels", ())),
            )
            for core, o in owners.items()
        ]
        index.brands = BrandIndex(brands)
        index.official_registrables = frozenset(b.registrable for b in brands)
        index.facebook_brands = BrandIndex(
            [
                Brand(key, key, Owners(ref, None))
                for key, ref in index.facebook_keys.items()
                if len(key) >= 6
            ]
        )
        for site in ("youtube", "tiktok"):
            accounts = {
                canonical.handle_match_key(value): ref
                for (kind, value), ref in index.apps.items()
                if kind == site
            }
            index.account_brands[site] = BrandIndex(
                [
                    Brand(key, key, Owners(ref, None))
                    for key, ref in accounts.items()
                    if len(key) >= 6
                ]
            )
        return index

    def _add_active(self, entry: dict, ref: ChannelRef, owners: dict) -> None:
        kind, host = entry.get("kind"), _host(entry.get("host"))
        if kind == "website" and host:
            self.websites.setdefault(host, ref)
            self._add_brand(host, ref, "website", owners)
        elif kind == "mail_domain" and host:
            self.mail_domains.setdefault(host, ref)
            self._add_brand(host, ref, "mail", owners)
        elif kind == "mail_address" and entry.get("mail_address"):
            self.mail_addresses[entry["mail_address"].lower()] = ref
        elif kind == "facebook_page":
            if entry.get("facebook_username"):
                self.facebook_keys[canonical.facebook_match_key(entry["facebook_username"])] = ref
            if entry.get("facebook_page_id"):
                self.facebook_ids[str(entry["facebook_page_id"])] = ref
        for key, value in _other_identifiers(entry):
            if key == "phone":
                self.phones.setdefault(value, ref)
            else:
                self.apps.setdefault((key, value), ref)

    def _add_pending(self, entry: dict, ref: ChannelRef) -> None:
        host = _host(entry.get("host"))
        if host:
            self.pending[(entry.get("kind", ""), host)] = ref
        if entry.get("facebook_username"):
            self.pending[("facebook", canonical.facebook_match_key(entry["facebook_username"]))] = (
                ref
            )
        for key, value in _other_identifiers(entry):
            self.pending.setdefault((key, value), ref)

    def _add_brand(self, host: str, ref: ChannelRef, role: str, owners: dict) -> None:
        registrable = self.domains.registrable(host) or host
        core = self.domains.core_label(registrable)
        if not core:
            return
        slot = owners.setdefault(core, {"registrable": registrable})
        # The channel on the registrable domain itself names the brand, not a subdomain site.
        if role not in slot or host == registrable:
            slot[role] = ref
        below = host[: -len(registrable)].strip(".").split(".") if host != registrable else []
        words = [label for label in below if label and label != "www"]
        if role == "website" and words:
            # congchuc.quangninh.gov.vn is imitated as congchucquangninh.net: its own brand.
            labels = (*words, core)
            spanning = owners.setdefault("".join(labels), {"registrable": host})
            spanning.setdefault("website", ref)
            spanning["labels"] = labels

    def _add_names(self, document: dict, agencies: dict) -> None:
        by_agency: dict[str, ChannelRef] = {}
        for ref in [
            *self.mail_domains.values(),
            *self.websites.values(),
            *self.facebook_keys.values(),
        ]:
            by_agency.setdefault(ref.agency, ref)
        for code, agency in agencies.items():
            ref = by_agency.get(code)
            if ref is None:
                continue
            for name in (agency.get("name"), agency.get("short_name"), agency.get("name_en")):
                if name and len(fold(name)) >= 3:
                    self.official_names.setdefault(fold(name), ref)
        for ref in [
            *self.websites.values(),
            *self.mail_domains.values(),
            *self.facebook_keys.values(),
        ]:
            if len(fold(ref.name)) >= 6:
                self.official_names.setdefault(fold(ref.name), ref)

    # --- look-ups ---------------------------------------------------------------------------
    def website_for(self, host: str) -> tuple[ChannelRef, str] | None:
        """The registered website ``host`` is, or is under, with the registered host."""
        return _walk_up(self.websites, host)

    def mail_domain_for(self, domain: str) -> tuple[ChannelRef, str] | None:
        return _walk_up(self.mail_domains, domain)

    def pending_for(self, kind: str, host: str) -> ChannelRef | None:
        for candidate in _parents(host):
            if (kind, candidate) in self.pending:
                return self.pending[(kind, candidate)]
        return None


def _walk_up(table: dict[str, ChannelRef], host: str):
    for candidate in _parents(host):
        ref = table.get(candidate)
        if ref is not None:
            return ref, candidate
    return None


def _parents(host: str):
    labels = host.split(".")
    for i in range(len(labels) - 1):
        yield ".".join(labels[i:])


# Channels that are neither websites, mail nor Facebook pages, checked by their identifiers.
_OTHER_KINDS = ("hotline", "mobile_app", "zalo_oa", "youtube", "tiktok")


def _other_identifiers(entry: dict):
    """(field, canonical value) of a hotline, an app or a Zalo account; a YouTube or TikTok
    handle under its kind (the same handle may belong to different owners on each)."""
    kind = entry.get("kind", "")
    for key in canonical.FIELDS_BY_KIND[kind] if kind in _OTHER_KINDS else ():
        if entry.get(key):
            try:
                value = canonical.CANONICALISERS[key](str(entry[key]))
            except InvalidIdentifier:
                continue
            yield (kind if key == "handle" else key), value


def _host(value) -> str:
    if not value:
        return ""
    try:
        return canonical.canonical_host(str(value))
    except InvalidIdentifier:
        return ""


def _ref(entry: dict, agencies: dict) -> ChannelRef:
    agency = agencies.get(entry.get("agency", ""), {})
    return ChannelRef(
        slug=entry.get("slug", ""),
        name=entry.get("name", ""),
        kind=entry.get("kind", ""),
        status=entry.get("status", ""),
        agency=entry.get("agency", ""),
        agency_name=agency.get("name", entry.get("agency", "")),
        identifier=_identifier(entry),
        url=entry.get("url", ""),
    )


def _identifier(entry: dict) -> str:
    kind = entry.get("kind")
    if kind == "website" and entry.get("host"):
        return entry["host"]
    if kind == "mail_domain" and entry.get("host"):
        return "@" + entry["host"]
    if kind == "facebook_page" and entry.get("facebook_username"):
        return "facebook.com/" + entry["facebook_username"]
    for key in (
        "mail_address",
        "phone",
        "zalo_oa_id",
        "android_package",
        "handle",
        "facebook_page_id",
    ):
        if entry.get(key):
            return str(entry[key])
    return entry.get("identifier_as_printed", "")
