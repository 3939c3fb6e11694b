"""The suppression list: the erased e-mails and phones that must not come back.

Only a keyed hash of each normalised value is kept (HMAC-SHA256 with
settings.PRIVACY_HASH_KEY): the list proves an address was erased to whoever holds the
address, and names nobody to whoever reads the database. Imports, website forms and the
API ask `is_suppressed` before they write a contact.
"""

import hashlib
import hmac
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.dispatch import Signal

from accounts import audit
from contacts import text
from contacts.personal_data.models import Suppression

Kind = Suppression.Kind

# Sent once an entry is lifted, in its transaction: by, the admin; kind; value, the address
# or number normalised. The register of requests records it (privacy.apps): contacts does
# not know who listens.
signal_lifted = Signal()


def normalized_email(value: str) -> str:
    return value.strip().lower()


def normalized_phone(value: str) -> str:
    """Return the phone in E.164, as the contacts' details hold it; its digits when it
    does not parse, so that the same typing still matches."""
    return text.normalize_phone(value) or text.digits(value)


def digest(kind: str, value: str) -> str:
    """Return the keyed hash of value (an e-mail or a phone, as typed) once normalised."""
    return digest_of_normalized(kind, _normalized(kind, value))


def digest_of_normalized(kind: str, norm: str) -> str:
    key = settings.PRIVACY_HASH_KEY.encode()
    return hmac.new(key, f"{kind}:{norm}".encode(), hashlib.sha256).hexdigest()


def _digests(kind: str, values: Iterable[str]) -> set[str]:
    return {digest(kind, v) for v in values if v and v.strip() and _normalized(kind, v)}


def _normalized(kind: str, value: str) -> str:
    return normalized_email(value) if kind == Kind.EMAIL else normalized_phone(value)


@transaction.atomic
def suppress(
    *, emails: Iterable[str] = (), phones: Iterable[str] = (), by: User | None, reason: str = ""
) -> list[Suppression]:
    """Add the e-mails and phones to the list; those already on it stay as they were."""
    wanted = [(Kind.EMAIL, d) for d in sorted(_digests(Kind.EMAIL, emails))]
    wanted += [(Kind.PHONE, d) for d in sorted(_digests(Kind.PHONE, phones))]
    name = (by.get_full_name() or by.username) if by is not None else ""
    added = []
    for kind, hashed in wanted:
        if Suppression.objects.filter(kind=kind, digest=hashed).exists():
            continue
        try:
            with transaction.atomic():
                added.append(
                    Suppression.objects.create(
                        kind=kind,
                        digest=hashed,
                        reason=reason[:200],
                        created_by=by,
                        created_by_name=name,
                    )
                )
        except IntegrityError:  # added by another request meanwhile
            continue
    return added


def is_suppressed(*, emails: Iterable[str] = (), phones: Iterable[str] = ()) -> bool:
    """Return whether any of the e-mails or phones belongs to an erased person."""
    email_digests = _digests(Kind.EMAIL, emails)
    phone_digests = _digests(Kind.PHONE, phones)
    if not email_digests and not phone_digests:
        return False
    found = Suppression.objects.none()
    if email_digests:
        found |= Suppression.objects.filter(kind=Kind.EMAIL, digest__in=email_digests)
    if phone_digests:
        found |= Suppression.objects.filter(kind=Kind.PHONE, digest__in=phone_digests)
    return found.exists()


def any_suppressed() -> bool:
    """Return whether the list holds anything: most installations' list is empty, and an
    import's rows need no hashing then."""
    return Suppression.objects.exists()


def row_digests(
    infos: Iterable[Mapping[str, str]], phones: Mapping[str, tuple[str, list[str]]]
) -> set[str]:
    """Return the hashes of an import row's e-mails and phones; phones: the E.164 forms
    the import's parser read (search_text.ParsedPhones)."""
    found = set()
    for info in infos:
        value = info["value"]
        if info["kind"] == Kind.EMAIL:
            norm = normalized_email(value)
        elif info["kind"] == Kind.PHONE:
            parsed = phones.get(value)
            norm = (parsed[0] if parsed else "") or normalized_phone(value)
        else:
            continue
        if norm:
            found.add(digest_of_normalized(info["kind"], norm))
    return found


def suppressed_among(digests: Collection[str]) -> set[str]:
    """Return those of digests on the list, in one query."""
    if not digests:
        return set()
    return set(Suppression.objects.filter(digest__in=digests).values_list("digest", flat=True))


def entries() -> QuerySet[Suppression]:
    """Return the list, newest first."""
    return Suppression.objects.order_by("-created_at", "-id")


@dataclass(frozen=True)
class Lifted:
    kind: str
    digest_prefix: str


@transaction.atomic
def suppression_lift(*, by: User, entry: Suppression, value: str) -> Lifted | None:
    """Remove entry when value (the address or phone typed by an admin) is the one it
    hashes, and record it in the audit; return what was lifted, or None when value does
    not match."""
    if not value.strip() or not hmac.compare_digest(digest(entry.kind, value), entry.digest):
        return None
    lifted = Lifted(kind=entry.kind, digest_prefix=entry.digest_prefix)
    entry.delete()
    # The hash's prefix only: the audit names nobody either.
    audit.record(
        by=by,
        action=audit.Action.SUPPRESSION_LIFTED,
        target=None,
        details={"kind": lifted.kind, "digest": lifted.digest_prefix},
    )
    signal_lifted.send(Suppression, by=by, kind=entry.kind, value=_normalized(entry.kind, value))
    return lifted
