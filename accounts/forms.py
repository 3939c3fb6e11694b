import functools
import zoneinfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile


class ManyOptionsSelect(forms.Select):
    """A select of hundreds of options, written here rather than one template per option.

    Django renders each option through its own template: for the 600 time zones that
    made the page ten times slower than a contact's card.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = str(value) if value is not None else ""
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) == chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


@functools.cache
def time_zone_choices():
    # available_timezones() reads the whole zone database from disk: once per process.
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        widget=ManyOptionsSelect,
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
