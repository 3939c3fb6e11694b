"""A small table's rows kept in the cache, read from the database once per version.

Lists that every card shows (the timeline's event categories, the relation types) are
kept under a version that each write replaces: a reader that read the table before a
write files what it read under the old version, which nobody asks for any more. Without a
shared cache (CACHE_URL), another process may show the old list for CACHE_SECONDS at most.
A save or delete replaces the version through the model's signals, connected in the
app's ready(), whoever writes: the services, Django's admin site.
"""

from collections.abc import Callable
from secrets import randbits
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
CACHE_SECONDS = 300


class KeptRows(Generic[T]):
    def __init__(self, name: str, read: Callable[[], list[T]]) -> None:
        self.name, self.read = name, read
        self.version_key = f"{name}:version"

    def get(self) -> list[T]:
        """Return the rows, read from the table once per version."""
        version = cache.get(self.version_key)
        if version is None:
            version = randbits(62)
            cache.set(self.version_key, version, None)
        key = f"{self.name}:{version}"
        rows = cache.get(key)
        if rows is None:
            rows = self.read()
            cache.set(key, rows, CACHE_SECONDS)
        return rows

    def forget(self, **kwargs: object) -> None:
        """Give the rows a new version, now and again when the transaction commits."""
        # Now, for the rest of this transaction; at the commit, so that a list read by
        # another request meanwhile, still the old one, is filed under a version nobody
        # reads.
        cache.set(self.version_key, randbits(62), None)
        transaction.on_commit(lambda: cache.set(self.version_key, randbits(62), None))
