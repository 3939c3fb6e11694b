"""The register of requests about personal data: who asked what kind, when, with what outcome.

It never holds the person's data: what was looked up is kept as a keyed hash
(subject_key), the same for two requests about one address, unreadable without
settings.PRIVACY_HASH_KEY, the suppression list's key (rotating it starts new hashes).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from contacts.csv_columns import escape_cell
from privacy.models import PrivacyRequest

Kind = PrivacyRequest.Kind
Outcome = PrivacyRequest.Outcome


def subject_key(lookup: str, value: str) -> str:
    """Return the keyed hash that stands for a normalised value in the register."""
    key = settings.PRIVACY_HASH_KEY.encode()
    return hmac.new(key, f"privacy.register:{lookup}:{value}".encode(), hashlib.sha256).hexdigest()


def request_log(
    *,
    by: User,
    kind: str,
    lookup: str,
    value: str,
    records: int | None = None,
    outcome: str = Outcome.PENDING,
) -> PrivacyRequest:
    """Record a request about the person value (normalised) names, without value itself."""
    finished = outcome != Outcome.PENDING
    return PrivacyRequest.objects.create(
        by=by,
        by_name=by.get_username(),
        kind=kind,
        lookup=lookup,
        subject_key=subject_key(lookup, value),
        records=records,
        outcome=outcome,
        finished_at=timezone.now() if finished else None,
    )


def request_finish(*, request: PrivacyRequest, records: int | None, outcome: str) -> None:
    """Record the outcome of a request that ran in the background."""
    PrivacyRequest.objects.filter(pk=request.pk).update(
        records=records, outcome=outcome, finished_at=timezone.now()
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def register_csv_lines(requests: QuerySet[PrivacyRequest]) -> Iterator[str]:
    """Yield the register as CSV lines (UTC times, codes as stored), for a regulator."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(
        [
            "id",
            "requested_at_utc",
            "by",
            "kind",
            "looked_up_by",
            "person_key",
            "records",
            "outcome",
            "finished_at_utc",
        ]
    )
    for r in requests.order_by("created_at", "pk").iterator(chunk_size=1000):
        yield writer.writerow(
            [
                r.pk,
                r.created_at.astimezone(UTC).isoformat(),
                escape_cell(r.by_name),
                r.kind,
                r.lookup,
                r.subject_key,
                "" if r.records is None else r.records,
                r.outcome,
                r.finished_at.astimezone(UTC).isoformat() if r.finished_at else "",
            ]
        )


def lift_log(*, by: User, kind: str, value: str, **kwargs: object) -> None:
    """Record an admin's lifting of a suppression (suppression.lifted's receiver)."""
    request_log(by=by, kind=Kind.LIFT, lookup=kind, value=value, records=1, outcome=Outcome.DONE)
