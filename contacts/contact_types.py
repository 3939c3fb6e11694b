"""Contact types (customer, supplier...): their titles, order, and the services that
change them. Deleting one in use asks where its contacts go.
"""

from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import history, ordering
from contacts.models import Contact, ContactType

# A CharField always has a max_length, which the stubs type as optional for every field.
TITLE_MAX_LENGTH = cast(int, ContactType._meta.get_field("title").max_length)


# Contact types


def contact_types_with_counts() -> QuerySet[ContactType]:
    """Return the contact types in order, each with `contact_count`, in one query."""
    return ContactType.objects.annotate(contact_count=Count("contacts")).order_by("position", "id")


def _clean_title(title: str, exclude: ContactType | None = None) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Give the contact type a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("A title has at most %(max)d characters.") % {"max": TITLE_MAX_LENGTH}
        )
    # Compared in Python: SQLite's lower() folds ASCII only, and the types are few.
    others = ContactType.objects.exclude(pk=exclude.pk) if exclude else ContactType.objects.all()
    folded = title.casefold()
    for other in others.values_list("title", flat=True):
        if other.casefold() == folded:
            raise _title_taken(other)
    return title


def _title_taken(title: str) -> ValidationError:
    return ValidationError(
        _("A contact type named “%(title)s” already exists.") % {"title": title},
        code="unique",
    )


def _save_title(contact_type: ContactType, title: str) -> None:
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
    *, contact_type: ContactType, replacement: ContactType | None, by: User | None = None
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
