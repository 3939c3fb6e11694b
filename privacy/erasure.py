"""Erasing a person everywhere, for good, in the background, a step at a time.

The admin confirms what will go (erasure_plan); erasure_start records the request and
what names the person (his contacts, the needles the finders look for, his addresses)
on an Erasure, and queues erasure_run. Each step walks the finders' hits of its places
(privacy.finders: what is found is what is erased) and records itself done in the same
transaction as its work: after a crash the job starts again at the first step not done,
and a step run twice finds nothing left to do. His addresses go to the suppression list
first; at the end the Erasure forgets him and the register holds the counts.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from accounts import preferences
from activities.models import Event, EventAttachment, Task
from api.webhooks.models import Delivery
from contacts.history import ERASED
from contacts.imports.models import ImportIssue, ImportJob, ImportUpdate, import_path
from contacts.models import Contact, ContactEvent, ContactInfo, Notification
from contacts.personal_data.suppression import suppress
from contacts.positions.models import Position
from contacts.services import contacts_refresh_search_text
from contacts.storage import delete_files_on_commit
from contacts.trash.services import contacts_purge
from privacy import finders, register
from privacy.models import Erasure, PrivacyRequest
from privacy.subjects import MIN_NEEDLE, Subject, former_details

logger = logging.getLogger(__name__)

# What replaces the person's words in a text kept for someone else (a note, a task).
CUT = "[…]"
# An erasure untouched for this long was stopped by a crash: the worker resumes it.
STALE = timedelta(minutes=15)


def _needle_re(needles: Iterable[str]) -> re.Pattern[str] | None:
    needles = sorted((n for n in needles if n), key=len, reverse=True)
    if not needles:
        return None
    return re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)


def _names(text: str, needles: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(n in lowered for n in needles)


def scrubbed_text(text: str, needles: Iterable[str]) -> str:
    """Return text with every needle cut out, whatever its case."""
    pattern = _needle_re(needles)
    return pattern.sub(CUT, text) if pattern else text


def scrubbed_json(value: Any, needles: Iterable[str]) -> Any:
    """Return value with every text that names the person replaced by history.ERASED."""
    needles = list(needles)
    if isinstance(value, str):
        return ERASED if _names(value, needles) else value
    if isinstance(value, list):
        return [scrubbed_json(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: scrubbed_json(v, needles) for k, v in value.items()}
    return value


# The places an erasure goes through, in order: those found through the person's tasks
# and events (webhook deliveries, the queue) before the tasks and events go; the
# contacts last, as the other steps find their rows by them.
STEP_LABELS: dict[str, StrOrPromise] = {
    "suppress": gettext_lazy("Suppression list: the addresses and numbers blocked"),
    "webhook_deliveries": gettext_lazy("Webhook deliveries"),
    "queued_emails": gettext_lazy("E-mails and other work queued for the worker"),
    "history": gettext_lazy("History entries of other contacts"),
    "mentions": gettext_lazy("Mentions on other contacts' cards"),
    "timeline": gettext_lazy("Timeline events and attachments"),
    "tasks": gettext_lazy("Tasks"),
    "imports": gettext_lazy("Imports: rows, files and rejected-row files"),
    "notifications": gettext_lazy("Notifications"),
    "contacts": gettext_lazy("Contacts, with their details and history"),
    "search": gettext_lazy("Search text of the contacts touched"),
}

Step = Callable[[Erasure, Subject], int]


def _hits(key: str, subject: Subject) -> list[finders.Hit]:
    return finders.FINDERS[key].find(subject, None)


def _step_suppress(erasure: Erasure, subject: Subject) -> int:
    """Block the person's addresses first: nothing brings him back while he goes."""
    added = suppress(
        emails=erasure.emails, phones=erasure.phones, by=erasure.created_by, reason="erased"
    )
    return len(added)


def _step_webhooks(erasure: Erasure, subject: Subject) -> int:
    ids = [h.pk for h in _hits("webhook_deliveries", subject)]
    return Delivery.objects.filter(pk__in=ids).delete()[0]


def _step_queue(erasure: Erasure, subject: Subject) -> int:
    # The rows of the queue that name the person, but this erasure's own.
    ids = [h.pk for h in _hits("queued_emails", subject)]
    return DBTaskResult.objects.filter(pk__in=ids).delete()[0]


def _step_history(erasure: Erasure, subject: Subject) -> int:
    """Other contacts' history entries: the values naming the person become ERASED."""
    ids = set(subject.contact_ids)
    entries = ContactEvent.objects.filter(
        finders._json_text(subject, "changes", "details")
    ).exclude(contact_id__in=ids)
    count = 0
    for entry in entries.iterator():
        changes = []
        for item in entry.changes:
            if isinstance(item, dict) and {item.get("old_id"), item.get("new_id")} & ids:
                item = {
                    **item,
                    "old": ERASED if item.get("old") else "",
                    "new": ERASED if item.get("new") else "",
                    "old_id": None,
                    "new_id": None,
                }
            changes.append(scrubbed_json(item, subject.needles))
        details = scrubbed_json(entry.details, subject.needles)
        if changes != entry.changes or details != entry.details:
            ContactEvent.objects.filter(pk=entry.pk).update(changes=changes, details=details)
            count += 1
    return count


def erased_word(erasure: Erasure) -> str:
    """Return what replaces the person's words in another contact's text, in the language
    of the admin who erased him: the text is read by people, and kept as written."""
    by = erasure.created_by
    language = preferences.language_of(by) if by is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        return "[" + translation.gettext("erased") + "]"


def _step_mentions(erasure: Erasure, subject: Subject) -> int:
    """Other contacts' free text: the words naming the person become "[erased]", the rest
    stays. No history entry is written, as for the notes and tasks: it would keep what
    went. Their version and moment of change move, so that what syncs from them (the
    API, address books) fetches them again, and their search text is written anew."""
    terms = finders.mention_terms(subject)
    if terms.pattern is None:
        return 0
    word = erased_word(erasure)
    keys = {f.key for f in finders.free_text_fields()}
    touched: set[int] = set()
    count = 0
    for contact in finders.mentioning_contacts(subject, terms).only(
        "pk", "description", "job_title", "custom"
    ):
        custom = {
            k: terms.cut(v, word) if k in keys and isinstance(v, str) else v
            for k, v in contact.custom.items()
        }
        values = {
            "description": terms.cut(contact.description, word),
            "job_title": terms.cut(contact.job_title, word)[:200],
            "custom": custom,
        }
        if all(values[k] == getattr(contact, k) for k in values):
            continue
        Contact.all_objects.filter(pk=contact.pk).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        touched.add(contact.pk)
        count += 1
    for position in finders.mentioning_positions(subject, terms):
        job_title = terms.cut(position.job_title, word)[:200]
        department = terms.cut(position.department, word)[:200]
        if (job_title, department) == (position.job_title, position.department):
            continue
        Position.objects.filter(pk=position.pk).update(job_title=job_title, department=department)
        Contact.all_objects.filter(pk=position.person_id).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        touched.add(position.person_id)
        count += 1
    contacts_refresh_search_text(Contact.all_objects.filter(pk__in=touched))
    return count


def _step_timeline(erasure: Erasure, subject: Subject) -> int:
    """The person's events go with their files; another's note naming him loses the words."""
    ids = subject.contact_ids
    attachments = EventAttachment.objects.filter(
        Q(event__contact_id__in=ids) | finders._any_text(["name"], subject.needles)
    )
    files = list(attachments.values_list("file", flat=True))
    count = attachments.delete()[0]
    count += Event.objects.filter(contact_id__in=ids).delete()[0]
    others = Event.objects.filter(finders._any_text(["text"], subject.needles))
    for event in others.only("pk", "text"):
        Event.objects.filter(pk=event.pk).update(text=scrubbed_text(event.text, subject.needles))
        count += 1
    delete_files_on_commit(files)
    return count


def _step_tasks(erasure: Erasure, subject: Subject) -> int:
    ids = subject.contact_ids
    tasks = Task.objects.filter(contact_id__in=ids)
    Notification.objects.filter(
        verb__startswith="task_", object_id__in=list(tasks.values_list("pk", flat=True))
    ).delete()
    count = tasks.delete()[0]
    text = Q(finders._any_text(["title"], subject.needles)) | Q(
        finders._any_text(["description"], subject.needles)
    )
    for t in Task.objects.filter(text).only("pk", "title", "description"):
        Task.objects.filter(pk=t.pk).update(
            title=scrubbed_text(t.title, subject.needles)[:200],
            description=scrubbed_text(t.description, subject.needles),
        )
        count += 1
    return count


def _rewrite(name: str, encoding: str, needles: list[str], keep_first: bool) -> tuple[str, int]:
    """Write the stored file name again without its lines naming the person; return the
    new file's name and the lines taken out (the name unchanged when none was)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    kept, removed = io.StringIO(), 0
    with default_storage.open(name, "rb") as raw:
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        for number, line in enumerate(stream, 1):
            if _names(line, needles) and not (keep_first and number == 1):
                removed += 1
            else:
                kept.write(line)
    if not removed:
        return name, 0
    data = kept.getvalue().encode(encoding, errors="replace")
    new = default_storage.save(import_path(None, name), ContentFile(data))
    return new, removed


def _step_imports(erasure: Erasure, subject: Subject) -> int:
    count = ImportIssue.objects.filter(
        pk__in=[h.pk for h in _hits("import_rows", subject)]
    ).delete()[0]
    count += ImportUpdate.objects.filter(
        pk__in=[h.pk for h in _hits("import_updates", subject)]
    ).delete()[0]
    needles = list(subject.needles)
    jobs = ImportJob.objects.exclude(file="", error_file="")
    gone: list[str] = []
    for job in jobs.only("pk", "file", "error_file", "encoding", "has_header"):
        for column, encoding in (("file", job.encoding), ("error_file", "utf-8")):
            old = getattr(job, column).name
            if not old:
                continue
            try:
                new, removed = _rewrite(old, encoding, needles, keep_first=True)
            except OSError:
                logger.warning("Stored file %s could not be rewritten", old)
                continue
            if removed:
                values: dict[str, Any] = {column: new}
                if column == "file":
                    values["file_size"] = default_storage.size(new)
                ImportJob.objects.filter(pk=job.pk).update(**values)
                gone.append(old)
                count += removed
    delete_files_on_commit(gone)
    return count + _rename_imports(erasure, subject)


def _rename_imports(erasure: Erasure, subject: Subject) -> int:
    """Give the imports whose file name names the person a name without it: the stored
    files have random names, the name the importer gave is kept in the row only."""
    word = erased_word(erasure)
    terms = finders.mention_terms(subject)
    count = 0
    for hit in _hits("import_file_names", subject):
        job_id = hit.pk[0]
        name = terms.cut(hit.data["file_name"], word)[-255:]
        ImportJob.objects.filter(pk=job_id).update(file_name=name)
        count += 1
    return count


def _step_notifications(erasure: Erasure, subject: Subject) -> int:
    return Notification.objects.filter(contact_id__in=subject.contact_ids).delete()[0]


def _step_contacts(erasure: Erasure, subject: Subject) -> int:
    contacts = list(Contact.all_objects.filter(pk__in=subject.contact_ids).only("pk"))
    # The contacts whose search text or duplicate keys named the person: their company's
    # staff are refreshed by the purge itself.
    return contacts_purge(contacts)


def _step_search(erasure: Erasure, subject: Subject) -> int:
    """Refresh the search text of the contacts that still hold one of the needles in it."""
    touched = Contact.all_objects.filter(finders._any_text(["search_text"], subject.needles))
    count = touched.count()
    contacts_refresh_search_text(touched)
    return count


STEPS: dict[str, Step] = {
    "suppress": _step_suppress,
    "webhook_deliveries": _step_webhooks,
    "queued_emails": _step_queue,
    "history": _step_history,
    "mentions": _step_mentions,
    "timeline": _step_timeline,
    "tasks": _step_tasks,
    "imports": _step_imports,
    "notifications": _step_notifications,
    "contacts": _step_contacts,
    "search": _step_search,
}


def person_addresses(subject: Subject) -> tuple[list[str], list[str]]:
    """Return the e-mail addresses and phone numbers of the person, for the suppression list:
    those of his contacts, now and before, and the one looked up."""
    infos = ContactInfo.objects.filter(contact_id__in=subject.contact_ids)
    emails = set(infos.filter(kind=ContactInfo.Kind.EMAIL).values_list("value", flat=True))
    phones = set(infos.filter(kind=ContactInfo.Kind.PHONE).values_list("value", flat=True))
    # Those his cards held before, as their history shows: a number taken off a card is
    # still his, and an import must not bring it back.
    former_emails, former_phones = former_details(subject.contact_ids)
    emails |= former_emails
    phones |= former_phones
    if subject.lookup == "email":
        emails.add(subject.value)
    elif subject.lookup == "phone" and subject.value:
        phones.add(subject.value)
    return sorted(e for e in emails if e), sorted(p for p in phones if p)


def erasure_plan(subject: Subject) -> list[finders.Place]:
    """Return what an erasure of subject takes: every place he is found in."""
    return [p for p in finders.find_everywhere(subject, limit=None) if p.hits]


@transaction.atomic
def erasure_start(*, by: User, subject: Subject) -> Erasure:
    """Record the request and queue the erasure of the person subject names."""
    # The register counts the records the admin was shown would go, found again now.
    found = sum(len(p.hits) for p in erasure_plan(subject))
    request = register.request_log(
        by=by,
        kind=PrivacyRequest.Kind.ERASE,
        lookup=subject.lookup,
        value=subject.value,
        records=found,
    )
    emails, phones = person_addresses(subject)
    # His names too: another contact's history names him by them (a relation, a company).
    names = Contact.all_objects.filter(pk__in=subject.contact_ids)
    needles = set(subject.needles) | {
        c.display_name.lower() for c in names if len(c.display_name) >= MIN_NEEDLE
    }
    erasure = Erasure.objects.create(
        request=request,
        created_by=by,
        contact_ids=list(subject.contact_ids),
        needles=sorted(needles),
        emails=emails,
        phones=phones,
    )
    transaction.on_commit(partial(erasure_run.enqueue, erasure_id=erasure.pk))
    return erasure


def _subject(erasure: Erasure) -> Subject:
    return Subject(
        erasure.request.lookup,
        "",
        tuple(erasure.contact_ids),
        tuple(erasure.needles),
        phones=tuple(erasure.phones),
    )


@task()
def erasure_run(*, erasure_id: int) -> None:
    """Run the steps of one erasure not done yet, then close it."""
    claimed = (
        Erasure.objects.filter(pk=erasure_id)
        .exclude(status=Erasure.Status.DONE)
        .update(status=Erasure.Status.RUNNING)
    )
    if not claimed:
        return
    try:
        erasure_resume(erasure_id)
    except Exception:
        logger.exception("Erasure %s stopped: it resumes at its step", erasure_id)
        Erasure.objects.filter(pk=erasure_id).update(status=Erasure.Status.INTERRUPTED)
        raise


def erasure_resume(erasure_id: int) -> None:
    erasure = Erasure.objects.select_related("request").get(pk=erasure_id)
    subject = _subject(erasure)
    for key, step in STEPS.items():
        if key in erasure.steps:
            continue
        with transaction.atomic():
            locked = Erasure.objects.select_for_update().get(pk=erasure_id)
            if key in locked.steps:  # another worker did it meanwhile
                erasure = locked
                continue
            count = step(locked, subject)
            locked.steps = [*locked.steps, key]
            locked.counts = {**locked.counts, key: count}
            locked.save(update_fields=["steps", "counts", "updated_at"])
            erasure = locked
    _finish(erasure)


@transaction.atomic
def _finish(erasure: Erasure) -> None:
    erasure = (
        Erasure.objects.select_for_update(of=("self",)).select_related("request").get(pk=erasure.pk)
    )
    if erasure.status == Erasure.Status.DONE:
        return
    # The person is gone: the erasure forgets what named him.
    Erasure.objects.filter(pk=erasure.pk).update(
        status=Erasure.Status.DONE,
        contact_ids=[],
        needles=[],
        emails=[],
        phones=[],
        finished_at=timezone.now(),
    )
    register.request_finish(
        request=erasure.request,
        records=erasure.request.records,
        outcome=PrivacyRequest.Outcome.DONE,
    )


def erasures_resume_stale() -> int:
    """Queue again the erasures a crash stopped; return how many."""
    stale = Erasure.objects.exclude(status=Erasure.Status.DONE).filter(
        updated_at__lt=timezone.now() - STALE
    )
    ids = list(stale.values_list("pk", flat=True))
    for pk in ids:
        Erasure.objects.filter(pk=pk).update(status=Erasure.Status.QUEUED)
        erasure_run.enqueue(erasure_id=pk)
    return len(ids)


def cleanup_interval() -> float:
    return 600.0
