"""The editors' forms: a draft, a correction, a time to publish, a file to attach. Each only
reads what was typed and asks the services whether it may be stored; the services write."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime, FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chinhthong.bulletins import attachments, services
from chinhthong.bulletins.models import Attachment, Bulletin, Status, Urgency
from chinhthong.config.refusals import Refused
from chinhthong.config.validators import validate_multi_line, validate_one_line
from chinhthong.reach.models import Unit

PROVINCE, UNITS = "province", "units"
# The form field that shows a refusal of the services, by its code (None: the whole form).
FIELD_OF = {
    "title": "title",
    "tags": "tags",
    "sources": "sources",
    "no_audience": "units",
    "urgency": "urgency",
    "body_files": "body_markdown",
}


def refusal_as_error(form: forms.BaseForm, exc: Refused) -> None:
    field = FIELD_OF.get(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)


class SourcesField(forms.CharField):
    """The sources cited, one a line: "title | https://address"."""

    widget = forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("sources cited"))
        kwargs.setdefault("help_text", _("One a line: title | https://address"))
        super().__init__(required=False, max_length=20_000, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{s.get('title', '')} | {s.get('url', '')}" for s in value)
        return value

    def to_python(self, value) -> list[dict]:
        sources = []
        for number, line in enumerate(str(value or "").splitlines(), start=1):
            if not line.strip():
                continue
            title, bar, url = line.rpartition("|")
            if not bar or not title.strip() or not url.strip():
                raise ValidationError(
                    _("Line %(number)s: write “title | https://address”."),
                    params={"number": number},
                )
            sources.append({"title": title.strip(), "url": url.strip()})
        try:
            return services.clean_sources(sources)
        except Refused as exc:
            raise ValidationError(exc.message) from exc


class TagsField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=capfirst(_("topics")),
            required=False,
            max_length=2000,
            help_text=_("Separated by commas, e.g. lừa đảo, an ninh mạng."),
            **kwargs,
        )

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        try:
            return services.normalise_tags(str(value or "").split(","))
        except Refused as exc:
            raise ValidationError(exc.message) from exc


class VersionText(forms.Form):
    """What a version says: the fields a draft and a correction share."""

    title = forms.CharField(
        label=capfirst(_("bulletin title")), max_length=300, validators=[validate_one_line]
    )
    summary = forms.CharField(
        label=capfirst(_("summary")),
        max_length=1000,
        required=False,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
    )
    body_markdown = forms.CharField(
        label=capfirst(_("text of the bulletin")),
        max_length=100_000,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 18, "class": "vLargeTextField"}),
        help_text=_(
            "Markdown: **bold**, ## heading, - list item, [link](https://…). A picture "
            "attached to the bulletin: ![what it shows](its-file-name.png)."
        ),
    )
    sources = SourcesField()


def _version_initial(version) -> dict:
    return {
        "title": version.title,
        "summary": version.summary,
        "body_markdown": version.body_markdown,
        "sources": version.sources,
    }


class BulletinForm(VersionText, forms.ModelForm):
    """A draft: its text, who it is for, how urgent, its topics and sources."""

    urgency = forms.ChoiceField(label=capfirst(_("urgency")), choices=Urgency.choices)
    audience_scope = forms.ChoiceField(
        label=capfirst(_("who it is for")),
        choices=[
            (PROVINCE, _("the whole province")),
            (UNITS, _("the units chosen below, each with the units under it")),
        ],
        widget=forms.RadioSelect,
        initial=PROVINCE,
    )
    units = forms.ModelMultipleChoiceField(
        label=capfirst(_("units")),
        queryset=Unit.objects.filter(active=True),
        required=False,
        widget=FilteredSelectMultiple(_("units"), is_stacked=False),
    )
    tags = TagsField()

    class Meta:
        model = Bulletin
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bulletin = self.instance
        if bulletin.pk:
            latest = bulletin.latest_version
            self.initial.update(_version_initial(latest) if latest else {})
            self.initial["audience_scope"] = PROVINCE if bulletin.whole_province else UNITS
            self.initial["units"] = [unit.pk for unit in bulletin.audience.all()]
        self.draft: services.Draft | None = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        draft = services.Draft(
            title=cleaned["title"],
            summary=cleaned.get("summary", ""),
            body_markdown=cleaned["body_markdown"],
            sources=cleaned.get("sources", []),
            tags=cleaned.get("tags", []),
            urgency=cleaned["urgency"],
            whole_province=cleaned["audience_scope"] == PROVINCE,
            units=list(cleaned.get("units") or []),
        )
        try:
            self.draft = services.clean_draft(draft)
        except Refused as exc:
            refusal_as_error(self, exc)
            return cleaned
        bulletin = self.instance if self.instance.pk else None
        scheduled = bulletin is not None and bulletin.status == Status.SCHEDULED
        for code, message in services.render_body(bulletin, draft.body_markdown).problems:
            if code == "external_image" or scheduled:
                self.add_error("body_markdown", message)
        return cleaned


class CorrectionForm(VersionText):
    """A new version of a published bulletin, saying what changed."""

    significant = forms.BooleanField(
        label=capfirst(_("significant change")),
        required=False,
        help_text=_(
            "Tick it when what staff must know or do has changed: those who read an earlier "
            "version are asked to read this one."
        ),
    )
    change_note = forms.CharField(
        label=capfirst(_("what changed")),
        max_length=500,
        validators=[validate_one_line],
        help_text=_("Shown to readers beside the new version."),
    )

    def __init__(self, bulletin: Bulletin, *args, **kwargs):
        self.bulletin = bulletin
        self.latest = bulletin.latest_version
        kwargs.setdefault("initial", _version_initial(self.latest))
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        same = _version_initial(self.latest)
        if all(cleaned.get(name, "") == same[name] for name in same):
            raise ValidationError(
                _("Nothing changed: the correction says exactly what the current version says.")
            )
        for _code, message in services.render_body(
            self.bulletin, cleaned["body_markdown"]
        ).problems:
            self.add_error("body_markdown", message)
        return cleaned

    def draft(self) -> services.Draft:
        data = self.cleaned_data
        return services.Draft(
            title=data["title"],
            summary=data.get("summary", ""),
            body_markdown=data["body_markdown"],
            sources=data.get("sources", []),
        )


class ScheduleForm(forms.Form):
    when = forms.SplitDateTimeField(
        label=capfirst(_("publish at (Vietnam time)")), widget=AdminSplitDateTime()
    )

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when <= timezone.now():
            raise ValidationError(_("Choose a time in the future."))
        return when


class AttachmentAddForm(forms.ModelForm):
    """A file for a bulletin, checked from its bytes before anything is stored."""

    file = forms.FileField(
        label=capfirst(_("file")),
        help_text=_("A picture (JPEG, PNG, WebP, GIF) or a PDF."),
    )

    class Meta:
        model = Attachment
        fields = ["bulletin"]
        labels = {"bulletin": _("bulletin")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "bulletin" in self.fields:
            self.fields["bulletin"].queryset = Bulletin.objects.exclude(status=Status.CANCELLED)
        self.data_bytes = b""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > attachments.cap():
            raise ValidationError(attachments._too_large(attachments.cap()).message)
        data = upload.read()
        try:
            attachments.check_file(data)
        except Refused as exc:
            raise ValidationError(exc.message) from exc
        self.data_bytes = data
        return upload


class AttachmentChangeForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["name"]
        help_texts = {
            "name": _(
                "The body names the file by it; letters without accents, digits and "
                "hyphens. Its extension stays that of its type."
            )
        }


def local_now() -> str:
    return gettext("now: %(when)s") % {"when": services.local_time(timezone.now())}
