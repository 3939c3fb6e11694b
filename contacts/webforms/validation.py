"""What a visitor posts to a website form: the anti-spam fields and the visitor's fields.

Nothing a visitor sends decides anything but the values of the fields the form offers:
any other posted name is ignored.
"""

import decimal
import re
import time
from typing import Any
from uuid import UUID

from django import forms
from django.core import signing
from django.core.validators import URLValidator
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from contacts import text
from contacts.custom_fields import values as custom_fields
from contacts.models import WebForm
from contacts.webforms.fields import OfferedField, offered_fields

TOKEN_FIELD = "_token"  # noqa: S105 (a field name)
TIMESTAMP_FIELD = "_ts"
BACK_FIELD = "_back"
# Hidden from people by the HTML; robots that fill every input fill it too.
HONEYPOT_FIELD = "homepage"
# A page left open longer than this gets a fresh timestamp before the submission counts.
TIMESTAMP_MAX_AGE = 24 * 3600
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\r\n\t]")


def form_token(web_form: WebForm) -> str:
    """Return the token the form's HTML carries: it changes with the form's secret key."""
    return salted_hmac(
        "contacts.webforms.token", web_form.public_id.hex, secret=web_form.secret_key
    ).hexdigest()[:32]


def token_is_current(web_form: WebForm, token: str) -> bool:
    return bool(token) and constant_time_compare(token, form_token(web_form))


def _signer(public_id: UUID) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"contacts.webforms.timestamp.{public_id.hex}")


def issue_timestamp(public_id: UUID) -> str:
    """Return a signed timestamp of now, good for this form only."""
    return _signer(public_id).sign(public_id.hex)


def timestamp_age(public_id: UUID, value: str) -> float | None:
    """Return how many seconds ago the signed timestamp was issued, or None if it is invalid."""
    signer = _signer(public_id)
    try:
        signer.unsign(value or "", max_age=TIMESTAMP_MAX_AGE)
        issued = signing.b62_decode(value.rsplit(signer.sep, 2)[1])
    except (signing.BadSignature, ValueError, IndexError):
        return None
    return max(0.0, time.time() - issued)


def _no_control_characters(value: str) -> None:
    if CONTROL_CHARACTERS.search(value):
        raise forms.ValidationError(_("Remove the control characters from this text."))


def _one_line(value: str) -> None:
    _no_control_characters(value)
    if LINE_BREAKS.search(value):
        raise forms.ValidationError(_("Write this on one line."))


def _phone(value: str) -> None:
    if len(text.digits(value)) < 3 or not re.fullmatch(r"[\d\s+().\-/x#*]+", value):
        raise forms.ValidationError(_("Enter a phone number: digits, spaces and + ( ) - . / only."))


def _web_address(value: str) -> None:
    if re.match(r"^https?://", value, re.IGNORECASE):
        URLValidator(message=_("Enter a valid web address."))(value)
    elif re.search(r"\s", value) or "." not in value:
        raise forms.ValidationError(_("Enter a web address, like www.example.com."))


def _form_field(offered: OfferedField) -> forms.Field:
    spec = offered.spec
    common: custom_fields.FieldOptions = {
        "label": offered.shown_label,
        "required": offered.required,
    }
    kind = spec.input_type
    if kind == "checkbox":
        return forms.BooleanField(**common)
    if kind == "select":
        return forms.ChoiceField(choices=[("", "—")] + [(o, o) for o in spec.options], **common)
    if kind == "date":
        # The browser sends YYYY-MM-DD; one without a date picker sends what was typed.
        return forms.DateField(
            error_messages={"invalid": _("Enter a date, like 2026-01-31.")}, **common
        )
    if kind == "number":
        return custom_fields.NumberField(**common)
    if kind == "url" and spec.is_custom:
        # Stored as the user field stores it: with its scheme.
        return custom_fields.WebAddressField(
            max_length=spec.max_length, validators=[_one_line], **common
        )
    if kind == "email":
        message = _("Enter a valid email address, like name@example.com.")
        return forms.CharField(
            max_length=spec.max_length,
            validators=[_one_line, text.EmailAddressValidator(message)],
            **common,
        )
    validators = [_no_control_characters] if kind == "textarea" else [_one_line]
    if kind == "tel":
        validators.append(_phone)
    elif kind == "url":
        validators.append(_web_address)
    return forms.CharField(max_length=spec.max_length, validators=validators, **common)


class SubmissionForm(forms.Form):
    """The visitor's fields of one website form, each checked by type and length."""

    def __init__(self, *args: Any, web_form: WebForm, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.web_form = web_form
        self.offered = offered_fields(web_form)
        for offered in self.offered:
            self.fields[offered.name] = _form_field(offered)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for offered in self.offered:
            value = data.get(offered.name)
            if offered.spec.input_type == "textarea" and isinstance(value, str):
                # Browsers send a text area's line breaks as CR LF.
                data[offered.name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return data

    def error_list(self) -> list[tuple[str, StrOrPromise | None, str]]:
        """Return [(field name, label, message)] for every error, in the form's order."""
        found = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            found += [(name, label, str(message)) for message in errors]
        return found

    def submitted_values(self) -> list[tuple[str, str]]:
        """Return [(label, value as text)] of the fields filled in, for the notification."""
        values = []
        for offered in self.offered:
            value = self.cleaned_data.get(offered.name)
            if value in (None, "", False):
                continue
            if value is True:
                value = str(_("Yes"))
            elif isinstance(value, decimal.Decimal):
                # Dates (YYYY-MM-DD) and numbers are written the same for every reader,
                # whatever the language each notified user reads the email in.
                value = custom_fields.number_plain(custom_fields.stored_number(value))
            values.append((offered.shown_label, str(value)))
        return values
