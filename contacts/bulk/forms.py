"""The forms of the list's bulk actions: which contacts, and what to do to them."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contacts.forms import MAX_SELECTED, UserChoiceField
from contacts.models import BulkJob, Contact
from contacts.tags import TAG_MAX_LENGTH, validate_tag_name

EXPORTS = ("export_csv", "export_vcard")


class SelectionForm(forms.Form):
    """What the list posts: the action, the ticked rows or all matching, the list's query."""

    action = forms.ChoiceField(choices=[*BulkJob.Action.choices, *((e, e) for e in EXPORTS)])
    selected = forms.TypedMultipleChoiceField(coerce=int, required=False)
    all = forms.BooleanField(required=False)
    query = forms.CharField(required=False, max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any ids: those the user may not see are left out by the access selector.
        self.fields["selected"].valid_value = lambda value: True

    def clean_selected(self):
        selected = self.cleaned_data["selected"]
        if len(selected) > MAX_SELECTED:
            raise ValidationError(_("Select at most %(max)d contacts.") % {"max": MAX_SELECTED})
        return selected

    def clean(self):
        data = super().clean()
        if not data.get("all") and not data.get("selected"):
            raise ValidationError(_("Select at least one contact first."), code="empty")
        return data


class ActionForm(forms.Form):
    """What the confirmation page asks, depending on the action."""

    tag = forms.CharField(label=_("Tag"), max_length=TAG_MAX_LENGTH * 2)
    users = UserChoiceField(
        label=_("Responsible users"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(
        label=_("How"),
        choices=[
            ("add", _("Add them to the responsible users each contact has")),
            ("replace", _("Replace the responsible users of each contact with them")),
        ],
        initial="add",
        widget=forms.RadioSelect,
    )
    access = forms.ChoiceField(
        label=_("Access"), choices=Contact.Access.choices, widget=forms.RadioSelect
    )

    FIELDS = {
        BulkJob.Action.ADD_TAG: ("tag",),
        BulkJob.Action.REMOVE_TAG: ("tag",),
        BulkJob.Action.SET_RESPONSIBLE: ("users", "mode"),
        BulkJob.Action.SET_ACCESS: ("access",),
        BulkJob.Action.DELETE: (),
    }

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.FIELDS[action]:
                del self.fields[name]
        if "users" in self.fields:
            self.fields["users"].queryset = (
                get_user_model()
                .objects.filter(is_active=True)
                .order_by("first_name", "last_name", "username")
            )
        if "tag" in self.fields:
            self.fields["tag"].widget.attrs.update(autocomplete="off", list="bulk-tag-options")

    def clean_tag(self):
        return validate_tag_name(self.cleaned_data["tag"])

    def params(self):
        """Return what the job needs to know, as JSON-able values."""
        data = dict(self.cleaned_data)
        if "users" in data:
            data["users"] = [user.pk for user in data["users"]]
        return data
