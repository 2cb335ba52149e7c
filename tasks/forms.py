from django import forms
from django.utils.translation import gettext_lazy as _


class GroupMembersForm(forms.Form):
    """Pick members of a selective group; only the group's own members are offered."""

    units = forms.ModelMultipleChoiceField(
        label=_("选定单位"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = group.members.filter(is_active=True).order_by("order", "name")
