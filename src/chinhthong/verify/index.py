"""The registry, indexed for checking: built once from a snapshot document (the JSON that
/registry.json serves, or the packaged default registry) and never changed afterwards."""

from dataclasses import dataclass, field

from chinhthong.verify import canonical, phones
from chinhthong.verify.agencies import AgencyMarks
from chinhthong.verify.canonical import InvalidIdentifier
from chinhthong.verify.domains import DomainNames
from chinhthong.verify.lookalike import TYPO_MIN_LENGTH, Brand, BrandIndex, normalise
from chinhthong.verify.printed import Printed, printed_forms
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
    agency_marks: AgencyMarks = field(default_factory=lambda: AgencyMarks([], {}))
    facebook_brands: BrandIndex = field(default_factory=lambda: BrandIndex([]))
    # YouTube and TikTok handles by site, for look-alike accounts on the same site
    account_brands: dict[str, BrandIndex] = field(default_factory=dict)
    official_registrables: frozenset[str] = frozenset()
    # identifiers as source documents printed them, where not the channel's real one
    printed: dict[str, Printed] = field(default_factory=dict)
    domains: DomainNames = field(default_factory=DomainNames)
    version: str = ""

    @classmethod
    def from_document(cls, document: dict, domains: DomainNames | None = None) -> "RegistryIndex":
        index = cls(domains=domains or DomainNames())
        index.version = document.get("content_sha256", "") or str(len(document.get("channels", [])))
        agencies = {a["code"]: a for a in document.get("agencies", [])}
        index.agency_names = {code: a.get("name", code) for code, a in agencies.items()}
        owners: dict[str, dict] = {}
        printed = []
        for entry in document.get("channels", []):
            ref = _ref(entry, agencies)
            if entry.get("identifier_as_printed"):
                printed.append((entry, ref, _identifier(entry, printed_fallback=False)))
            if entry.get("status") == ACTIVE:
                index._add_active(entry, ref, owners)
            elif entry.get("status") == PENDING:
                index._add_pending(entry, ref)
        index.printed = printed_forms(
            printed, {d.get("number"): d for d in document.get("documents", [])}
        )
        index._add_names(agencies, index._agency_refs(agencies, mail_first=True))
        agency_refs = index._agency_refs(agencies, mail_first=False)
        sites = {
            core: (o["website"].agency, Owners(o["website"], o.get("mail")))
            for core, o in owners.items()
            if o.get("website") and len(core) >= TYPO_MIN_LENGTH and not o.get("labels")
        }
        index.agency_marks = AgencyMarks(
            list(agencies.values()),
            {code: Owners(ref, None) for code, ref in agency_refs.items()},
            sites,
        )
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

    def _agency_refs(self, agencies: dict, mail_first: bool) -> dict[str, ChannelRef]:
        """What to show for each agency: its own mail domain or website (which first: for a
        sender or a link), else its Facebook page, or the agency itself when it has none."""
        by_agency: dict[str, ChannelRef] = {}
        sites, mail = list(self.websites.values()), list(self.mail_domains.values())
        for ref in [
            *(mail + sites if mail_first else sites + mail),
            *self.facebook_keys.values(),
        ]:
            by_agency.setdefault(ref.agency, ref)
        return {code: by_agency.get(code) or _agency_ref(a) for code, a in agencies.items()}

    def _add_names(self, agencies: dict, agency_refs: dict[str, ChannelRef]) -> None:
        # An agency protects its name in a display name even with no channel of its own
        # ("Công an tỉnh Quảng Ninh" <congan.quangninh@gmail.com>).
        for code, agency in agencies.items():
            for name in _names(agency):
                if len(name) >= 3:
                    self.official_names.setdefault(name, agency_refs[code])
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


def _names(agency: dict) -> set[str]:
    """An agency's names as written in a display name: in full, short, in English, and without
    the word before its place ("Công an Quảng Ninh" for Công an tỉnh Quảng Ninh)."""
    names = {
        fold(n or "") for n in (agency.get("name"), agency.get("short_name"), agency.get("name_en"))
    }
    for name in list(names):
        for marker in (" tinh ", " thanh pho "):
            if marker in name:
                names.add(name.replace(marker, " ", 1))
    return {n for n in names if n}


def _agency_ref(agency: dict) -> ChannelRef:
    """An agency with no website, mail domain or Facebook page, named as itself."""
    website = agency.get("website") or ""
    return ChannelRef(
        slug="",
        name=agency.get("name", ""),
        kind="agency",
        status=ACTIVE,
        agency=agency.get("code", ""),
        agency_name=agency.get("name", ""),
        identifier=_host(website.split("//", 1)[-1].split("/", 1)[0]) if website else "",
        url=website,
    )


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


def _identifier(entry: dict, printed_fallback: bool = True) -> str:
    kind = entry.get("kind")
    if kind == "website" and entry.get("host"):
        return entry["host"]
    if kind == "mail_domain" and entry.get("host"):
        return "@" + entry["host"]
    if kind == "facebook_page" and entry.get("facebook_username"):
        return "facebook.com/" + entry["facebook_username"]
    if entry.get("phone"):
        try:
            return phones.readable(canonical.phone(str(entry["phone"])))
        except InvalidIdentifier:
            return str(entry["phone"])
    for key in (
        "mail_address",
        "zalo_oa_id",
        "android_package",
        "handle",
        "facebook_page_id",
    ):
        if entry.get(key):
            return str(entry[key])
    return entry.get("identifier_as_printed", "") if printed_fallback else ""
