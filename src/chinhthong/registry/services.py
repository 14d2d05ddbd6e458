"""Reading the registry for people: the directory, its search and filters. The web pages,
the API and the CLI call these functions."""

from dataclasses import dataclass, replace
from importlib import resources

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext

from chinhthong.registry import files, importing, succession
from chinhthong.registry.models import Agency, Channel, ChannelStatus, Level
from chinhthong.verify import canonical
from chinhthong.verify.canonical import InvalidIdentifier
from chinhthong.verify.text import fold

LISTED_STATUSES = (ChannelStatus.ACTIVE, ChannelStatus.PENDING_REVIEW)


@dataclass(frozen=True)
class DirectoryFilter:
    query: str = ""
    kind: str = ""
    level: str = ""
    status: str = ""
    agency: str = ""


def find_channels(flt: DirectoryFilter) -> QuerySet[Channel]:
    """Channels matching every word of the query, with or without diacritics."""
    channels = Channel.objects.select_related("agency", "agency__successor", "source")
    channels = (
        channels.filter(status=flt.status)
        if flt.status
        else channels.filter(status__in=LISTED_STATUSES)
    )
    if flt.kind:
        channels = channels.filter(kind=flt.kind)
    if flt.level:
        channels = channels.filter(agency__level=flt.level)
    if flt.agency:
        # with the channels it took over from agencies it succeeded
        channels = channels.filter(agency__code__in=succession.codes_in_charge_of(flt.agency))
    for word in fold(flt.query).split():
        channels = channels.filter(
            Q(search_text__contains=word) | Q(agency__search_text__contains=word)
        )
    return channels.order_by("agency__name", "kind", "name")


def level_order() -> list[str]:
    """The levels in the order the directory shows them: the deployment's own province (and
    its cities and communes) first, then national, then international bodies, unless the
    operator sets another order (CHINHTHONG_DIRECTORY_LEVEL_ORDER). A level the setting
    leaves out comes after the others, in the order of ``Level``."""
    wanted = [level for level in settings.DIRECTORY_LEVEL_ORDER if level in Level.values]
    return list(dict.fromkeys(wanted)) + [level for level in Level.values if level not in wanted]


def directory(flt: DirectoryFilter) -> list[tuple[Agency, list[Channel]]]:
    """Matching channels grouped by agency; agencies ordered by level (``level_order``), then
    as an outline within a level (an agency right after its parent), then by name without
    diacritics. Each channel carries ``shown``: its identifier as the page shows it."""
    groups: dict[int, tuple[Agency, list[Channel]]] = {}
    for channel in find_channels(flt):
        channel.shown = shown_identifier(channel)
        groups.setdefault(channel.agency_id, (channel.agency, []))[1].append(channel)
    for agency, _channels in groups.values():
        agency.ownership = succession.ownership(agency)  # "now run by" a successor
    rank = {level: position for position, level in enumerate(level_order())}
    outline = _outline_keys()
    return sorted(
        groups.values(),
        key=lambda g: (rank.get(g[0].level, len(rank)), outline.get(g[0].pk, ())),
    )


def _outline_keys() -> dict[int, tuple[str, ...]]:
    """For each agency, the folded names from its highest ancestor of the same level down to
    itself: sorting by it lists a parent, then its children, each level alphabetically."""
    rows = {a["pk"]: a for a in Agency.objects.values("pk", "parent_id", "level", "name")}
    keys: dict[int, tuple[str, ...]] = {}
    for pk, row in rows.items():
        path, seen, current = [], set(), row
        while current and current["pk"] not in seen and current["level"] == row["level"]:
            seen.add(current["pk"])
            path.append(fold(current["name"]))
            current = rows.get(current["parent_id"])
        keys[pk] = tuple(reversed(path))
    return keys


def count_hidden_pending(flt: DirectoryFilter) -> int:
    """How many channels pending review a search for active ones leaves out."""
    if flt.status != ChannelStatus.ACTIVE:
        return 0
    return find_channels(replace(flt, status=ChannelStatus.PENDING_REVIEW)).count()


@dataclass(frozen=True)
class ShownIdentifier:
    """A channel's identifier as the public pages show it.

    ``text`` is the real identifier ('' when none is known); ``link`` where it leads, only for
    an active channel ('' otherwise: never a link to what is not confirmed); ``printed`` the
    identifier as the source document printed it, when that differs from the real one;
    ``printed_invalid`` when the printed text is not a valid address at all (shown as
    printed, never as a link)."""

    text: str
    link: str
    printed: str
    printed_invalid: bool


def shown_identifier(channel: Channel) -> ShownIdentifier:
    fields = canonical.FIELDS_BY_KIND.get(channel.kind, ())
    known = [(field, getattr(channel, field)) for field in fields if getattr(channel, field)]
    printed = channel.identifier_as_printed.strip()
    read = _read_printed(channel.kind, printed) if printed else None
    if not known:
        return ShownIdentifier("", "", printed, bool(printed) and read is None)
    same = read is not None and _same_identifier(read, known)
    return ShownIdentifier(
        text=channel.display_identifier,
        link=_link(channel) if channel.status == ChannelStatus.ACTIVE else "",
        printed="" if same or not printed else printed,
        printed_invalid=bool(printed) and read is None,
    )


def _read_printed(kind: str, printed: str) -> tuple[str, str] | None:
    """(field, canonical value) of an identifier as a document printed it; None when it is
    not a valid identifier of that kind of channel."""
    for field in canonical.FIELDS_BY_KIND.get(kind, ()):
        value = printed
        if field == "host":
            value = printed.lstrip("@")
            if "/" in value:
                value = value if "://" in value else f"https://{value}"
                reader = canonical.host_of_url
            else:
                reader = canonical.canonical_host
        else:
            reader = canonical.CANONICALISERS[field]
        try:
            return field, reader(value)
        except InvalidIdentifier:
            continue
    return None


def _same_identifier(read: tuple[str, str], known: list[tuple[str, str]]) -> bool:
    field, value = read
    for known_field, known_value in known:
        if field != known_field:
            continue
        if field == "facebook_username":  # Facebook ignores case and dots
            return canonical.facebook_match_key(value) == canonical.facebook_match_key(known_value)
        return value.lower() == known_value.lower()
    return False


def _link(channel: Channel) -> str:
    """Where a person opens the channel: its recorded link, else one built from its
    identifier where the kind has a public address."""
    if channel.url:
        return channel.url
    if channel.kind == "website" and channel.host:
        return f"https://{channel.host}/"
    if channel.kind == "facebook_page" and channel.facebook_username:
        return f"https://www.facebook.com/{channel.facebook_username}"
    if channel.kind == "hotline" and channel.phone:
        return f"tel:{channel.phone}"
    return ""


def find_agencies(query: str = "", level: str = "") -> QuerySet[Agency]:
    agencies = Agency.objects.select_related("parent", "successor", "succession_document")
    if level:
        agencies = agencies.filter(level=level)
    for word in fold(query).split():
        agencies = agencies.filter(search_text__contains=word)
    return agencies.order_by("name")


def agency_with_channels(code: str) -> Agency:
    listed = Channel.objects.filter(status__in=LISTED_STATUSES).order_by("kind", "name")
    agency = (
        Agency.objects.select_related("parent", "successor", "succession_document")
        .prefetch_related(
            Prefetch("channels", queryset=listed, to_attr="listed_channels"), "children"
        )
        .get(code=code)
    )
    agency.ownership = succession.ownership(agency)
    agency.predecessors_in_charge = succession.predecessors_in_charge(agency)
    agency.taken_over_channels = list(
        listed.filter(agency__in=agency.predecessors_in_charge).select_related("agency")
    )
    for channel in agency.listed_channels + agency.taken_over_channels:
        channel.shown = shown_identifier(channel)
    return agency


def channel_detail(slug: str) -> Channel:
    channel = Channel.objects.select_related(
        "agency", "agency__parent", "agency__successor", "agency__succession_document", "source"
    ).get(slug=slug)
    channel.shown = shown_identifier(channel)
    channel.ownership = succession.ownership(channel.agency)
    return channel


def registry_is_empty() -> bool:
    return not Agency.objects.exists() and not Channel.objects.exists()


def default_registry_text() -> str:
    return (
        resources.files("chinhthong.registry")
        .joinpath("data/default_registry.yaml")
        .read_text("utf-8")
    )


def load_default_registry(*, only_if_empty: bool = True) -> importing.ImportResult | None:
    """Load the registry shipped in the package; by default only into an empty registry, so
    that running setup again never overwrites what editors changed."""
    if only_if_empty and not registry_is_empty():
        return None
    document = files.parse(default_registry_text(), "yaml")
    reason = gettext("Default registry, loaded at set-up")
    return importing.import_registry(document, reason=reason)
