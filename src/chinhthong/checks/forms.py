from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chinhthong.checks.services import MAX_EMAIL_BYTES, MAX_INPUT_CHARS


class CheckForm(forms.Form):
    q = forms.CharField(
        label=_("Link, domain, mail address or message text"),
        required=False,
        max_length=MAX_INPUT_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("e.g. https://quangninh-gov.vn/tra-cuu")}
        ),
    )
    eml = forms.FileField(
        label=_("…or a whole email saved as .eml"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,message/rfc822"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No maxlength in the page: a browser cuts a longer paste silently and the rest would
        # be checked as if whole (the link at the end of a long message lost); the form
        # refuses it instead, saying how long it is.
        self.fields["q"].widget.attrs.pop("maxlength", None)

    def clean_eml(self):
        upload = self.cleaned_data.get("eml")
        if not upload:
            return None
        if upload.size > MAX_EMAIL_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_EMAIL_BYTES // 2**20}
            )
        data = upload.read()
        if not _looks_like_message(data):
            raise ValidationError(
                _("This file is not an email message (.eml): it does not start with mail headers.")
            )
        return data

    def clean(self):
        data = super().clean()
        if self.has_error("q") or self.has_error("eml"):
            return data  # a field's own error says what is wrong; the input was not empty
        if not data.get("q", "").strip() and not data.get("eml"):
            raise ValidationError(
                _("Paste a link, a domain, a mail address or a message, or choose an .eml file.")
            )
        return data


def _looks_like_message(data: bytes) -> bool:
    """An RFC 5322 message starts with a header line "Name: value"."""
    head = data[:2048].lstrip(b"\r\n")
    first = head.split(b"\n", 1)[0]
    name, colon, _rest = first.partition(b":")
    return bool(colon) and 0 < len(name) < 80 and all(33 <= b <= 126 and b != 58 for b in name)
