import zoneinfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .models import Profile


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Dates and times on your pages and in your e-mails are shown in it."),
    )

    class Meta:
        model = Profile
        fields = ["language", "time_zone"]
        labels = {"language": _("Language")}
        help_texts = {
            "language": _("Your pages, e-mails and notifications are written in it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language named in itself, as the switcher shows it.
        self.fields["language"].choices = [
            (code, _language_name(code)) for code, _name in settings.LANGUAGES
        ]
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))


def _language_name(code):
    return get_language_info(code)["name_local"].capitalize()
