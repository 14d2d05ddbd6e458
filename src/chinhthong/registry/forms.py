from django import forms
from django.utils.translation import gettext_lazy as _

from chinhthong.registry.models import ChannelKind, ChannelStatus, Level
from chinhthong.registry.services import DirectoryFilter


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
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active and pending")), *ChannelStatus.choices],
    )

    def to_filter(self) -> DirectoryFilter:
        data = self.cleaned_data
        return DirectoryFilter(
            query=data["q"], kind=data["kind"], level=data["level"], status=data["status"]
        )
