from django import forms
from django.utils.translation import gettext_lazy as _

from chinhthong.registry.models import ChannelKind, ChannelStatus, Level
from chinhthong.registry.services import DirectoryFilter

WITH_PENDING = "with_pending"


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. kiem soat benh tat")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ChannelKind.choices]
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices]
    )
    # Channels pending review are listed only when asked for: they are not yet official.
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", ChannelStatus.ACTIVE.label),
            (ChannelStatus.PENDING_REVIEW, ChannelStatus.PENDING_REVIEW.label),
            (WITH_PENDING, _("Active and pending")),
            (ChannelStatus.RETIRED, ChannelStatus.RETIRED.label),
        ],
    )

    def to_filter(self) -> DirectoryFilter:
        data = self.cleaned_data
        status = {"": ChannelStatus.ACTIVE, WITH_PENDING: ""}.get(data["status"], data["status"])
        return DirectoryFilter(
            query=data["q"], kind=data["kind"], level=data["level"], status=status
        )
