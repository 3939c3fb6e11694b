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
from django.utils.translation import gettext as _
from taggit.models import Tag

from accounts.models import Profile
from accounts.services import profile_for

# Enough for the groups a person calls from his phone; each is one more book to sync.
MAX_TAG_BOOKS = 20
BOOK_FIELDS = ["books_mine", "books_everyone", "book_tags"]


@dataclass(frozen=True)
class ChosenBooks:
    mine: bool = True
    everyone: bool = True
    tags: tuple[Tag, ...] = ()  # by name


def address_books_of(user: User, profile: Profile | None = None) -> ChosenBooks:
    """Return the books user chose (profile: his, when read already), the first two when
    he never chose; the tags are read only when he chose books from tags."""
    if profile is None:
        profile = Profile.objects.filter(user=user).only("pk", *BOOK_FIELDS).first()
    if profile is None:
        return ChosenBooks()
    ids = [pk for pk in profile.book_tags or () if isinstance(pk, int)]
    found = list(Tag.objects.filter(pk__in=ids)) if ids else []
    tags = tuple(sorted(found, key=lambda tag: (tag.name.casefold(), tag.pk)))
    return ChosenBooks(mine=profile.books_mine, everyone=profile.books_everyone, tags=tags)


@transaction.atomic
def address_books_choose(*, user: User, mine: bool, everyone: bool, tags: Iterable[Tag]) -> None:
    """Set which books user's devices are offered; raise ValidationError past MAX_TAG_BOOKS."""
    ids = sorted({tag.pk for tag in tags})
    if len(ids) > MAX_TAG_BOOKS:
        raise ValidationError(
            _("At most %(max)d address books from tags; you chose %(count)d.")
            % {"max": MAX_TAG_BOOKS, "count": len(ids)},
            code="too_many",
        )
    profile = profile_for(user)
    profile.books_mine, profile.books_everyone, profile.book_tags = mine, everyone, ids
    profile.save(update_fields=BOOK_FIELDS)
