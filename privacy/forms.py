from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contacts import text
from privacy.models import Lookup


class FindForm(forms.Form):
    """Who to look for: an e-mail address, a phone number or a name."""

    lookup = forms.ChoiceField(
        label=_("Look up by"),
        choices=Lookup.choices,
        initial=Lookup.EMAIL,
        widget=forms.RadioSelect,
    )
    value = forms.CharField(label=_("Value"), max_length=254, strip=True)

    def clean(self):
        cleaned = super().clean()
        lookup, value = cleaned.get("lookup"), cleaned.get("value")
        if not value or not lookup:
            return cleaned
        if lookup == Lookup.EMAIL:
            try:
                text.validate_email_address(value)
            except ValidationError:
                self.add_error("value", _("Enter an e-mail address, such as name@example.com."))
        elif lookup == Lookup.PHONE and not text.normalize_phone(value):
            self.add_error(
                "value",
                _(
                    "This phone number cannot be read: write it as on a card, "
                    "such as +33 6 12 34 56 78."
                ),
            )
        elif lookup == Lookup.NAME and len(value) < 2:
            self.add_error("value", _("Write the full name, as the contact's card shows it."))
        return cleaned


class EraseForm(FindForm):
    """The person to erase, as found, and the admin's word that it is meant."""

    confirm = forms.BooleanField(
        label=_("I understand that everything listed here is erased for good."),
        error_messages={"required": _("Tick the box to confirm: nothing can bring it back.")},
    )


class EraseContactForm(forms.Form):
    confirm = EraseForm.base_fields["confirm"]
