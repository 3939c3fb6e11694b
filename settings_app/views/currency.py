"""Currency settings: the default for new contacts and the currencies offered."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import currencies as config
from contacts.models import CrmSettings
from settings_app.views import admin_required, render_settings

OFFER_ALL, OFFER_CHOSEN = "all", "chosen"


class CurrencyForm(forms.Form):
    default_currency = forms.ChoiceField(
        label=gettext_lazy("Default currency for new contacts"),
        help_text=gettext_lazy("Proposed on the form of every new person or company."),
    )
    offer = forms.ChoiceField(
        label=gettext_lazy("Currencies offered on the contact form"),
        choices=[
            (OFFER_ALL, gettext_lazy("Every currency")),
            (OFFER_CHOSEN, gettext_lazy("Only the currencies checked below")),
        ],
        widget=forms.RadioSelect,
    )
    currencies = forms.MultipleChoiceField(
        label=gettext_lazy("Currencies"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request: the names follow the admin's language.
        choices = config.currency_choices(offered_only=False)
        common = len(config.COMMON_CURRENCIES)
        self.fields["default_currency"].choices = [
            (_("Common currencies"), choices[:common]),
            (_("Other currencies"), choices[common:]),
        ]
        self.fields["currencies"].choices = choices
        self.common_count = common

    def clean(self):
        data = super().clean()
        if data.get("offer") == OFFER_CHOSEN and not data.get("currencies"):
            self.add_error("currencies", _("Check at least one currency, or offer every one."))
        return data


@admin_required
def currency_settings(request):
    crm_settings = CrmSettings.load()
    initial = {
        "default_currency": config.default_currency(),
        "offer": OFFER_CHOSEN if crm_settings.currencies else OFFER_ALL,
        "currencies": crm_settings.currencies,
    }
    form = CurrencyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            config.currency_settings_update(
                default_currency=data["default_currency"],
                currencies=data["currencies"] if data["offer"] == OFFER_CHOSEN else [],
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Currency settings saved."))
            return redirect("settings_app:currency")
    context = {"form": form, "stored_default": crm_settings.default_currency}
    return render_settings(request, "currency", "settings_app/currency.html", context)
