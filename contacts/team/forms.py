from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class AcceptForm(forms.Form):
    """The invitee's name, username and password, checked by the site's validators."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("You log in with it: letters, digits and @ . + - _ only."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.initial.setdefault("username", user.username)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.helper = FormHelper()
        self.helper.add_input(Submit("accept", _("Create my account")))

    def clean_username(self):
        username = self.cleaned_data["username"]
        taken = get_user_model().objects.filter(username__iexact=username)
        if taken.exclude(pk=self.user.pk).exists():
            raise ValidationError(_("This username is taken: choose another."))
        return username

    def clean(self):
        data = super().clean()
        password, again = data.get("password1"), data.get("password2")
        if password and again and password != again:
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            # Checked against the name and username typed here, as they will be saved.
            future = get_user_model()(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=self.user.email,
            )
            try:
                password_validation.validate_password(password, future)
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    def accepted(self) -> dict[str, str]:
        """Return what invitations.invitation_accept takes."""
        data = self.cleaned_data
        return {
            "username": data["username"],
            "first_name": data["first_name"].strip(),
            "last_name": data["last_name"].strip(),
            "password": data["password1"],
        }
