from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from chinhthong.portal import images
from chinhthong.portal.models import SiteIdentity


def _help(kind: str) -> str:
    return _("%(types)s, at most %(kb)s KB, from %(min)s to %(max)s pixels a side.") % {
        "types": images.accepted_types(kind),
        "kb": images.MAX_BYTES[kind] // 1024,
        "min": images.MIN_SIDE,
        "max": images.MAX_SIDE,
    }


def _form_field(field, **kwargs):
    # Links typed without a scheme are read as https, as Django 6 will do by default.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class SiteIdentityForm(forms.ModelForm):
    """The identity with its two images as uploads, each checked before it is kept."""

    emblem_file = forms.FileField(label=_("New emblem"), required=False)
    remove_emblem = forms.BooleanField(label=_("Remove the emblem"), required=False)
    favicon_file = forms.FileField(label=_("New site icon"), required=False)
    remove_favicon = forms.BooleanField(label=_("Remove the site icon"), required=False)

    class Meta:
        model = SiteIdentity
        formfield_callback = _form_field
        fields = [
            "site_name",
            "site_name_en",
            "name",
            "name_en",
            "agency",
            "address",
            "phone",
            "email",
            "website",
            "hours",
            "legal_line",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["emblem_file"].help_text = _help(images.EMBLEM)
        self.fields["favicon_file"].help_text = _help(images.FAVICON)
        for name, kind in (("emblem_file", images.EMBLEM), ("favicon_file", images.FAVICON)):
            accept = ",".join(images.ACCEPTED[kind])
            self.fields[name].widget.attrs["accept"] = accept

    def clean_emblem_file(self) -> bytes | None:
        return _checked(self.cleaned_data.get("emblem_file"), images.EMBLEM)

    def clean_favicon_file(self) -> bytes | None:
        return _checked(self.cleaned_data.get("favicon_file"), images.FAVICON)


def _checked(upload, kind: str) -> bytes | None:
    """The upload's bytes once they pass images.check_image: its declared size is checked
    before anything is read, and no more than the limit and one byte is read."""
    if not upload:
        return None
    limit = images.MAX_BYTES[kind]
    data = upload.read(limit + 1) if upload.size <= limit else b"\0" * (limit + 1)
    try:
        images.check_image(data, kind)
    except images.ImageRejected as exc:
        raise ValidationError(str(exc)) from exc
    return data
