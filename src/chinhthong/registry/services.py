"""Reading the registry for people: the directory, its search and filters. The web pages,
the API and the CLI call these functions."""

from dataclasses import dataclass
from importlib import resources

from django.db.models import Prefetch, Q, QuerySet

from chinhthong.registry import files, importing
from chinhthong.registry.models import Agency, Channel, ChannelStatus, Level
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
    channels = Channel.objects.select_related("agency", "source")
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
        channels = channels.filter(agency__code=flt.agency)
    for word in fold(flt.query).split():
        channels = channels.filter(
            Q(search_text__contains=word) | Q(agency__search_text__contains=word)
        )
    return channels.order_by("agency__name", "kind", "name")


def directory(flt: DirectoryFilter) -> list[tuple[Agency, list[Channel]]]:
    """Matching channels grouped by agency, agencies ordered by level then name."""
    groups: dict[int, tuple[Agency, list[Channel]]] = {}
    for channel in find_channels(flt):
        groups.setdefault(channel.agency_id, (channel.agency, []))[1].append(channel)
    order = {level: rank for rank, level in enumerate(Level.values)}
    return sorted(groups.values(), key=lambda g: (order.get(g[0].level, 99), g[0].name))


def find_agencies(query: str = "", level: str = "") -> QuerySet[Agency]:
    agencies = Agency.objects.select_related("parent")
    if level:
        agencies = agencies.filter(level=level)
    for word in fold(query).split():
        agencies = agencies.filter(search_text__contains=word)
    return agencies.order_by("name")


def agency_with_channels(code: str) -> Agency:
    listed = Channel.objects.filter(status__in=LISTED_STATUSES).order_by("kind", "name")
    return (
        Agency.objects.select_related("parent")
        .prefetch_related(
            Prefetch("channels", queryset=listed, to_attr="listed_channels"), "children"
        )
        .get(code=code)
    )


def channel_detail(slug: str) -> Channel:
    return Channel.objects.select_related("agency", "agency__parent", "source").get(slug=slug)


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
    return importing.import_registry(document, reason="default registry")
