"""Bulk actions on the contacts of the list.

A bulk action is recorded as a BulkJob holding the contacts the user may change; it
runs in batches, each in its own transaction, right away when it is small and as a
background task above settings.BULK_SYNC_LIMIT contacts. Every batch asks the access
selector again, so a contact whose access changed meanwhile is skipped, not changed.
"""

from collections import Counter
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_tasks import task

from contacts import history, tags
from contacts.access import (
    Perm,
    contacts_visible_to,
    grant_access_many,
    grant_responsible_many,
    revoke_responsible_many,
)
from contacts.models import BulkJob, Contact, Notification, TaggedContact
from contacts.trash.services import contacts_trash

BATCH_SIZE = 500
# The key of a job's parameters that says how it came, when not from the pages.
THROUGH = "through"
Action = BulkJob.Action
# What the job needs to know, as JSON-able values: which ones depends on the action.
Params = Mapping[str, Any]


class Apply(Protocol):
    """An action on a batch; it may return the ids of the users it made responsible."""

    def __call__(self, *, by: User, ids: list[int], params: Params) -> list[int] | None: ...


def bulk_start(
    *,
    by: User,
    action: str,
    params: Params,
    contacts: QuerySet[Contact],
    source: str = "",
    details: Mapping[str, Any] | None = None,
) -> BulkJob:
    """Record the action on contacts (those by chose and may see) and run or enqueue it.

    source and details say in each contact's history how the change came (the API, and
    which token); the job keeps them with its parameters until it runs.
    """
    if source:
        params = {**params, THROUGH: {"source": source, "details": dict(details or {})}}
    perm = Perm.DELETE if action == Action.DELETE else Perm.CHANGE
    ids = list(contacts_visible_to(by, contacts, perm).order_by("pk").values_list("pk", flat=True))
    allowed = set(ids)
    chosen = contacts.order_by("sort_name", "pk").values_list("pk", flat=True)
    skipped_ids = [pk for pk in chosen if pk not in allowed]
    job = BulkJob.objects.create(
        user=by,
        action=action,
        params=params,
        contact_ids=ids,
        total=len(ids),
        skipped=len(skipped_ids),
        skipped_ids=skipped_ids,
    )
    if job.total > settings.BULK_SYNC_LIMIT:
        transaction.on_commit(lambda: run_bulk_job.enqueue(job_id=job.pk))
    else:
        bulk_run(job)
    return job


def bulk_run(job: BulkJob) -> BulkJob:
    """Apply the job to its contacts from where it got to, one batch at a time."""
    perm = Perm.DELETE if job.action == Action.DELETE else Perm.CHANGE
    apply = ACTIONS[job.action]
    assigned: Counter[int] = Counter()  # user id: contacts he was made responsible for
    job.status = BulkJob.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        for start in range(job.done, job.total, BATCH_SIZE):
            batch = job.contact_ids[start : start + BATCH_SIZE]
            with transaction.atomic():
                allowed = contacts_visible_to(job.user, Contact.objects.filter(pk__in=batch), perm)
                ids = list(allowed.values_list("pk", flat=True))
                if ids:
                    assigned.update(apply(by=job.user, ids=ids, params=job.params) or ())
                job.done = start + len(batch)
                job.changed += len(ids)
                # Changed meanwhile: no longer visible or no longer the user's to change.
                lost = set(batch) - set(ids)
                job.skipped_ids += [pk for pk in batch if pk in lost]
                job.skipped += len(lost)
                job.save(update_fields=["done", "changed", "skipped", "skipped_ids"])
    except Exception:
        job.status = BulkJob.Status.FAILED
        raise
    else:
        job.status = BulkJob.Status.DONE
    finally:
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
    _notify_assigned(job, assigned)
    return job


def _through(params: Params) -> dict[str, Any]:
    """Return the source and details the history records of the job's changes."""
    through = params.get(THROUGH) or {}
    return {"source": through.get("source", ""), "details": through.get("details")}


def _touch(by: User, ids: list[int], **values: object) -> None:
    # The version moves so that a contact form opened before notices the change.
    Contact.objects.filter(pk__in=ids).update(
        version=F("version") + 1, updated_by=by, updated_at=timezone.now(), **values
    )


def _delete(*, by: User, ids: list[int], params: Params) -> None:
    contacts_trash(by=by, ids=ids)


def _add_tag(*, by: User, ids: list[int], params: Params) -> None:
    tag = tags.tag_named(params["tag"]) or tags.tag_create(name=params["tag"])
    before = history.tags_by_contact(ids)
    adding = [pk for pk in ids if tag.name not in before[pk]]
    TaggedContact.objects.bulk_create(TaggedContact(tag=tag, content_object_id=pk) for pk in adding)
    _touch(by, ids)
    history.record_tag_changes(by, before, **_through(params))


def _remove_tag(*, by: User, ids: list[int], params: Params) -> None:
    if tag := tags.tag_named(params["tag"]):
        before = history.tags_by_contact(ids)
        TaggedContact.objects.filter(tag=tag, content_object_id__in=ids).delete()
        history.record_tag_changes(by, before, **_through(params))
    _touch(by, ids)


def _set_responsible(*, by: User, ids: list[int], params: Params) -> list[int]:
    users = params["users"]
    replace = params["mode"] == "replace"
    through = Contact.responsible.through
    rows = through.objects.filter(contact_id__in=ids)
    names_before = history.responsible_by_contact(ids)
    before = {(cid, uid) for cid, names in names_before.items() for uid in names}
    if replace:
        rows.exclude(user_id__in=users).delete()
    added = [(cid, uid) for cid in ids for uid in users if (cid, uid) not in before]
    through.objects.bulk_create(through(contact_id=cid, user_id=uid) for cid, uid in added)
    grant_responsible_many(ids, users, replace=replace)
    _touch(by, ids)
    names_after = history.responsible_by_contact(ids)
    changes = {
        pk: [
            history.change(
                "responsible",
                history.names_list(names_before[pk].values()),
                history.names_list(names_after[pk].values()),
            )
        ]
        for pk in ids
        if names_before[pk].keys() != names_after[pk].keys()
    }
    history.record_many(
        changes, by, history.Verb.CHANGED, changes_by_id=changes, **_through(params)
    )
    # Told once per user when the job ends: one message, not one per contact.
    return [uid for _cid, uid in added if uid != by.pk]


def _set_access(*, by: User, ids: list[int], params: Params) -> None:
    access = params["access"]
    before = dict(Contact.objects.filter(pk__in=ids).values_list("pk", "access"))
    grant_access_many(ids, access)
    _touch(by, ids, access=access)
    changes = {
        pk: [history.change("access", old, access)] for pk, old in before.items() if old != access
    }
    history.record_many(
        changes, by, history.Verb.CHANGED, changes_by_id=changes, **_through(params)
    )


def _hand_over(*, by: User, ids: list[int], params: Params) -> list[int]:
    """Make params["to"] responsible instead of params["from"] wherever he still is.

    Each contact's history says who handed it over, from whom to whom.
    """
    giver, taker = params["from"], params["to"]
    through = Contact.responsible.through
    held = list(
        through.objects.filter(contact_id__in=ids, user_id=giver).values_list(
            "contact_id", flat=True
        )
    )
    if not held:
        return []
    names_before = history.responsible_by_contact(held)
    through.objects.filter(contact_id__in=held, user_id=giver).delete()
    adding = [pk for pk in held if taker not in names_before[pk]]
    through.objects.bulk_create(through(contact_id=pk, user_id=taker) for pk in adding)
    revoke_responsible_many(held, [giver])
    grant_responsible_many(held, [taker], replace=False)
    _touch(by, held)
    names_after = history.responsible_by_contact(held)
    changes = {
        pk: [
            history.change(
                "responsible",
                history.names_list(names_before[pk].values()),
                history.names_list(names_after[pk].values()),
            )
        ]
        for pk in held
    }
    details = {"from_user": params["from_name"], "to_user": params["to_name"]}
    history.record_many(
        changes, by, history.Verb.HANDED_OVER, changes_by_id=changes, details=details
    )
    return [taker for _pk in adding if taker != by.pk]


ACTIONS: dict[str, Apply] = {
    Action.DELETE: _delete,
    Action.ADD_TAG: _add_tag,
    Action.REMOVE_TAG: _remove_tag,
    Action.SET_RESPONSIBLE: _set_responsible,
    Action.SET_ACCESS: _set_access,
    Action.HAND_OVER: _hand_over,
}


def _notify_assigned(job: BulkJob, assigned: Counter[int]) -> None:
    users = get_user_model().objects.in_bulk(list(assigned))
    Notification.objects.bulk_create(
        Notification(recipient=user, actor=job.user, verb="assigned_many", count=assigned[pk])
        for pk, user in users.items()
    )


@task()
def run_bulk_job(*, job_id: int) -> None:
    """Run a bulk job in the background (the list's, or a hand-over), resuming where it stopped."""
    job = BulkJob.objects.select_related("user").filter(pk=job_id).first()
    if job is not None and not job.finished:
        try:
            bulk_run(job)
        finally:
            if job.action == Action.HAND_OVER:
                # Nobody waits on the page of a hand-over that big: the admin is told.
                Notification.objects.create(
                    recipient=job.user,
                    actor=job.user,
                    verb="hand_over_ended",
                    bulk_job=job,
                    count=job.changed,
                )
