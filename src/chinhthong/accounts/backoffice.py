"""The back office: Django's admin site, with every write behind the permission it needs.

Two doors of the stock admin let an account past its role, and are closed here:
- django-simple-history saves the form of a past version (its "revert") after checking only
  the view permission, so a read-only role could rewrite an official channel: saving there
  needs the change permission, as the ordinary change form does.
- "View on site" (/r/<content type>/<id>/) looks up any object of any model for any staff
  account, and fails with a 500 on models without a table: here it answers only for models
  of this site that the account may view, and 404 for everything else.

And one limit: a search in the back office (a list's search box, an autocomplete) uses its
first SEARCH_MAX_WORDS words and SEARCH_MAX_CHARS characters. Each word is one more level of
the query's expression tree, and SQLite refuses a thousand of them with a 500. Every model
admin of the site has it: the site registers each through BackOfficeAdmin, the project's own
and the ones other apps register.
"""

import functools
import inspect
import itertools

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import URLResolver, path
from django.utils.text import smart_split
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from chinhthong.clients.ratelimit import limited

SEARCH_MAX_WORDS = 10
SEARCH_MAX_CHARS = 200


def bounded_search(term: str) -> tuple[str, bool]:
    """The search the back office runs for ``term``: its first SEARCH_MAX_WORDS words (a
    quoted phrase is one) within its first SEARCH_MAX_CHARS characters; and whether anything
    was left out."""
    term = term.strip()
    words = list(itertools.islice(smart_split(term[:SEARCH_MAX_CHARS]), SEARCH_MAX_WORDS + 1))
    cut = len(term) > SEARCH_MAX_CHARS or len(words) > SEARCH_MAX_WORDS
    return " ".join(words[:SEARCH_MAX_WORDS]), cut


class BackOfficeAdmin(admin.ModelAdmin):
    """What every model admin of the back office does; BackOfficeSite.register adds it to the
    admins that do not derive from it."""

    def get_search_results(self, request, queryset, search_term):
        bounded, _cut = bounded_search(search_term)
        return super().get_search_results(request, queryset, bounded)

    def get_changelist_instance(self, request):
        # Called by the list's view once the account may see the list, before it is shown.
        changelist = super().get_changelist_instance(request)
        if bounded_search(changelist.query)[1]:
            messages.warning(
                request,
                gettext(
                    "The search was too long: only its first %(words)s words (at most "
                    "%(chars)s characters) were used."
                )
                % {"words": SEARCH_MAX_WORDS, "chars": SEARCH_MAX_CHARS},
            )
        return changelist


class BackOfficeSite(admin.AdminSite):
    site_header = _("chinhthong — administration")
    site_title = _("chinhthong")
    index_title = _("Registry and accounts")

    def admin_view(self, view, cacheable=False):
        # Counted per client in the back office's own group, more generous than the public
        # pages' (an editor's work is many requests).
        return limited("backoffice")(super().admin_view(view, cacheable))

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BackOfficeAdmin):
            # Another app's admin (axes', the task queue's, …): the same class, bounded.
            attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
            admin_class = type(admin_class.__name__, (BackOfficeAdmin, admin_class), attrs)
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        urls = super().get_urls()
        checked = path(
            "r/<int:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        # Log-in attempts are counted in their own group: each hashes a password.
        log_in = path("login/", limited("login")(_as_function(self.login)), name="login")
        replaced = {"view_on_site": checked, "login": log_in}
        urls = [replaced.get(getattr(u, "name", None), u) for u in urls]
        _mark_back_office(urls)
        return urls

    def view_on_site(self, request, content_type_id: int, object_id: str):
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist as exc:
            raise Http404 from exc
        model_admin = self._registry.get(model)
        if model_admin is None or not hasattr(model, "get_absolute_url"):
            raise Http404
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404
        return HttpResponseRedirect(obj.get_absolute_url())


def _whole_number(value: str) -> str:
    """A version or record id from the address; anything else is a page that does not exist
    (the history views would otherwise fail with a 500 on it)."""
    try:
        number = int(value)
    except ValueError as exc:
        raise Http404 from exc
    if not 0 < number < 2**63:
        raise Http404
    return value


class HistoryAdmin(BackOfficeAdmin, SimpleHistoryAdmin):
    """A model's admin with its history; reverting to a version needs the change permission."""

    def history_view(self, request, object_id, extra_context=None):
        return super().history_view(request, _whole_number(unquote(object_id)), extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        object_id = _whole_number(unquote(object_id))
        _whole_number(version_id)
        if request.method not in ("GET", "HEAD"):
            obj = self.get_object(request, object_id)
            # A deleted record brought back from its history is added again.
            allowed = (
                self.has_change_permission(request, obj)
                if obj is not None
                else self.has_add_permission(request)
            )
            if not allowed:
                raise PermissionDenied
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except ValidationError as exc:
            raise Http404 from exc


def _mark_back_office(patterns) -> None:
    """Count every view of the back office in its own group. admin_view marks what it wraps,
    but ModelAdmin.get_urls wraps its views once more at each request, so the view an address
    resolves to carried no mark and was counted with the public pages (120 a minute)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _mark_back_office(pattern.url_patterns)
        elif not hasattr(pattern.callback, "rate_limit_group"):
            if inspect.ismethod(pattern.callback):
                pattern.callback = _as_function(pattern.callback)
            limited("backoffice")(pattern.callback)


def _as_function(method):
    """A bound method as a plain function, which can carry the rate-limit mark."""

    @functools.wraps(method)
    def view(request, *args, **kwargs):
        return method(request, *args, **kwargs)

    return view
