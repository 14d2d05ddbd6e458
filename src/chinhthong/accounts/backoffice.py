"""The back office: Django's admin site, with every write behind the permission it needs.

Two doors of the stock admin let an account past its role, and are closed here:
- django-simple-history saves the form of a past version (its "revert") after checking only
  the view permission, so a read-only role could rewrite an official channel: saving there
  needs the change permission, as the ordinary change form does.
- "View on site" (/r/<content type>/<id>/) looks up any object of any model for any staff
  account, and fails with a 500 on models without a table: here it answers only for models
  of this site that the account may view, and 404 for everything else.

One log-in page: the back office's own (/quan-tri/login/) sends people to the site's,
/dang-nhap/, with the page they asked for; an account signed in without back-office access is
told that its role does not allow it.

And one limit: a search in the back office (a list's search box, an autocomplete) uses its
first SEARCH_MAX_WORDS words and SEARCH_MAX_CHARS characters. Each word is one more level of
the query's expression tree, and SQLite refuses a thousand of them with a 500. Every model
admin of the site has it: the site registers each through BackOfficeAdmin, the project's own
and the ones other apps register.
"""

import functools
import inspect
import itertools
import unicodedata

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLResolver, path, reverse
from django.utils.http import urlencode
from django.utils.text import smart_split
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from simple_history.admin import SimpleHistoryAdmin

from chinhthong.accounts.history import ReadableChanges
from chinhthong.clients.ratelimit import limited
from chinhthong.config.validators import validate_one_line

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
    index_title = _("Back office")

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

    def i18n_javascript(self, request, extra_context=None):
        return BackOfficeScripts.as_view(packages=["django.contrib.admin"])(request)

    def login(self, request, extra_context=None):
        """The site's log-in page, /dang-nhap/, is the back office's too."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
            return render(request, "403.html", status=403)
        wanted = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        query = urlencode({REDIRECT_FIELD_NAME: wanted})
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")

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


class BackOfficeScripts(JavaScriptCatalog):
    """The admin's script catalogue, with the strings its Vietnamese lacks taken from ours
    (accounts/third_party_strings.py, ADMIN_SCRIPT)."""

    PLURALS = (("%s selected option not visible", "%s selected options not visible"),)
    # Strings whose Vietnamese in Django's catalogue reads wrongly: ours replaces it.
    REPLACED = (("%(sel)s of %(cnt)s selected", "%(sel)s of %(cnt)s selected"),)

    def get_catalog(self):
        from chinhthong.accounts.third_party_strings import ADMIN_SCRIPT

        catalog = super().get_catalog()
        for message in ADMIN_SCRIPT:
            if isinstance(message, str) and gettext(message) != message:
                catalog.setdefault(message, gettext(message))
        for singular, plural in self.PLURALS:
            if ngettext(singular, plural, 1) != singular:
                catalog.setdefault(singular, [ngettext(singular, plural, 1)] * self._num_plurals)
        for singular, plural in self.REPLACED:
            if ngettext(singular, plural, 1) != singular:
                catalog[singular] = [ngettext(singular, plural, 1)] * self._num_plurals
        return catalog


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
    """A model's admin with its history, shown as people read it (accounts/history.py);
    reverting to a version needs the change permission."""

    object_history_list_template = "accounts/history_list.html"
    object_history_form_template = "accounts/history_form.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

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


def validate_reason(value: str) -> None:
    """A reason is stored text like any other (one line, no invisible or control characters:
    an escape sequence kept in the history would act on the terminal that reads it), and says
    something: it has a letter or a digit, not only marks, dots or invisible characters."""
    validate_one_line(value)
    if not any(unicodedata.category(character)[0] in "LN" for character in value):
        raise ValidationError(
            _("Write the reason in words: it has no letters or digits."), code="no_words"
        )


class ChangeReasonForm(forms.ModelForm):
    """A record's form with the reason for the change, which its history keeps."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,  # django-simple-history's history_change_reason
        help_text=_(
            "Why you add or change this record (for example the document that asks for it); "
            "the record's history shows it."
        ),
        validators=[validate_reason],
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )


class ReasonedHistoryAdmin(HistoryAdmin):
    """A history admin whose every save — adding, changing, reverting to a past version — gives
    its reason, kept as the version's history_change_reason."""

    form = ChangeReasonForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [f for f in options["fields"] if f != "change_reason"]
            if fields:
                fieldsets.append((name, {**options, "fields": fields}))
        if obj is not None and not self.has_change_permission(request, obj):
            return fieldsets  # a record shown read-only is not being changed
        return [*fieldsets, (None, {"fields": ["change_reason"]})]

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)


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
