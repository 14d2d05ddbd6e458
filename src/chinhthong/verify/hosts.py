"""What a host name is: official, under an official domain, imitating one, risky, or
unknown. Results are kept per host, since links repeat hosts far more than hosts repeat."""

from typing import NamedTuple

import disarm

from chinhthong.verify.blocklist import Blocklist
from chinhthong.verify.domains import readable
from chinhthong.verify.index import Owners, RegistryIndex
from chinhthong.verify.lookalike import GOV_TOKENS, LURES, normalise
from chinhthong.verify.results import ChannelRef, Reason, Verdict, reason
from chinhthong.verify.urls import SHORTENERS

RESTRICTED_SUFFIXES = ("gov.vn",)  # registered only by state bodies (MISSION.md)
# How a name under gov.vn may imitate an official one (an exact official name under gov.vn,
# chinhphu.gov.vn, is the same body's; words joined to it only with a lure: xacminh-…).
# Slips under gov.vn only of names long enough to be distinctive (quangninh, dichvucong):
# among 20,000 made-up gov.vn names, slips of shorter official names flagged 1.2%.
GOV_VN_SLIP_LENGTH = 8
GOV_VN_LOOKS = frozenset({"homoglyph", "diacritics", "leetspeak", "letter_pairs", "typosquat"})
CACHE_LIMIT = 500_000
# What the DNS allows (RFC 1035): a longer name cannot be looked up, so no site has it. Such
# hosts are answered at once; comparing thousands of labels with the registry cost 0.2 s each.
MAX_HOST = 253
MAX_LABEL = 63
SHOWN_HOST = 80


class HostFinding(NamedTuple):
    reasons: tuple[Reason, ...]
    channel: ChannelRef | None = None  # the official website it is or is under
    imitated: Owners | None = None  # whose name it imitates


# Most hosts are simply not registered. Their cache entry is the reason code alone (a string,
# which the garbage collector never scans) instead of three objects it would: with hundreds of
# thousands of cached hosts, scanning them cost a sixth of a batch run (bench/url_batch.py).
_PLAIN = frozenset({"not_registered", "unregistered_gov_vn"})


def _compact(found: HostFinding, host: str):
    first = found.reasons[0]
    if len(found.reasons) == 1 and first.code in _PLAIN and "xn--" not in host:
        return first.code
    return found


def _tokens(name_part: str) -> list[str]:
    """The words of a host's name part: www.quangninh-gov -> www, quangninh, gov."""
    return [t for t in name_part.replace("_", "-").replace(".", "-").split("-") if t]


def _looks_official(match, tokens: list[str]) -> bool:
    """Whether a gov.vn name's likeness to an official one is an imitation: by its letters,
    one slipped letter of a name long enough to be distinctive (other bodies' names are
    often a letter or two apart: quangnam, quangtri), or a lure word joined to the name."""
    if match.technique == "typosquat":
        return match.distance == 1 and len(match.brand.core) >= GOV_VN_SLIP_LENGTH
    if match.technique == "combosquat":
        return any(normalise(t).final in LURES for t in tokens)
    return match.technique in GOV_VN_LOOKS


def _expand(code: str, host: str) -> HostFinding:
    # As reason(code, Verdict.UNKNOWN, host=host) gives it, without sorting one parameter.
    return HostFinding((Reason(code, Verdict.UNKNOWN, (("host", host),)),))


class HostAnalyser:
    def __init__(
        self, index: RegistryIndex, blocklist: Blocklist, known_sites: dict[str, str] | None = None
    ):
        self.index = index
        self.blocklist = blocklist
        # Registrable domain -> whose site it is: not official, known not to imitate anyone.
        self.known_sites = known_sites or {}
        self.cache: dict[str, HostFinding | str] = {}

    def analyse(self, host: str, *, is_ip: bool = False) -> HostFinding:
        found = self.cache.get(host)
        if found is None:
            if len(self.cache) >= CACHE_LIMIT:
                self.cache.clear()
            found = self._analyse(host, is_ip)
            self.cache[host] = _compact(found, host)
        elif type(found) is str:
            found = _expand(found, host)
        return found

    def _analyse(self, host: str, is_ip: bool) -> HostFinding:
        if not is_ip and (len(host) > MAX_HOST or max(map(len, host.split("."))) > MAX_LABEL):
            shown = host if len(host) <= SHOWN_HOST else host[: SHOWN_HOST - 1] + "…"
            return HostFinding((reason("host_not_dns", Verdict.SUSPICIOUS, host=shown),))
        source = self.blocklist.host_source(host)
        if source:
            return HostFinding(
                (reason("blocklisted_host", Verdict.MALICIOUS, host=host, source=source),)
            )
        if is_ip:
            return HostFinding((reason("raw_ip", Verdict.SUSPICIOUS, host=host),))
        official = self.index.website_for(host)
        if official:
            ref, registered = official
            code = "official_host" if registered == host else "official_subdomain"
            return HostFinding(
                (
                    reason(
                        code,
                        Verdict.OFFICIAL,
                        host=readable(host),
                        domain=registered,
                        channel=ref.name,
                        agency=ref.agency_name,
                    ),
                ),
                channel=ref,
            )
        pending = self.index.pending_for("website", host)
        if pending:
            return HostFinding((reason("pending_review", Verdict.UNKNOWN, channel=pending.name),))
        return self._unregistered(host)

    def _unregistered(self, host: str) -> HostFinding:
        domains = self.index.domains
        shown = readable(host)
        if "-" in host:
            dotted = self._hyphen_for_dot(host, shown)
            if dotted:
                return dotted
        registrable = domains.registrable(host)
        if registrable is None:
            return HostFinding((reason("not_registered", Verdict.UNKNOWN, host=shown),))
        if (
            registrable.endswith(RESTRICTED_SUFFIXES)
            and domains.public_suffix(host) in RESTRICTED_SUFFIXES
        ):
            return self._under_gov_vn(host, shown, registrable)
        mail = self.index.mail_domain_for(host)
        if mail or registrable in self.index.official_registrables:
            # The organisation's own domain, registered for mail but not as a website.
            ref = mail[0] if mail else None
            return HostFinding(
                (
                    reason(
                        "official_domain_not_website",
                        Verdict.UNKNOWN,
                        host=shown,
                        agency=ref.agency_name if ref else registrable,
                    ),
                )
            )
        embedded = self._embedded(host, registrable)
        if embedded:
            return embedded
        name_part = domains.name_part(shown)
        core_label = domains.core_label(readable(registrable))
        known = self.known_sites.get(registrable)
        if known is not None:
            # Its own name is vouched for; names made up below it are still read.
            below = name_part[: -len(core_label)] if core_label else ""
            match = self.index.brands.match("", _tokens(below)) if below else None
            if match:
                return self._imitation(match, shown)
            return HostFinding((reason("known_site", Verdict.UNKNOWN, host=shown, name=known),))
        tokens = _tokens(name_part)
        match = self.index.brands.match(core_label, tokens)
        if match:
            return self._imitation(match, shown)
        # With the labels of the suffix: congan.quangninh.vn names its place in the suffix.
        agency = self.index.agency_marks.match(core_label, _tokens(shown.rsplit(".", 1)[0]))
        if agency:
            return self._agency_imitation(agency, shown)
        return HostFinding(self._risks(host, shown, registrable, name_part, tokens))

    def _imitation(self, match, shown: str, code: str | None = None) -> HostFinding:
        owners: Owners = match.brand.key
        official = owners.for_link()
        params = {"host": shown, "official": match.brand.registrable, "channel": official.name}
        if match.technique == "typosquat":
            params["distance"] = str(match.distance)
        return HostFinding(
            (reason(code or match.technique, Verdict.IMPERSONATION, **params),), imitated=owners
        )

    def _hyphen_for_dot(self, host: str, shown: str) -> HostFinding | None:
        """quangninh-gov.vn, congchuc-quangninh.gov.vn, chinhphu-vn.com: an official name with a
        hyphen where its dot is — said as such, not as words joined to the name."""
        written = host.removeprefix("www.")
        labels = written.replace("-", ".").split(".")
        # The whole name, or its start under another ending (chinhphu-vn.com).
        for end in range(len(labels), 1, -1):
            dotted = ".".join(labels[:end])
            ref = self.index.websites.get(dotted) or self.index.mail_domains.get(dotted)
            if ref is not None and "-" in written[: len(dotted)]:
                break
        else:
            return None
        owners = self._owners_of(dotted)
        return HostFinding(
            (
                reason(
                    "hyphen_for_dot",
                    Verdict.IMPERSONATION,
                    host=shown,
                    official=dotted,
                    channel=ref.name,
                ),
            ),
            imitated=owners,
        )

    def _agency_imitation(self, agency, shown: str, code: str = "agency_name") -> HostFinding:
        owners: Owners = agency.key
        official = owners.for_link()
        verdict = Verdict.IMPERSONATION if code == "agency_name" else Verdict.UNKNOWN
        return HostFinding(
            (
                reason(
                    code,
                    verdict,
                    host=shown,
                    words=agency.name,
                    agency=official.agency_name,
                ),
            ),
            imitated=owners,
        )

    def _under_gov_vn(self, host: str, shown: str, registrable: str) -> HostFinding:
        """A gov.vn name no channel has. Only state bodies register gov.vn names, but a From
        line can carry any domain, registered or not, and a reader cannot see a Cyrillic "а"
        nor notice one slipped letter: a name that looks like an official one is an imitation
        (letter 1341 prints quangning.gov.vn for quangninh.gov.vn). Near names of other real
        bodies (quangnam, short ministry names) are not slips of an official name."""
        domains = self.index.domains
        if registrable not in self.index.official_registrables:
            readable_registrable = readable(registrable)
            core_label = domains.core_label(readable_registrable)
            tokens = _tokens(core_label)
            match = self.index.brands.match(core_label, tokens)
            if match and match.registrable_differs(registrable) and _looks_official(match, tokens):
                code = "gov_vn_slip" if match.technique == "typosquat" else None
                return self._imitation(match, shown, code)
            if not core_label.isascii() and disarm.is_mixed_script(core_label.replace("-", "")):
                return HostFinding((reason("mixed_script", Verdict.SUSPICIOUS, host=shown),))
            agency = self.index.agency_marks.match(core_label, tokens)
            if agency:
                # Not called an imitation (another body may own it), nor reassured about.
                return self._agency_imitation(agency, shown, "agency_name_gov_vn")
        return HostFinding((reason("unregistered_gov_vn", Verdict.UNKNOWN, host=shown),))

    def _embedded(self, host: str, registrable: str) -> HostFinding | None:
        """quangninh.gov.vn.example.top, dichvucong.gov.vn-xacminh.com: an official domain at
        the start of a longer host (a label boundary), owned by someone else."""
        labels = host.split(".")
        officials = self.index.official_registrables
        websites = self.index.websites
        for start in range(len(labels) - 1):
            for end in range(start + 2, min(len(labels), start + 5) + 1):
                last = labels[end - 1]
                for piece in {last, last.split("-", 1)[0]}:
                    candidate = ".".join([*labels[start : end - 1], piece])
                    if candidate == registrable or host.endswith("." + candidate):
                        continue
                    if candidate in websites or candidate in officials:
                        return self._embedded_finding(host, candidate, registrable)
        return None

    def _owners_of(self, official: str) -> Owners:
        """The channels behind an official host: its brand's, with the host's own website
        first (congchuc.quangninh.gov.vn.evil.top imitates that very site, not its parent)."""
        brand = next(
            (
                b
                for b in self.index.brands.brands.values()
                if official == b.registrable or official.endswith("." + b.registrable)
            ),
            None,
        )
        website = self.index.websites.get(official)
        if brand is None:
            return Owners(website or self.index.mail_domains.get(official), None)
        return Owners(website, brand.key.mail) if website else brand.key

    def _embedded_finding(self, host: str, official: str, registrable: str) -> HostFinding:
        owners = self._owners_of(official)
        return HostFinding(
            (
                reason(
                    "embedded_host",
                    Verdict.IMPERSONATION,
                    host=readable(host),
                    official=official,
                    registrable=registrable,
                    channel=owners.for_link().name,
                ),
            ),
            imitated=owners,
        )

    def _risks(self, host, shown, registrable, name_part, tokens) -> tuple[Reason, ...]:
        if registrable in SHORTENERS:
            return (reason("shortener", Verdict.SUSPICIOUS, host=shown),)
        if any(
            normalise(t).final in GOV_TOKENS or normalise(t).final.startswith("govvn")
            for t in tokens
        ):
            return (reason("gov_mimic", Verdict.SUSPICIOUS, host=shown),)
        if not name_part.isascii() and disarm.is_mixed_script(
            name_part.replace("-", "").replace(".", "")
        ):
            return (reason("mixed_script", Verdict.SUSPICIOUS, host=shown),)
        return (reason("not_registered", Verdict.UNKNOWN, host=shown),)
