"""A unit's dashboard figures for integrators: GET /api/v1/reach/units/{code} (django-ninja).

The same figures as the page (reach/dashboards.py), under the same rules (reach/access.py):
for a logged-in user who manages the unit or a unit above it, or an administrator; a unit
they may not see answers 404, as a missing one does. API keys (clients/api_keys.py) name a
program and set its rate limit but carry no scope, so a key alone opens nothing here: the
request needs the session of a manager. No personal data is answered: the number of staff who
lag, not who they are (the page and its exports list them, to the same managers).
"""

import datetime as dt
import re
from typing import Annotated

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from chinhthong.bulletins.models import Bulletin
from chinhthong.config.api_errors import ErrorOut, ParameterErrorsOut
from chinhthong.config.refusals import NotFound
from chinhthong.reach import access, dashboards
from chinhthong.reach.dashboards import CHANNELS, REGULAR_DAYS, Figures

router = Router(tags=["reach"])
MAX_SLUG_CHARS = 120  # Bulletin.slug


class DeliveredOut(Schema):
    email: int
    webpush: int
    zalo: int
    portal: int


class FiguresOut(Schema):
    staff: int = Field(description="Active staff now in the unit(s).")
    delivered: DeliveredOut = Field(description="Messages delivered in the period, by channel.")
    reads_owed: int = Field(
        description=(
            "One read per staff member per bulletin of the period for them, if they were on "
            "the roster of a unit it was for when it was published."
        )
    )
    read_within_24h: int = Field(
        description="Reads of the version to read, within 24 hours of publication."
    )
    read_within_24h_share: float | None
    shares: int
    share_visits: int = Field(description="Visits to public pages brought by staff's shares.")
    average_days_7: float | None = Field(description="Days with access, last 7, per person.")
    regular_7: int = Field(description=f"People with ≥ {REGULAR_DAYS[7]} of the last 7 days.")
    regular_7_share: float | None
    average_days_30: float | None
    regular_30: int = Field(description=f"People with ≥ {REGULAR_DAYS[30]} of the last 30 days.")
    regular_30_share: float | None
    app_declared: int
    app_declared_share: float | None
    app_confirmed: int
    app_confirmed_share: float | None


class RowOut(Schema):
    code: str
    name: str
    own: bool = Field(description="The unit's own staff, without the units below it.")
    figures: FiguresOut


class UnitDashboardOut(Schema):
    code: str
    name: str
    days: int
    since: dt.date
    until: dt.date = Field(description="Today (local time), counted as it happens.")
    bulletin: str | None
    total: FiguresOut
    rows: list[RowOut] = Field(description="One per unit directly below, then the unit's own.")
    lagging: int = Field(description="Staff who lag now (their names: on the page, exports).")
    awaiting_confirmation: int


def _refuse(message: str):
    # A custom error carries the message as written, in the request's language.
    raise PydanticCustomError("invalid_parameter", message)


def _period(value: int) -> int:
    if value not in dashboards.PERIODS:
        values = ", ".join(str(p) for p in dashboards.PERIODS)
        _refuse(_("“%(name)s” must be one of: %(values)s.") % {"name": "days", "values": values})
    return value


def _slug(value: str) -> str:
    if len(value) > MAX_SLUG_CHARS or not _SLUG.match(value):
        _refuse(
            _(
                "“%(name)s” must be a bulletin's address: at most %(count)s letters without "
                "diacritics, digits, - and _."
            )
            % {"name": "bulletin", "count": MAX_SLUG_CHARS}
        )
    return value


_SLUG = re.compile(r"^[-a-zA-Z0-9_]*$")
Period = Annotated[
    int,
    AfterValidator(_period),
    WithJsonSchema({"type": "integer", "enum": list(dashboards.PERIODS)}),
]
Slug = Annotated[
    str,
    AfterValidator(_slug),
    WithJsonSchema(
        {"type": "string", "maxLength": MAX_SLUG_CHARS, "pattern": _SLUG.pattern},
    ),
]


class DashboardFilter(Schema):
    days: Period = Field(dashboards.DEFAULT_PERIOD, description="Days, today included.")
    bulletin: Slug = Field("", description="A bulletin's address (slug): its figures alone.")


def _figures(figures: Figures) -> dict:
    return {
        "staff": figures.staff,
        "delivered": {channel: figures.delivered[channel] for channel in CHANNELS},
        "reads_owed": figures.expected_reads,
        "read_within_24h": figures.read_on_time,
        "read_within_24h_share": figures.read_on_time_share,
        "shares": figures.shared,
        "share_visits": figures.visits,
        "average_days_7": figures.average_days[7],
        "regular_7": figures.regular[7],
        "regular_7_share": figures.regular_share[7],
        "average_days_30": figures.average_days[30],
        "regular_30": figures.regular[30],
        "regular_30_share": figures.regular_share[30],
        "app_declared": figures.app_declared,
        "app_declared_share": figures.app_declared_share,
        "app_confirmed": figures.app_confirmed,
        "app_confirmed_share": figures.app_confirmed_share,
    }


def _unit(request, code: str):
    try:
        return access.unit_for(request.user, code)
    except NotFound as exc:
        raise Http404 from exc


def _bulletin(unit, slug: str) -> Bulletin | None:
    if not slug:
        return None
    found = {b.slug: b for b in dashboards.bulletin_choices(unit)}.get(slug)
    if found is None:
        raise Http404
    return found


@router.get(
    "/reach/units/{path:code}",  # a code may hold "/", as the dashboard pages allow
    response={200: UnitDashboardOut, 401: ErrorOut, 404: ErrorOut, 422: ParameterErrorsOut},
    summary="A unit's dashboard figures",
    description=(
        "For the unit and the units below it, over the last 7, 30 or 90 days, optionally for "
        "one bulletin: in total, and per unit directly below (each with its subtree) and for "
        "the unit's own staff. For a logged-in manager of the unit or of a unit above it, or "
        "an administrator (session); API keys carry no scope that opens it. Deliveries, reads, "
        "shares and visits count under the unit the person was in at the time; staff, days "
        "with access and the app under the unit they are in now."
    ),
)
def unit_dashboard(request, code: str, filters: Query[DashboardFilter]):
    if not request.user.is_authenticated:
        return Status(401, {"detail": _("Log in as a manager of the unit to see its figures.")})
    unit = _unit(request, code)
    bulletin = _bulletin(unit, filters.bulletin)
    now = timezone.now()
    board = dashboards.dashboard(unit, days=filters.days, bulletin=bulletin, now=now)
    return {
        "code": unit.code,
        "name": unit.name,
        "days": board.days,
        "since": board.since,
        "until": board.today,
        "bulletin": bulletin.slug if bulletin else None,
        "total": _figures(board.total),
        "rows": [
            {
                "code": row.unit.code,
                "name": row.unit.name,
                "own": row.own,
                "figures": _figures(row.figures),
            }
            for row in board.rows
        ],
        "lagging": board.total.lagging,
        "awaiting_confirmation": board.total.awaiting,
    }
