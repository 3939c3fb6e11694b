"""Which address books a user's devices are offered: read by the CardDAV server, chosen
in the profile.

"mine" (the contacts he is responsible for), "all" (every contact he may see) and one
book per tag he picked, of the contacts he may see that carry it. What each book holds is
the CardDAV server's business; here is only which ones he wants.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from taggit.models import Tag

from accounts.models import AddressBookChoice

# Enough for the groups a person calls from his phone; each is one more book to sync.
MAX_TAG_BOOKS = 20


@dataclass(frozen=True)
class ChosenBooks:
    mine: bool = True
    everyone: bool = True
    tags: tuple[Tag, ...] = ()  # by name


def address_books_of(user: User) -> ChosenBooks:
    """Return the books user chose, the first two when he never chose."""
    row = AddressBookChoice.objects.filter(user=user).first()
    if row is None:
        return ChosenBooks()
    tags = tuple(sorted(row.tags.all(), key=lambda tag: (tag.name.casefold(), tag.pk)))
    return ChosenBooks(mine=row.mine, everyone=row.everyone, tags=tags)


@transaction.atomic
def address_books_choose(*, user: User, mine: bool, everyone: bool, tags: Iterable[Tag]) -> None:
    """Set which books user's devices are offered; raise ValidationError past MAX_TAG_BOOKS."""
    tags = list({tag.pk: tag for tag in tags}.values())
    if len(tags) > MAX_TAG_BOOKS:
        raise ValidationError(
            _("At most %(max)d address books from tags; you chose %(count)d.")
            % {"max": MAX_TAG_BOOKS, "count": len(tags)},
            code="too_many",
        )
    row, _created = AddressBookChoice.objects.update_or_create(
        user=user, defaults={"mine": mine, "everyone": everyone}
    )
    row.tags.set(tags)


def tag_names() -> list[str]:
    """Return every tag's name, as the profile suggests them: the CRM's shared vocabulary."""
    return list(Tag.objects.order_by(Lower("name"), "name").values_list("name", flat=True))
