"""A limit on each caller's requests per minute, shared by every app server.

One counter per token (or signed-in user) and minute in the cache, raised with the
cache's atomic increment: with Redis every server counts in the same place. Counting
per calendar minute lets a client send up to twice the limit across a minute's turn,
which a limit against runaway scripts can afford.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

WINDOW = 60


class PerCallerThrottle(BaseThrottle):
    def allow_request(self, request: HttpRequest) -> bool:
        limit = settings.API_RATE_LIMIT
        if not limit:
            return True
        token = getattr(request, "api_token", None)
        caller = f"t{token.pk}" if token is not None else f"u{request.user.pk}"
        key = f"api-rate:{caller}:{int(time.time()) // WINDOW}"
        # add() starts the minute's counter without overwriting one another server made.
        cache.add(key, 0, WINDOW + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # gone between add() and incr(): count this one alone
            cache.set(key, 1, WINDOW + 5)
            count = 1
        return count <= limit

    def wait(self) -> float:
        """Seconds to the next minute, when the count starts again."""
        return WINDOW - time.time() % WINDOW
