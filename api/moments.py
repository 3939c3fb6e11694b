"""Moments a client sends, in UTC: an offset PostgreSQL does not take (more than 15 hours
59 minutes) would fail in the database; a moment without one is read as UTC."""

import datetime


def utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)
