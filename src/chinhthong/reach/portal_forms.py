"""Forms of the staff portal: what a staff member sends (a share's channel, the day they
installed the app). The rules themselves are in reach/events.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhthong.reach.events import EARLIEST_INSTALL
from chinhthong.reach.models import Via

SHARE_CHANNELS = [
    (Via.FACEBOOK, _("Facebook")),
    (Via.ZALO, _("Zalo")),
    (Via.COPY_LINK, _("Copied link")),
]


class ShareForm(forms.Form):
    via = forms.ChoiceField(choices=SHARE_CHANNELS)


class AppInstalledForm(forms.Form):
    on = forms.DateField(
        label=_("The day you installed it"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": _("Enter the day you installed the app."),
            "invalid": _("Enter a date, such as 05/12/2026."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()  # most declare it the day they do it
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["on"].widget.attrs["min"] = EARLIEST_INSTALL.isoformat()
