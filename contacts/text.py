"""Normalise names, phones and search text."""

import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator


def fold(text):
    """Return text lower-cased and without accents, for matching."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def digits(text):
    return re.sub(r"\D", "", text)


def parse_phone(value):
    try:
        number = phonenumbers.parse(value, getattr(settings, "PHONE_REGION", "FR"))
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def normalize_phone(value):
    """Return the E.164 form of a phone number, or "" when it does not parse."""
    number = parse_phone(value)
    if number is None:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_digits(value):
    """Return the digit strings a search for this phone should match."""
    found = {digits(value)}
    number = parse_phone(value)
    if number is not None:
        for fmt in (phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.NATIONAL):
            found.add(digits(phonenumbers.format_number(number, fmt)))
    return sorted(d for d in found if d)


def is_phone_query(query):
    return bool(re.fullmatch(r"[\d\s+().\-/]+", query)) and len(digits(query)) >= 3


class EmailAddressValidator(EmailValidator):
    """Django's email validator, also accepting letters beyond ASCII before the @.

    Address books hold such addresses (RFC 6531: "zoé@example.net"); the domain is
    checked as Django does, international names included.
    """

    def __call__(self, value):
        user, at, domain = str(value).rpartition("@")
        if at and not user.isascii():
            if any(not (c.isprintable() and not c.isspace()) for c in user):
                raise ValidationError(self.message, code=self.code, params={"value": value})
            value = "".join(c if c.isascii() else "x" for c in user) + at + domain
        super().__call__(value)


validate_email_address = EmailAddressValidator()
