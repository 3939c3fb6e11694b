"""CRM-wide configuration that the contacts need, and the services that change it.

Contact types (SPEC S1), currencies (S3, C8) and who is a CRM admin (S6). The settings
pages call these services; nothing here imports views or forms.
"""

import datetime
import logging
from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from contacts import ordering
from contacts.models import CRM_ADMINS_GROUP, Contact, ContactType, CrmSettings

logger = logging.getLogger(__name__)

COMMON_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "CAD", "JPY", "CNY", "AUD"]
TITLE_MAX_LENGTH = ContactType._meta.get_field("title").max_length


# Currencies (SPEC S3, C8)


@cache
def currency_codes():
    """Return the ISO 4217 currencies legal tender somewhere today."""
    today = datetime.date.today()
    codes = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(codes)


def language_default_currency():
    """Return the default currency when none is stored: the setting's, else the site's."""
    if settings.CRM_DEFAULT_CURRENCY:
        return settings.CRM_DEFAULT_CURRENCY
    return "EUR" if settings.LANGUAGE_CODE.lower().startswith("fr") else "USD"


def default_currency():
    """Return the currency proposed for new contacts."""
    return CrmSettings.load().default_currency or language_default_currency()


def currency_name(code, language=None):
    return get_currency_name(code, locale=to_locale(language or get_language() or "en"))


def sorted_currency_codes(language=None):
    """Return every currency code, the common ones first and the rest by name."""
    return [code for code, _label in _currency_labels(language or get_language() or "en")]


@cache
def _currency_labels(language):
    """Return (code, "Name (CODE)") for every currency, sorted as sorted_currency_codes says.

    Kept per language for the process: babel's names are fixed, and the ~300 of them cost
    a list page with its filter panel open several milliseconds to look up and sort.
    """
    named = {code: currency_name(code, language) for code in currency_codes()}
    rest = sorted((c for c in named if c not in COMMON_CURRENCIES), key=lambda c: named[c].lower())
    return tuple((code, f"{named[code]} ({code})") for code in [*COMMON_CURRENCIES, *rest])


def currency_choices(language=None, *, offered_only=True, include=""):
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


# Contact types (SPEC S1)


def contact_types_with_counts():
    """Return the contact types in order, each with `contact_count`, in one query."""
    return ContactType.objects.annotate(contact_count=Count("contacts")).order_by("position", "id")


def _clean_title(title, exclude=None):
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Give the contact type a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("A title has at most %(max)d characters.") % {"max": TITLE_MAX_LENGTH}
        )
    # Compared in Python: SQLite's lower() folds ASCII only, and the types are few.
    others = ContactType.objects.exclude(pk=exclude.pk if exclude else None)
    folded = title.casefold()
    for other in others.values_list("title", flat=True):
        if other.casefold() == folded:
            raise _title_taken(other)
    return title


def _title_taken(title):
    return ValidationError(
        _("A contact type named “%(title)s” already exists.") % {"title": title},
        code="unique",
    )


def _save_title(contact_type, title):
    try:
        # A savepoint: the unique index may still refuse a title created meanwhile.
        with transaction.atomic():
            contact_type.save()
    except IntegrityError:
        raise _title_taken(title) from None


@transaction.atomic
def contact_type_create(*, title: str) -> ContactType:
    """Add a contact type at the end of the list."""
    title = _clean_title(title)
    last = ContactType.objects.order_by("-position").values_list("position", flat=True).first()
    contact_type = ContactType(title=title, position=0 if last is None else last + 1)
    _save_title(contact_type, title)
    return contact_type


@transaction.atomic
def contact_type_rename(*, contact_type: ContactType, title: str) -> ContactType:
    contact_type.title = _clean_title(title, exclude=contact_type)
    _save_title(contact_type, contact_type.title)
    return contact_type


def contact_types_reorder(*, ids: list[int]) -> list[ContactType]:
    """Put the types in the order of ids; types missing from ids keep their place after."""
    return ordering.reorder(ContactType, ids)


def contact_type_move(*, contact_type: ContactType, direction: str) -> list[ContactType]:
    """Swap the type with its neighbour above ("up") or below ("down")."""
    return ordering.move(ContactType, contact_type, direction)


@transaction.atomic
def contact_type_delete(
    *, contact_type: ContactType, replacement: ContactType | None, by=None
) -> int:
    """Give the type's contacts the replacement type (None: not specified), then delete it.

    Return how many contacts were moved.
    """
    if replacement is not None and replacement.pk == contact_type.pk:
        raise ValidationError(_("Choose another type for its contacts."))
    # Locked first, so that no contact can take either type between the move and the delete.
    ids = [contact_type.pk] + ([replacement.pk] if replacement else [])
    found = set(
        ContactType.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True)
    )
    if replacement is not None and replacement.pk not in found:
        raise ValidationError(_("That contact type no longer exists."))
    from contacts import history

    # The trash too: its contacts keep a type that exists.
    ids = list(Contact.all_objects.filter(contact_type=contact_type).values_list("pk", flat=True))
    new_title = replacement.title if replacement else ""
    change = history.change("contact_type", contact_type.title, new_title)
    history.record_many(ids, by, history.Verb.CHANGED, changes_by_id={pk: [change] for pk in ids})
    moved = Contact.all_objects.filter(contact_type=contact_type).update(
        contact_type=replacement, version=F("version") + 1, updated_at=timezone.now()
    )
    contact_type.delete()
    return moved


# CRM admins (SPEC S6)


def crm_admin_users():
    """Return the active users, each with `is_crm_admin`, by name."""
    users = get_user_model().objects.filter(is_active=True)
    admin_ids = set(users.filter(groups__name=CRM_ADMINS_GROUP).values_list("pk", flat=True))
    users = list(users.order_by("first_name", "last_name", "username"))
    for user in users:
        user.in_admins_group = user.pk in admin_ids
        user.is_crm_admin = user.is_superuser or user.in_admins_group
    return users


def _count_crm_admins(group):
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups=group), is_active=True)
        .distinct()
        .count()
    )


@transaction.atomic
def crm_admin_set(*, by, user, is_admin: bool) -> bool:
    """Make user a CRM admin or remove him from them; return whether anything changed.

    The last CRM admin cannot be removed: then nobody could open Settings.
    """
    # Every change of the admins locks the group's row: two admins removing each
    # other at once are serialised, and the second count sees the first removal.
    group = Group.objects.select_for_update().get_or_create(name=CRM_ADMINS_GROUP)[0]
    is_member = group.user_set.filter(pk=user.pk).exists()
    if is_admin == is_member:
        return False
    if is_admin:
        group.user_set.add(user)
    else:
        group.user_set.remove(user)
        if _count_crm_admins(group) == 0:
            raise ValidationError(
                _("%(name)s is the last CRM admin: make someone else a CRM admin first.")
                % {"name": user.get_full_name() or user.username}
            )
    # The roles are cached on the user object for the request.
    user.__dict__.pop("_crm_roles", None)
    logger.info("%s %s CRM admin %s", by.username, "made" if is_admin else "removed", user.username)
    return True
