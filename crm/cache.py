"""The cache as deployed on Redis, for the moments Redis does not answer."""

from django_redis.cache import RedisCache


class OutageTolerantRedisCache(RedisCache):
    """django-redis's cache, whose add() lets the caller through while Redis is down.

    With IGNORE_EXCEPTIONS, a write that cannot reach Redis answers None. django-allauth
    takes a lock with add() before it counts an attempt against its rate limits; None
    would read as "held by another request", and every log-in would be refused until
    Redis came back. Meanwhile django-axes, in the database, still counts failed
    passwords.
    """

    def add(self, *args, **kwargs):
        added = super().add(*args, **kwargs)
        return True if added is None else added
