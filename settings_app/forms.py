"""The forms of the Users and Audit pages: they validate, the services decide."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.audit import Action
from contacts.team import invitations
from contacts.team.services import Role, Status, hand_over_candidates


def _bare_helper():
    # The page writes the <form>, its token and its buttons.
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def language_choices():
    """Each language named in itself, as the switcher shows it."""
    return [
        (code, get_language_info(code)["name_local"].capitalize())
        for code, _n in settings.LANGUAGES
    ]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Every role")), *Role.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Every status")), *Status.choices]
    )
    two_factor = forms.TypedChoiceField(
        label=_("Two-factor"),
        required=False,
        choices=[
            ("", _("Two-factor on or off")),
            ("on", _("Two-factor on")),
            ("off", _("Two-factor off")),
        ],
        coerce=lambda value: value == "on",
        empty_value=None,
    )


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("One or several, separated by commas, spaces or lines."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.USER, Role.USER.label), (Role.ADMIN, Role.ADMIN.label)],
        initial=Role.USER,
        widget=forms.RadioSelect,
        help_text=_("CRM admins see every contact and open these settings."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("Of the email and of the page where they accept; their own choice later."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        self.fields["language"].initial = get_language()
        self.helper = _bare_helper()

    def clean_emails(self):
        emails = invitations.split_addresses(self.cleaned_data["emails"])
        if not emails:
            raise ValidationError(_("Give at least one email address."))
        if len(emails) > invitations.MAX_ADDRESSES:
            raise ValidationError(
                _("At most %(count)s addresses at a time.") % {"count": invitations.MAX_ADDRESSES}
            )
        if problems := invitations.addresses_refused(emails):
            raise ValidationError(problems)
        return emails


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.USER, Role.USER.label), (Role.ADMIN, Role.ADMIN.label)],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _bare_helper()


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class HandOverForm(forms.Form):
    """Whom to give a user's contacts to; optional when deactivating him."""

    taker = UserChoiceField(label=_("Hand their contacts over to"), queryset=User.objects.none())

    def __init__(self, *args, user: User, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["taker"]
        field.queryset = hand_over_candidates(user)
        field.required = required
        field.empty_label = _("Choose a user") if required else _("Nobody: keep them as they are")
        self.helper = _bare_helper()


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Every action")), *Action.choices]
    )
    user = UserChoiceField(
        label=_("User"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Every user"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("first_name", "last_name", "username")
        self.fields["user"].queryset = users
        # Read once, for the page's select box.
        self.user_options = [(user.pk, user.get_full_name() or user.username) for user in users]
