"""The report forms: what a resident (or a staff member) types and attaches. They only read
the input; reports.intake.submit checks it whole and stores it."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhthong.config.refusals import Refused
from chinhthong.reports import intake
from chinhthong.reports.links import MAX_LINKS
from chinhthong.reports.models import EvidenceKind

# The form field that shows a refusal of the intake, by its code (None: the whole form).
FIELD_OF = {
    "link_empty": "links",
    "link_too_long": "links",
    "link_invalid": "links",
    "too_many_links": "links",
    "claim_too_long": "claim",
    "nothing_reported": "claim",
    "seen_at": "seen_at",
    "too_many_images": "screenshots",
    "image_empty": "screenshots",
    "image_too_large": "screenshots",
    "not_an_image": "screenshots",
    "image_too_many_pixels": "screenshots",
    "contact_email": "contact_email",
    "contact_name": "contact_name",
    "contact_phone": "contact_phone",
}


def refusal_as_error(form: forms.BaseForm, exc: Refused) -> None:
    """Each problem of a refused report at its field (intake.Problems holds several)."""
    for problem in getattr(exc, "problems", [exc]):
        field = FIELD_OF.get(problem.code)
        form.add_error(field if field in form.fields else None, problem.message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleImageField, self).clean(item, initial) for item in files]


class ReportForm(forms.Form):
    links = forms.CharField(
        label=_("Link(s) to the post"),
        help_text=_("One link a line: the post, page or video where you saw it."),
        required=False,
        max_length=MAX_LINKS * 2100,
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "url", "autocomplete": "off"}),
    )
    claim = forms.CharField(
        label=_("What does it claim?"),
        help_text=_("Copy the text of the post, or describe what it says."),
        required=False,
        max_length=intake.MAX_CLAIM_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    screenshots = MultipleImageField(
        label=_("Screenshots"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF pictures: at most %(n)s, each at most %(mb)s MB."),
    )
    seen_at = forms.DateTimeField(
        label=_("When did you see it?"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    contact_name = forms.CharField(label=_("Your name"), required=False, max_length=200)
    contact_email = forms.CharField(
        label=_("Your email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Your phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the handlers of this report may contact me about it, and that I am "
            "told the outcome."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {
            "n": settings.REPORT_MAX_IMAGES,
            "mb": settings.REPORT_IMAGE_MAX_BYTES // 2**20,
        }
        self.fields["screenshots"].help_text = self.fields["screenshots"].help_text % limits

    def submission(self, files) -> intake.Submission:
        data = self.cleaned_data
        seen_at = data.get("seen_at")
        if seen_at is not None and timezone.is_naive(seen_at):
            seen_at = timezone.make_aware(seen_at)
        uploads = [
            intake.Upload(upload.name, upload.read(), EvidenceKind.SCREENSHOT)
            for upload in data.get("screenshots") or []
        ]
        return intake.Submission(
            claim=data.get("claim") or "",
            links=(data.get("links") or "").splitlines(),
            seen_at=seen_at,
            contact_name=data.get("contact_name") or "",
            contact_email=data.get("contact_email") or "",
            contact_phone=data.get("contact_phone") or "",
            consent=bool(data.get("consent")),
            files=uploads,
        )


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "TG-XXXX-XXXX-XXXX"}),
    )

    def clean_code(self) -> str:
        return normalise_code(self.cleaned_data["code"])


def normalise_code(text: str) -> str:
    """A tracking code as typed (lower case, spaces, no dashes) in its one written form."""
    bare = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if bare.startswith("TG"):
        bare = bare[2:]
    if len(bare) != 12:
        return ""
    return f"TG-{bare[:4]}-{bare[4:8]}-{bare[8:]}"


def seen_default() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)
