"""The settings page's form of a webhook subscription."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from api.webhooks.addresses import UrlRefused, url_check
from api.webhooks.models import Event, Subscription


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_("An https address of your application; it receives a POST per event."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label=_("Send the events"), required=False, initial=True)

    def __init__(self, *args, subscription: Subscription | None = None, **kwargs):
        if subscription is not None:
            kwargs["initial"] = {
                "url": subscription.url,
                "events": subscription.events,
                "active": subscription.active,
            }
        super().__init__(*args, **kwargs)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        try:
            url_check(url)
        except UrlRefused as exc:
            raise ValidationError(str(exc)) from exc
        return url
