"""The back office's forms for units, staff and roster files: values are checked by the same
functions an import uses (reach/organisation.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chinhthong.reach import organisation
from chinhthong.reach.models import StaffMember, Unit
from chinhthong.reach.roster_files import MAX_BYTES
from chinhthong.verify.phones import readable


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or Excel (.xlsx), at most 8 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)s MB, the most a roster file may be."),
                params={"mb": MAX_BYTES // 2**20},
                code="too_large",
            )
        return upload


class StaffRosterUploadForm(RosterUploadForm):
    deactivate_missing = forms.BooleanField(
        label=_("This is the full roster of its units"),
        required=False,
        help_text=_(
            "People of the units named in the file whom the file leaves out are deactivated "
            "(never deleted). Leave unticked for a file that only adds or changes people."
        ),
    )


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "parent", "active", "managers"]
        help_texts = {
            "managers": _(
                "People who see this unit's compliance and the units below it, and remind "
                "those who lag; they are given the unit manager's role."
            ),
        }

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        unit = self.instance
        if parent is not None and unit.pk and parent.path.startswith(unit.path):
            raise ValidationError(
                _("A unit cannot be put under itself or a unit below it."), code="cycle"
            )
        return parent


class StaffMemberForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["name", "unit", "position", "category", "email", "phone", "zalo_id"]
        help_texts = {
            "phone": _("A Vietnamese mobile or landline number, such as 0912 345 678."),
            "email": _("Also the person's username: a link to log in is sent to it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.phone and "phone" in self.fields:
            self.initial["phone"] = readable(self.instance.phone)

    def clean_name(self):
        return organisation.clean_text(self.cleaned_data["name"])

    def clean_position(self):
        return organisation.clean_text(self.cleaned_data["position"])

    def clean_email(self):
        return _canonical(organisation.staff_email, self.cleaned_data["email"])

    def clean_phone(self):
        return _canonical(organisation.staff_phone, self.cleaned_data["phone"])


def _canonical(function, value: str) -> str:
    if not value:
        return ""
    try:
        return function(value)
    except organisation.InvalidValue as exc:
        raise ValidationError(exc.message, code="invalid") from exc
