"""A sample of the contacts' search texts: how many contacts a search is expected to match.

The list decides how to read a search's matches by how many it expects (views/lists.py).
PostgreSQL's planner judges a LIKE by the hundred values of the column's histogram, among
which a surname borne by one contact in a hundred appears no time or three: at a million
contacts it expected the commonest one 70 times for 12,000. Sampling a thousand values
instead made each search's planning 0.5 ms longer, twice per search. Here the search
texts of SAMPLED contacts, picked at random ids, are read once per KEPT_SECONDS by each
process, and kept in its memory (a cache would unpickle them for every search); a
search's words are looked for in them: a surname of one contact in a hundred is in some
twenty of them, give or take five.
"""

import random
import time
from collections.abc import Sequence

from django.db.models import Max, Min

from contacts.models import Contact

SAMPLED = 2000
KEPT_SECONDS = 600

# (when it was read, the search texts): one sample per process.
_kept: tuple[float, list[str]] | None = None


def share_matching(words: Sequence[str]) -> float:
    """Return the share of the live contacts whose search text holds every word."""
    global _kept
    if _kept is None or time.monotonic() - _kept[0] > KEPT_SECONDS:
        _kept = (time.monotonic(), _read())
    sample = matching = _kept[1]
    if not sample:
        return 0.0
    for word in words:  # a list comprehension per word: a fifth of a generator's time
        matching = [text for text in matching if word in text]
    return len(matching) / len(sample)


def forget() -> None:
    """Read the sample again at the next search (the tests' databases change under it)."""
    global _kept
    _kept = None


def _read() -> list[str]:
    """Return the search texts of up to SAMPLED live contacts, picked at random ids."""
    live = Contact.objects.filter(deleted_at__isnull=True)
    bounds = live.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return []
    ids = range(bounds["first"], bounds["last"] + 1)
    # Ids of deleted contacts are holes: a few more than SAMPLED, and fewer may be found.
    picked = ids if len(ids) <= SAMPLED else random.sample(ids, SAMPLED * 5 // 4)  # noqa: S311
    texts = live.filter(pk__in=list(picked)).values_list("search_text", flat=True)
    return list(texts[:SAMPLED])
