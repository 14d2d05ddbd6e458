"""Read endpoints of the registry under /api/v1/ (django-ninja)."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

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


class ChannelFilter(Schema):
    q: str = ""
    kind: ChannelKind | None = None
    level: Level | None = None
    status: ChannelStatus | None = None
    agency: str = ""


@router.get("/agencies", response=list[AgencyOut], summary="List agencies")
@paginate(LimitOffsetPagination)
def list_agencies(request, q: str = "", level: Level | None = None):
    return services.find_agencies(q, level or "")


@router.get("/agencies/{code}", response=AgencyOut, summary="One agency")
def get_agency(request, code: str):
    return get_object_or_404(Agency.objects.select_related("parent"), code=code)


@router.get("/channels", response=list[ChannelOut], summary="List official channels")
@paginate(LimitOffsetPagination)
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
    return get_object_or_404(Channel.objects.select_related("agency", "source"), slug=slug)


@router.get(
    "/report-recipients", response=list[RecipientOut], summary="Bodies reports are referred to"
)
def list_recipients(request):
    return ReportRecipient.objects.filter(active=True).select_related("agency")
