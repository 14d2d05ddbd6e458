"""Read endpoints of the registry under /api/v1/ (django-ninja)."""

import datetime as dt
import re
from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from chinhthong.config.api_errors import ErrorOut, ParameterErrorsOut
from chinhthong.config.validators import ONE_LINE_INVISIBLE
from chinhthong.registry import services, succession
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
    successor: str | None = Field(
        description="The agency that takes over its channels and tasks, from `succeeded_on`."
    )
    succeeded_on: dt.date | None = Field(
        description="From when the successor takes over; without one, when the agency ceased."
    )
    succession_document: str | None = Field(description="The number of the decision.")

    @staticmethod
    def resolve_parent(obj: Agency) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_successor(obj: Agency) -> str | None:
        return obj.successor.code if obj.successor_id else None

    @staticmethod
    def resolve_succession_document(obj: Agency) -> str | None:
        return obj.succession_document.number if obj.succession_document_id else None


class ChannelOut(Schema):
    slug: str
    name: str
    kind: ChannelKind
    status: ChannelStatus
    agency: str = Field(description="The owner its source document names.")
    agency_name: str
    current_agency: str = Field(
        description="The owner today: `agency`, or the agency that succeeded it."
    )
    current_agency_name: str
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
    def resolve_current_agency(obj: Channel) -> str:
        return succession.ownership(obj.agency).current.code

    @staticmethod
    def resolve_current_agency_name(obj: Channel) -> str:
        return succession.ownership(obj.agency).current.name

    @staticmethod
    def resolve_identifier(obj: Channel) -> str:
        return obj.display_identifier


class RecipientOut(Schema):
    code: str
    name: str
    kind: str
    agency: str | None
    current_agency: str | None = Field(
        description="The agency to contact today: `agency`, or the agency that succeeded it."
    )
    current_agency_name: str | None
    description: str

    @staticmethod
    def resolve_agency(obj: ReportRecipient) -> str | None:
        return obj.agency.code if obj.agency_id else None

    @staticmethod
    def resolve_current_agency(obj: ReportRecipient) -> str | None:
        return succession.ownership(obj.agency).current.code if obj.agency_id else None

    @staticmethod
    def resolve_current_agency_name(obj: ReportRecipient) -> str | None:
        return succession.ownership(obj.agency).current.name if obj.agency_id else None


# Query parameters are checked here, so that a value no database column can hold (an offset
# past 2**63, a NUL, which PostgreSQL refuses in text) is a 422 naming it, never a 500.
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000
MAX_QUERY_CHARS = 200
MAX_CODE_CHARS = 100
_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")  # a SlugField's values
# The OpenAPI document states each rule exactly, so that a client (or Schemathesis) knows which
# values are answered and which are refused.
_VISIBLE = "^[^" + ONE_LINE_INVISIBLE.pattern[1:-1] + "]*$"


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
        # Control, format and blank characters; an unassigned code point merely finds nothing.
        found = ONE_LINE_INVISIBLE.search(value)
        if found:
            _refuse(
                _(
                    "“%(name)s” contains the invisible character %(character)s at position "
                    "%(position)s; control and text-direction characters are not allowed."
                )
                % {
                    "name": name,
                    "position": found.start() + 1,
                    "character": f"U+{ord(found.group()):04X}",
                }
            )
        return value

    return Annotated[
        str,
        AfterValidator(check),
        Field(json_schema_extra={"maxLength": length, "pattern": _VISIBLE}),
    ]


def _whole_number(name: str, low: int, high: int, description: str):
    return Annotated[
        int,
        _between(name, low, high),
        Field(description=description, json_schema_extra={"minimum": low, "maximum": high}),
    ]


SearchText = _text("q", MAX_QUERY_CHARS)
# A code or slug in a path: any other text is answered 404, as a code nothing has.
Code = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": MAX_CODE_CHARS, "pattern": _CODE.pattern}
    ),
]


class Pages(LimitOffsetPagination):
    """django-ninja's limit/offset with both bounded."""

    class Input(Schema):
        limit: _whole_number("limit", 1, MAX_LIMIT, f"Items per page, 1 to {MAX_LIMIT}.") = 100
        offset: _whole_number("offset", 0, MAX_OFFSET, f"Items to skip, 0 to {MAX_OFFSET}.") = 0


class ChannelFilter(Schema):
    q: SearchText = ""
    kind: ChannelKind | None = None
    level: Level | None = None
    status: ChannelStatus | None = None
    agency: _text("agency", MAX_CODE_CHARS) = ""


class AgencyFilter(Schema):
    q: SearchText = ""
    level: Level | None = None


def _by_code(queryset, **lookup):
    """The one object with this code or slug; 404 for a text no code can be."""
    (value,) = lookup.values()
    if len(value) > MAX_CODE_CHARS or not _CODE.match(value):
        raise Http404
    return get_object_or_404(queryset, **lookup)


@router.get(
    "/agencies",
    response={200: list[AgencyOut], 422: ParameterErrorsOut},
    summary="List agencies",
)
@paginate(Pages)
def list_agencies(request, filters: Query[AgencyFilter]):
    return services.find_agencies(filters.q, filters.level or "")


@router.get("/agencies/{code}", response={200: AgencyOut, 404: ErrorOut}, summary="One agency")
def get_agency(request, code: Code):
    return _by_code(
        Agency.objects.select_related("parent", "successor", "succession_document"), code=code
    )


@router.get(
    "/channels",
    response={200: list[ChannelOut], 422: ParameterErrorsOut},
    summary="List official channels",
)
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


@router.get("/channels/{slug}", response={200: ChannelOut, 404: ErrorOut}, summary="One channel")
def get_channel(request, slug: Code):
    return _by_code(
        Channel.objects.select_related("agency", "agency__successor", "source"), slug=slug
    )


@router.get(
    "/report-recipients", response=list[RecipientOut], summary="Bodies reports are referred to"
)
def list_recipients(request):
    return ReportRecipient.objects.filter(active=True).select_related("agency", "agency__successor")
