"""Unit managers' dashboards (/cong-chuc/don-vi/): the units a manager may see, a unit's figures
as tables and charts, the staff who lag, exports, and the manager's confirmation that a staff
member installed the official app. Views parse and answer; reach/access.py decides who sees
what (a unit they may not see answers 404, as a missing one does), reach/dashboards.py and
reach/laggards.py count, reach/exports.py writes the files.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from chinhthong.clients.ratelimit import limited
from chinhthong.config.refusals import NotFound, Refused
from chinhthong.delivery.models import Channel
from chinhthong.reach import access, charts, dashboards, exports, laggards, queries
from chinhthong.reach.views import not_for_you

# A POST here carries a CSRF token and nothing else.
SMALL_BODY = 4 * 1024
EXPORTS = {"bang-so-lieu": "table", "can-bo-cham": "laggards"}


class FilterForm(forms.Form):
    days = forms.TypedChoiceField(label=gettext_lazy("Period"), coerce=int, required=False)
    bulletin = forms.ChoiceField(label=gettext_lazy("Bulletin"), required=False)

    def __init__(self, data, *, bulletins):
        super().__init__(data, initial={"days": dashboards.DEFAULT_PERIOD})
        self.bulletins = {b.slug: b for b in bulletins}
        self.fields["days"].choices = [
            (days, _("Last %(days)s days") % {"days": days}) for days in dashboards.PERIODS
        ]
        self.fields["bulletin"].choices = [("", _("All bulletins"))] + [
            (b.slug, _bulletin_label(b)) for b in bulletins
        ]

    def chosen(self):
        """(days, bulletin or None); what is not valid falls back to the defaults."""
        if not self.is_valid():
            return dashboards.DEFAULT_PERIOD, None
        days = self.cleaned_data.get("days") or dashboards.DEFAULT_PERIOD
        return days, self.bulletins.get(self.cleaned_data.get("bulletin") or "")


def _bulletin_label(bulletin) -> str:
    versions = list(bulletin.versions.all())
    title = versions[-1].title if versions else bulletin.slug
    day = formats.date_format(timezone.localtime(bulletin.published_at), "SHORT_DATE_FORMAT")
    return f"{day} · {title}"


def manager_page(view):
    """Not logged in → the log-in page, then back. A unit the user may not see → 404."""

    @wraps(view)
    def wrapped(request, *args, code=None, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if code is None:
            return view(request, *args, **kwargs)
        try:
            unit = access.unit_for(request.user, code)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        return view(request, unit, *args, **kwargs)

    return wrapped


@limited("pages")
@require_GET
@never_cache
@manager_page
def units(request):
    tops = access.top_units_for(request.user)
    if not tops:
        return not_for_you(
            request,
            _("This page is for the managers of a unit"),
            _("You manage no unit. An administrator names each unit's managers."),
        )
    if len(tops) == 1:
        return redirect("reach:dashboard", code=tops[0].code)
    return render(request, "reach/dashboard/units.html", {"units": tops})


def _filters(request, unit):
    form = FilterForm(request.GET or None, bulletins=dashboards.bulletin_choices(unit))
    return form, *form.chosen()


@limited("pages")
@require_GET
@never_cache
@manager_page
def dashboard(request, unit):
    form, days, bulletin = _filters(request, unit)
    rules = laggards.Rules.at(days)
    board = dashboards.dashboard(unit, days=days, bulletin=bulletin, rules=rules)
    limit = laggards.PAGE_LIMIT
    context = {
        "unit": unit,
        "crumbs": _crumbs(request.user, unit),
        "form": form,
        "board": board,
        "charts": _charts(board),
        "trend": _trend(board),
        "lagging": laggards.first_laggards(
            unit, rules=rules, limit=limit, units=board.first_units("lagging", limit)
        ),
        "awaiting": laggards.first_awaiting(
            unit, limit=limit, units=board.first_units("awaiting", limit)
        ),
        "page_limit": limit,
        # The manager's own roster entry, if any: they do not confirm their own installation.
        "me": queries.staff_id_of(request.user),
        "no_access_days": laggards.NO_ACCESS_DAYS,
        "urgent_days": laggards.URGENT_DAYS,
        "regular_days": dashboards.REGULAR_DAYS,
        "channels": [(c, Channel(c).label) for c in dashboards.CHANNELS],
        "query": request.GET.urlencode(),
    }
    return render(request, "reach/dashboard/unit.html", context)


def _crumbs(user, unit) -> list:
    """The units above ``unit`` that the user may see, from the top down."""
    ids = [int(part) for part in unit.path.strip("/").split("/")[:-1] if part]
    found = {u.pk: u for u in access.units_for(user).filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def _row_name(row) -> str:
    return _("Staff of %(unit)s itself") % {"unit": row.unit.name} if row.own else row.unit.name


def _charts(board) -> list[dict]:
    rows = [(_row_name(row), row.figures) for row in board.rows if row.figures.staff]
    week = dashboards.REGULAR_DAYS[7]
    made = [
        (_("Read within 24 hours of publication"), lambda f: f.read_on_time_share),
        (
            _("Opened the portal on at least %(n)s of the last 7 days") % {"n": week},
            lambda f: f.regular_share[7],
        ),
        (_("Declared the official app installed"), lambda f: f.app_declared_share),
    ]
    out = []
    for title, value in made:
        bars = [(name, value(figures)) for name, figures in rows]
        out.append({"title": title, "svg": charts.bar_chart(title, bars), "bars": bars})
    return out


def _trend(board) -> dict:
    title = _("People who opened the portal, day by day")
    days = sorted(board.access_by_day.items())
    columns = [(formats.date_format(day, "d/m"), n) for day, n in days]
    every = 7 if len(columns) <= 30 else 14
    return {
        "title": title,
        "svg": charts.column_chart(title, columns, every=every),
        "days": [(formats.date_format(day, "SHORT_DATE_FORMAT"), n) for day, n in days],
    }


@limited("pages")
@require_GET
@never_cache
@manager_page
def export(request, unit, what: str, fmt: str):
    kind = EXPORTS.get(what)
    if kind is None or fmt not in exports.FORMATS:
        raise Http404
    _form, days, bulletin = _filters(request, unit)
    if kind == "table":
        board = dashboards.dashboard(unit, days=days, bulletin=bulletin)
        headers, rows = exports.figure_headers(), exports.figure_rows(board)
        title = _("Figures")
    else:
        headers = exports.laggard_headers()
        everyone = laggards.all_laggards(unit, rules=laggards.Rules.at(days))
        rows = (exports.laggard_cells(one) for one in everyone)
        title = _("Staff who lag")
    name = exports.filename(what, unit.code, dashboards.local_day(timezone.now()), fmt)
    if fmt == "csv":
        return exports.csv_response(name, headers, rows)
    return exports.xlsx_response(name, title, headers, rows)


@limited("pages", max_body=SMALL_BODY)
@require_POST
@manager_page
def confirm_app(request, unit, staff_id: int):
    try:
        event = dashboards.confirm_app(request.user, staff_id, within=unit)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Refused as exc:  # nothing declared, confirmed already, or their own
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Confirmed: %(name)s installed the official app.") % {"name": event.staff.name},
        )
    return redirect(reverse("reach:dashboard", kwargs={"code": unit.code}) + "#cho-xac-nhan")
