"""What names a person in someone else's free text: a description, a user field, a job title.

Free text is typed by colleagues: an address in any case, a name, a phone number written
any way ("06.11.22.33.44", "+33 (0)6 11 22 33 44"). The database first keeps the rows
that may name him: the text holds one of the needles, or, once its separators are taken
out, the digits of one of his numbers; this module then says which do (a number's digits
must not be part of a longer one) and cuts the words out of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import phonenumbers

from contacts import text

# What people write between the digits of a phone number; the database strips the same.
SEPARATORS = (" ", ".", "-", "/", "(", ")", "\u00a0")
_SEP = "[" + re.escape("".join(SEPARATORS)) + "]{0,2}"


def _number_pattern(e164: str) -> tuple[str, str] | None:
    """Return the regular expression of a phone number however written, and the digits
    the database looks for (its national number), or None when it does not parse."""
    number = text.parse_phone(e164)
    if number is None:
        return None
    national = str(number.national_number)
    written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    trunk = (
        text.digits(written)[: -len(national)] if text.digits(written).endswith(national) else ""
    )
    body = _SEP.join(re.escape(d) for d in national)
    country = re.escape(str(number.country_code))
    international = rf"(?:\+|00){_SEP}{country}{_SEP}(?:\(0\){_SEP})?"
    national_prefix = rf"\(?{re.escape(trunk)}{_SEP}" if trunk else r"\("
    prefix = f"(?:{international}|{national_prefix})?"
    return rf"(?<!\d){prefix}{body}(?!\d)", national


@dataclass(frozen=True)
class Terms:
    """The words that name a person (lower case) and his phone numbers (E.164)."""

    needles: tuple[str, ...]
    phones: tuple[str, ...]

    @cached_property
    def _numbers(self) -> list[tuple[str, str]]:
        return [p for p in (_number_pattern(n) for n in self.phones) if p is not None]

    def digits(self) -> list[str]:
        """Return the national numbers the database looks for in texts without separators."""
        return sorted({national for _pattern, national in self._numbers})

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        # Whole words: "anna bell" is not in "Joanna Bellamy", nor an address in a longer one.
        words = [
            rf"(?<!\w){re.escape(n)}(?!\w)"
            for n in sorted(self.needles, key=len, reverse=True)
            if n
        ]
        found = words + [p for p, _national in self._numbers]
        return re.compile("|".join(found), re.IGNORECASE) if found else None

    def names(self, value: str) -> bool:
        return bool(self.pattern and self.pattern.search(value))

    def cut(self, value: str, replacement: str) -> str:
        """Return value with every mention replaced by replacement."""
        return self.pattern.sub(replacement, value) if self.pattern else value


def terms(needles: Iterable[str], phones: Iterable[str]) -> Terms:
    return Terms(tuple(sorted({n for n in needles if n})), tuple(sorted({p for p in phones if p})))
