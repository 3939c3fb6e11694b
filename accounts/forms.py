import datetime
import functools
import zoneinfo
from html import escape

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.forms import AddWebAuthnForm, EditWebAuthnForm
from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from accounts import address_books, services
from accounts.models import ApiToken, AppPassword, EmailKind, Profile


class ManyOptionsSelect(forms.Select):
    """A select of hundreds of options, written here rather than one template per option.

    Django renders each option through its own template: for the 600 time zones that
    made the page ten times slower than a contact's card. Each value and label goes
    through html.escape (which Django's escape calls); the markup is OPTION's.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = str(value) if value is not None else ""
        options = "".join(
            OPTION.format(
                escape(str(key)), " selected" if str(key) == chosen else "", escape(str(label))
            )
            for key, label in self.choices
        )
        # Safe: the name, attributes, values and labels are escaped; the markup is ours.
        return mark_safe(f'<select name="{escape(name)}"{flatatt(attrs)}>{options}</select>')  # noqa: S308


OPTION = '<option value="{}"{}>{}</option>'


@functools.cache
def time_zone_choices():
    # available_timezones() reads the whole zone database from disk: once per process.
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class SectionForm:
    """A form of a section of the profile page, drawn by templates/accounts/_form.html.

    Five forms on one page: through crispy's templates they took longer to draw than
    the rest of the page, so their Bootstrap markup is written by one short template.
    """

    action = ""  # the URL name it posts to
    section = ""
    tag_field = ""  # a field of tags, typed as chips with the CRM's tags suggested
    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.url = reverse(self.action)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        # Bootstrap shows a field's error after a field marked invalid.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class ProfileForm(SectionForm, forms.ModelForm):
    action, section = "accounts:profile", "preferences"
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


class LoginForm(AllauthLoginForm):
    """django-allauth's sign-in, its field named as the CRM's users know it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Username or e-mail address")
        login.widget.attrs.update(placeholder="", autocomplete="username", autofocus=True)
        # The page has its own "Forgot password?" link.
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs["placeholder"] = ""


class SecondFactorForm(AuthenticateForm):
    """django-allauth's second step, telling the page which factors the user has."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = set(Authenticator.objects.filter(user=self.user).values_list("type", flat=True))
        self.has_app = Authenticator.Type.TOTP in types
        self.has_security_key = Authenticator.Type.WEBAUTHN in types
        self.fields["code"].label = _("Code")
        self.fields["code"].widget.attrs.update(placeholder="", autofocus=True)


class AddSecurityKeyForm(AddWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the key")
        self.fields["name"].help_text = _("To tell your keys apart: “Blue key”, “Laptop”.")


class EditSecurityKeyForm(EditWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the key")


class NameForm(SectionForm, forms.Form):
    # Not a ModelForm: that would change the signed-in user's name on the page even
    # when it refuses what was typed.
    action, section = "accounts:profile_name", "name"
    first_name = forms.CharField(
        label=_("First name"),
        max_length=User._meta.get_field("first_name").max_length,
        required=False,
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=User._meta.get_field("last_name").max_length,
        required=False,
    )


class EmailChangeForm(SectionForm, forms.Form):
    """A new e-mail address, confirmed with the current password."""

    action, section = "accounts:profile_email", "email"
    submit_label = _("Change e-mail address")

    email = forms.EmailField(label=_("E-mail address"))
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Asked again, so that nobody else at your screen can take your account."),
    )

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request

    def clean_email(self):
        email = self.cleaned_data["email"]
        if services.email_taken(email, other_than=self.user):
            raise forms.ValidationError(_("Another user already has this e-mail address."))
        return email

    def clean_password(self):
        # Through django-allauth and django-axes: wrong passwords count as failed sign-ins.
        password = self.cleaned_data["password"]
        if not get_adapter(self.request).reauthenticate(self.user, password):
            raise forms.ValidationError(_("This is not your current password."))
        return password


class EmailPreferencesForm(SectionForm, forms.Form):
    action, section = "accounts:profile_notifications", "notifications"
    wanted = forms.TypedMultipleChoiceField(
        label=_("Send me an e-mail when…"),
        choices=EmailKind.choices,
        coerce=EmailKind,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The bell in the menu bar shows every notification either way."),
    )


class PhotoForm(SectionForm, forms.Form):
    action, section = "accounts:profile_photo", "photo"
    submit_label = _("Upload")
    photo = forms.FileField(
        label=_("New photo"),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
        help_text=_("A JPEG, PNG, GIF or WebP picture; it is cropped square."),
    )


class ApiTokenForm(SectionForm, forms.Form):
    action, section = "accounts:api_token_create", "api-token"
    submit_label = _("Create the token")
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What uses it: “Invoicing export”, “My phone”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional: the token stops working at the end of that day."),
    )

    def __init__(self, *args, **kwargs):
        # The page's other forms have fields of their own: "name" would be ambiguous.
        super().__init__(*args, auto_id="id_token_%s", **kwargs)
        self.fields["expires_on"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("This day is past: choose today or a later day."))
        return day

    @property
    def expires_at(self) -> datetime.datetime | None:
        """Return the end of the day chosen, in the user's time zone; None for never."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def _language_name(code):
    return get_language_info(code)["name_local"].capitalize()


class AppPasswordForm(SectionForm, forms.Form):
    action, section = "accounts:app_password_create", "app-password"
    submit_label = _("Create the app password")
    name = forms.CharField(
        label=_("Device"),
        max_length=AppPassword._meta.get_field("name").max_length,
        help_text=_("Where it is typed in: “My phone”, “Laptop Thunderbird”."),
    )

    def __init__(self, *args, **kwargs):
        # The page's other forms have a "name" field of their own.
        super().__init__(*args, auto_id="id_app_password_%s", **kwargs)


class AddressBooksForm(SectionForm, forms.Form):
    action, section = "accounts:address_books", "address-books"
    books = forms.MultipleChoiceField(
        label=_("Address books offered to your devices"),
        choices=[("mine", _("My contacts")), ("all", _("All visible contacts"))],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Address books from tags"),
        required=False,
        max_length=2000,
        help_text=_("Each tag becomes an address book of the contacts you may see that carry it."),
    )
    # Typed as on a contact's form: each tag a chip, the CRM's tags suggested.
    tag_field = "tags"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tag_suggest_url = reverse("contacts:suggest", args=["tags"])

    @classmethod
    def of(cls, user, profile):
        """Return the form showing the books user chose (profile: his, as shown)."""
        chosen = address_books.address_books_of(user, profile)
        wanted = (("mine", chosen.mine), ("all", chosen.everyone))
        books = [book for book, offered in wanted if offered]
        return cls(initial={"books": books, "tags": ", ".join(t.name for t in chosen.tags)})

    def clean_tags(self):
        names = {
            name.strip().casefold(): name.strip()
            for name in self.cleaned_data["tags"].split(",")
            if name.strip()
        }
        if not names:
            return []
        # Tags are few (hundreds): compared here, every letter folded, on either database.
        found = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        unknown = [name for folded, name in names.items() if folded not in found]
        if unknown:
            raise forms.ValidationError(
                _("No tag is named %(names)s.")
                % {"names": ", ".join(_("“%(name)s”") % {"name": name} for name in unknown)},
                code="unknown",
            )
        return [found[folded] for folded in names]
