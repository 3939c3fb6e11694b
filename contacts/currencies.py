"""The currencies a contact may be in, and the settings that choose them.

The settings page calls these services; nothing here imports views or forms.
"""

import datetime
import logging
from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from contacts.models import CrmSettings

logger = logging.getLogger(__name__)

COMMON_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "CAD", "JPY", "CNY", "AUD"]


# Currencies


@cache
def currency_codes() -> frozenset[str]:
    """Return the ISO 4217 currencies legal tender somewhere today."""
    today = datetime.date.today()
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(codes)


def language_default_currency() -> str:
    """Return the default currency when none is stored: the setting's, else the site's."""
    if settings.CRM_DEFAULT_CURRENCY:
        return settings.CRM_DEFAULT_CURRENCY
    return "EUR" if settings.LANGUAGE_CODE.lower().startswith("fr") else "USD"


def default_currency() -> str:
    """Return the currency proposed for new contacts."""
    return CrmSettings.load().default_currency or language_default_currency()


def currency_name(code: str, language: str | None = None) -> str:
    return get_currency_name(code, locale=to_locale(language or get_language() or "en"))


def sorted_currency_codes(language: str | None = None) -> list[str]:
    """Return every currency code, the common ones first and the rest by name."""
    return [code for code, _label in _currency_labels(language or get_language() or "en")]


@cache
def _currency_labels(language: str) -> tuple[tuple[str, str], ...]:
    """Return (code, "Name (CODE)") for every currency, sorted as sorted_currency_codes says.

    Kept per language for the process: babel's names are fixed, and the ~300 of them cost
    a list page with its filter panel open several milliseconds to look up and sort.
    """
    named = {code: currency_name(code, language) for code in currency_codes()}
    rest = sorted((c for c in named if c not in COMMON_CURRENCIES), key=lambda c: named[c].lower())
    return tuple((code, f"{named[code]} ({code})") for code in [*COMMON_CURRENCIES, *rest])


def currency_choices(
    language: str | None = None, *, offered_only: bool = True, include: str = ""
) -> list[tuple[str, str]]:
    """Return (code, "Name (CODE)") pairs, common ones first, in the user's language.

    With offered_only, only the currencies chosen in Settings (all when none are chosen);
    include adds one code even when it is not offered: a contact keeps its currency.
    """
    language = language or get_language() or "en"
    choices = list(_currency_labels(language))
    offered = set(CrmSettings.load().currencies) if offered_only else set()
    if offered:
        choices = [(c, label) for c, label in choices if c in offered or c == include]
    elif include and include not in dict(choices):
        choices.append((include, f"{currency_name(include, language)} ({include})"))
    return choices


@transaction.atomic
def currency_settings_update(*, default_currency: str, currencies: list[str]) -> CrmSettings:
    """Store the default currency and the currencies offered (empty: every currency)."""
    known = currency_codes()
    if default_currency not in known:
        raise ValidationError(
            {"default_currency": _("Unknown currency: %(code)s.") % {"code": default_currency}}
        )
    unknown = sorted(set(currencies) - known)
    if unknown:
        raise ValidationError(
            {"currencies": _("Unknown currency: %(code)s.") % {"code": ", ".join(unknown)}}
        )
    if currencies and default_currency not in currencies:
        raise ValidationError(
            {
                "default_currency": _(
                    "The default currency must be among the currencies offered: "
                    "check %(code)s below or choose another default."
                )
                % {"code": default_currency}
            }
        )
    crm_settings = CrmSettings.objects.select_for_update().get_or_create(pk=1)[0]
    order = {code: n for n, code in enumerate(sorted_currency_codes("en"))}
    crm_settings.default_currency = default_currency
    crm_settings.currencies = sorted(set(currencies), key=order.__getitem__)
    crm_settings.save()
    return crm_settings
