"""CRM-wide configuration that the contacts need: currencies for now."""

import datetime
from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies
from django.conf import settings
from django.utils.translation import get_language, to_locale

COMMON_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "CAD", "JPY", "CNY", "AUD"]


@cache
def currency_codes():
    """Return the ISO 4217 currencies legal tender somewhere today."""
    today = datetime.date.today()
    codes = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(codes)


def default_currency():
    if settings.CRM_DEFAULT_CURRENCY:
        return settings.CRM_DEFAULT_CURRENCY
    return "EUR" if settings.LANGUAGE_CODE.startswith("fr") else "USD"


def currency_name(code, language=None):
    return get_currency_name(code, locale=to_locale(language or get_language() or "en"))


def currency_choices(language=None):
    """Return (code, "Name (CODE)") pairs, common ones first, in the user's language."""
    rest = sorted(
        (c for c in currency_codes() if c not in COMMON_CURRENCIES),
        key=lambda c: currency_name(c, language).lower(),
    )
    return [(c, f"{currency_name(c, language)} ({c})") for c in COMMON_CURRENCIES + rest]
