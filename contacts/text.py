"""Normalise names, phones and search text."""

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from anyascii import anyascii
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator


class _AsciiTable(dict[int, str]):
    """Each code point's lower-case ASCII form, for str.translate, filled as met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = anyascii(chr(code)).lower()
        return folded


ASCII = _AsciiTable()


def fold(value: str) -> str:
    """Return value lower-cased in ASCII, every letter spelled in Latin: "Łukasz" → "lukasz".

    The one fold for matching names: search, duplicates, sorting and the import's words.
    """
    # Most values are ASCII already, and lower() alone is much faster than the table.
    if value.isascii():
        return value.lower()
    return value.translate(ASCII)


@lru_cache(maxsize=4096)
def _other_script(char: str) -> bool:
    """Return whether char is a letter of another script than Latin ("李", "и", "α")."""
    if not char.isalpha() or char.isascii():
        return False
    name = unicodedata.name(char, "")
    return not name.startswith(("LATIN ", "MODIFIER LETTER "))


def _as_written(word: str) -> str:
    """Return word lower-cased, without accents, in its own script: "Ἀθῆναι" → "αθηναι"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Latin letters, their combining marks and punctuation: text made only of these (nearly
# every name) has no word in another script, which saves looking at each character.
ONLY_LATIN = re.compile("[\x00-\u036f\u1e00-\u1eff\u2000-\u206f]*")


def _native_words(value: str) -> list[str]:
    if ONLY_LATIN.fullmatch(value):
        return []
    words = _as_written(value).split()
    return [w for w in words if any(_other_script(c) for c in w)]


def search_fold(value: str) -> str:
    """Return value as the list search stores it: folded, then its words in other scripts.

    Kept as written, those words let "李" find 李明 and not every "li" of the Latin
    spelling ("Alice"), while "liming" still finds 李明 through the fold.
    """
    folded = fold(value)
    if value.isascii():
        return folded
    return " ".join([folded, *_native_words(value)])


def search_words(query: str) -> list[str]:
    """Return the words a search for query looks for in search_fold's text."""
    words = []
    for word in query.split():
        native = _native_words(word)
        words.extend(native or fold(word).split())
    return [w for w in words if w]


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def parse_phone(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, getattr(settings, "PHONE_REGION", "FR"))
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def normalize_phone(value: str) -> str:
    """Return the E.164 form of a phone number, or "" when it does not parse."""
    number = parse_phone(value)
    if number is None:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_phone_query(query: str) -> bool:
    return bool(re.fullmatch(r"[\d\s+().\-/]+", query)) and len(digits(query)) >= 3


class EmailAddressValidator(EmailValidator):
    """Django's email validator, also accepting letters beyond ASCII before the @.

    Address books hold such addresses (RFC 6531: "zoé@example.net"); the domain is
    checked as Django does, international names included.
    """

    def __call__(self, value: str | None) -> None:
        user, at, domain = str(value).rpartition("@")
        if at and not user.isascii():
            if any(not (c.isprintable() and not c.isspace()) for c in user):
                raise ValidationError(self.message, code=self.code, params={"value": value})
            value = "".join(c if c.isascii() else "x" for c in user) + at + domain
        super().__call__(value)


validate_email_address = EmailAddressValidator()
