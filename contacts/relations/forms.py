from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.access import contacts_visible_to
from contacts.relations import selectors


class RelationAddForm(forms.Form):
    """The relation to add to a contact: its type read from the contact, and the other
    contact, found by a search among those the user may see."""

    type = forms.ChoiceField(label=_("Relation"))
    q = forms.CharField(label=_("Find the other contact"), max_length=200, required=False)
    other = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, contact, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.contact = user, contact
        self.fields["type"].choices = selectors.type_choices(contact.kind)

    def clean(self):
        data = super().clean()
        data["relation_type"], data["inverse"] = selectors.chosen_type(data.get("type") or "")
        if data.get("type") and data["relation_type"] is None:
            self.add_error("type", _("This relation type was deleted meanwhile."))
        return data

    def clean_other(self):
        pk = self.cleaned_data.get("other")
        if pk is None:
            return None
        # A contact the user may not see is as unknown as one that does not exist.
        other = contacts_visible_to(self.user).filter(pk=pk).first()
        if other is None:
            raise forms.ValidationError(_("Choose a contact among those found."))
        return other

    def candidates(self):
        """Return the contacts the search found, those the chosen type may relate to."""
        if not self.is_bound or not self.is_valid() or not self.cleaned_data["q"].strip():
            return []
        data = self.cleaned_data
        return list(
            selectors.candidates(
                self.user, self.contact, data["relation_type"], data["inverse"], data["q"]
            )
        )
