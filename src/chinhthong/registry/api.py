"""Read endpoints of the registry under /api/v1/ (django-ninja)."""

import datetime as dt
import re
from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from chinhthong.config.validators import forbidden_character
from chinhthong.registry import services
from chinhthong.registry.models import (
    Agency,
    Channel,
    ChannelKind,
    ChannelStatus,
    Level,
    ReportRecipient,
)

router = Router(tags=["registry"])


class SourceOut(Schema):
    number: str
    date: dt.date | None
    issuer: str
    title: str


class AgencyOut(Schema):
    code: str
    name: str
    name_en: str
    short_name: str
    level: Level
    parent: str | None
    website: str

    @staticmethod
    def resolve_parent(obj: Agency) -> str | None:
        return obj.parent.code if obj.parent_id else None


class ChannelOut(Schema):
    slug: str
    name: str
    kind: ChannelKind
    status: ChannelStatus
    agency: str
    agency_name: str
    identifier: str
    url: str
    host: str
    facebook_username: str
    facebook_page_id: str
    zalo_oa_id: str
    android_package: str
    ios_app_id: str
    mail_address: str
    phone: str
    handle: str
    verified_badge: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    last_verified: dt.date | None
    source: SourceOut | None

    @staticmethod
    def resolve_agency(obj: Channel) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_agency_name(obj: Channel) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_identifier(obj: Channel) -> str:
        return obj.display_identifier


class RecipientOut(Schema):
    code: str
    name: str
    kind: str
    agency: str | None
    description: str

    @staticmethod
    def resolve_agency(obj: ReportRecipient) -> str | None:
        return obj.agency.code if obj.agency_id else None


# Query parameters are checked here, so that a value no database column can hold (an offset
# past 2**63, a NUL, which PostgreSQL refuses in text) is a 422 naming it, never a 500.
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000
MAX_QUERY_CHARS = 200
MAX_CODE_CHARS = 100
_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")  # a SlugField's values


def _refuse(message: str):
    # A custom error carries the message as written; pydantic would prefix "Value error, ".
    raise PydanticCustomError("invalid_parameter", message)


def _between(name: str, low: int, high: int):
    def check(value: int) -> int:
        if not low <= value <= high:
            _refuse(
                _("“%(name)s” must be a whole number from %(low)s to %(high)s.")
                % {"name": name, "low": low, "high": high}
            )
        return value

    return AfterValidator(check)


def _text(name: str, length: int):
    def check(value: str) -> str:
        if len(value) > length:
            _refuse(
                _("“%(name)s” must be at most %(count)s characters long.")
                % {"name": name, "count": length}
            )
        found = forbidden_character(value)
        if found:
            _refuse(
                _(
                    "“%(name)s” contains the invisible character %(character)s at position "
                    "%(position)s; control and text-direction characters are not allowed."
                )
                % {"name": name, "position": found[0], "character": found[1]}
            )
        return value

    return AfterValidator(check)


SearchText = Annotated[str, _text("q", MAX_QUERY_CHARS)]


class Pages(LimitOffsetPagination):
    """django-ninja's limit/offset with both bounded."""

    class Input(Schema):
        limit: Annotated[int, _between("limit", 1, MAX_LIMIT)] = Field(
            100, description=f"Items per page, 1 to {MAX_LIMIT}."
        )
        offset: Annotated[int, _between("offset", 0, MAX_OFFSET)] = Field(
            0, description=f"Items to skip, 0 to {MAX_OFFSET}."
        )


class ChannelFilter(Schema):
    q: SearchText = ""
    kind: ChannelKind | None = None
    level: Level | None = None
    status: ChannelStatus | None = None
    agency: Annotated[str, _text("agency", MAX_CODE_CHARS)] = ""


class AgencyFilter(Schema):
    q: SearchText = ""
    level: Level | None = None


def _by_code(queryset, **lookup):
    """The one object with this code or slug; 404 for a text no code can be."""
    (value,) = lookup.values()
    if len(value) > MAX_CODE_CHARS or not _CODE.match(value):
        raise Http404
    return get_object_or_404(queryset, **lookup)


@router.get("/agencies", response=list[AgencyOut], summary="List agencies")
@paginate(Pages)
def list_agencies(request, filters: Query[AgencyFilter]):
    return services.find_agencies(filters.q, filters.level or "")


@router.get("/agencies/{code}", response=AgencyOut, summary="One agency")
def get_agency(request, code: str):
    return _by_code(Agency.objects.select_related("parent"), code=code)


@router.get("/channels", response=list[ChannelOut], summary="List official channels")
@paginate(Pages)
def list_channels(request, filters: Query[ChannelFilter]):
    return services.find_channels(
        services.DirectoryFilter(
            query=filters.q,
            kind=filters.kind or "",
            level=filters.level or "",
            status=filters.status or "",
            agency=filters.agency,
        )
    )


@router.get("/channels/{slug}", response=ChannelOut, summary="One channel")
def get_channel(request, slug: str):
    return _by_code(Channel.objects.select_related("agency", "source"), slug=slug)


@router.get(
    "/report-recipients", response=list[RecipientOut], summary="Bodies reports are referred to"
)
def list_recipients(request):
    return ReportRecipient.objects.filter(active=True).select_related("agency")
