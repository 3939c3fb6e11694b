"""The CRM's shared tags: list with usage, create, rename, merge, delete.

Tag names are trimmed, their inner whitespace collapsed, at most TAG_MAX_LENGTH
characters, and unique when compared case-insensitively. taggit's table only makes
them unique case-sensitively, so the services check under a transaction and turn a
concurrent duplicate (IntegrityError) into the same ValidationError.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django_stubs_ext import WithAnnotations
from taggit.models import Tag

from contacts import history
from contacts.models import Contact, TaggedContact

TAG_MAX_LENGTH = 50


class Usage(TypedDict):
    usage: int  # how many contacts carry the tag


def normalize_tag_name(name: str) -> str:
    """Return name trimmed, with every run of whitespace turned into one space."""
    return " ".join(name.split())


def validate_tag_name(name: str) -> str:
    """Return the normalised name, or raise ValidationError if it is empty or too long."""
    name = normalize_tag_name(name)
    if not name:
        raise ValidationError(_("Enter a tag name."), code="required")
    if len(name) > TAG_MAX_LENGTH:
        raise ValidationError(
            _("A tag name has at most %(max)d characters; this one has %(length)d.")
            % {"max": TAG_MAX_LENGTH, "length": len(name)},
            code="max_length",
        )
    return name


def tag_named(name: str, *, exclude: int | None = None) -> Tag | None:
    """Return the tag whose name equals name case-insensitively, or None."""
    tags = Tag.objects.exclude(pk=exclude) if exclude else Tag.objects.all()
    found = tags.filter(name__iexact=name).order_by("pk").first()
    if found or name.isascii() or connection.vendor != "sqlite":
        return found
    # SQLite folds only ASCII letters: compare other names in Python ("Été" and "été").
    folded = name.casefold()
    return next((t for t in tags.order_by("pk") if t.name.casefold() == folded), None)


def tags_by_name(*, query: str = "") -> QuerySet[Tag]:
    """Return the tags, sorted by name ignoring case, narrowed to names containing query."""
    tags = Tag.objects.filter(name__icontains=query) if query else Tag.objects.all()
    return tags.order_by(Lower("name"), "name", "pk")


def with_usage(tags: Iterable[Tag]) -> list[WithAnnotations[Tag, Usage]]:
    """Return tags as a list, each with `usage`: how many contacts carry it.

    Meant for one page of tags: one grouped query over their taggings only (counting
    every tag's contacts to show a hundred took 0.3 s with 200,000 taggings on SQLite).
    """
    counted = [cast("WithAnnotations[Tag, Usage]", tag) for tag in tags]
    counts = dict(
        TaggedContact.objects.filter(tag__in=counted)
        .order_by()
        .values("tag")
        .annotate(n=Count("content_object", distinct=True))
        .values_list("tag", "n")
    )
    for tag in counted:
        tag.usage = counts.get(tag.pk, 0)
    return counted


def unused_tags() -> QuerySet[Tag]:
    """Return the tags that no contact carries."""
    return Tag.objects.filter(~Exists(TaggedContact.objects.filter(tag=OuterRef("pk"))))


def tag_usage(tag: Tag) -> int:
    """Return how many contacts carry tag."""
    return TaggedContact.objects.filter(tag=tag).values("content_object").distinct().count()


@dataclass
class MergeResult:
    contacts: int  # contacts that carried the source tag and now carry the target
    already_tagged: int  # of those, how many carried both


@transaction.atomic
def tag_create(*, name: str) -> Tag:
    """Create a tag, refusing a name that exists in any case."""
    name = validate_tag_name(name)
    if existing := tag_named(name):
        raise _duplicate(existing.name)
    tag = Tag(name=name, slug=_unique_slug(name))
    _save(tag)
    return tag


@transaction.atomic
def tag_rename(*, tag: Tag, name: str, by: User | None = None) -> Tag:
    """Rename tag; only its case may match another tag's name, else merge is the way."""
    name = validate_tag_name(name)
    (tag,) = _lock(tag)
    if name == tag.name:
        return tag
    if existing := tag_named(name, exclude=tag.pk):
        raise ValidationError(
            _(
                "A tag named “%(name)s” already exists. To put both under one name, "
                "merge this tag into it."
            )
            % {"name": existing.name},
            code="duplicate",
        )
    before = _tags_of_carriers(tag)
    tag.name = name
    tag.slug = _unique_slug(name, exclude=tag.pk)
    _save(tag)
    _contacts_changed(TaggedContact.objects.filter(tag=tag))
    history.record_tag_changes(by, before)
    return tag


@transaction.atomic
def tag_merge(*, source: Tag, target: Tag, by: User | None = None) -> MergeResult:
    """Give source's contacts the target tag, once each, and delete source."""
    if source.pk == target.pk:
        raise ValidationError(_("A tag cannot be merged into itself."), code="same")
    source, target = _lock(source, target)
    before = _tags_of_carriers(source)
    rows = TaggedContact.objects.filter(tag=source)
    contacts = rows.values("content_object").distinct().count()
    both = rows.filter(
        Exists(TaggedContact.objects.filter(tag=target, content_object=OuterRef("content_object")))
    )
    already_tagged = both.values("content_object").distinct().count()
    _contacts_changed(rows)
    both.delete()
    # No unique constraint holds one row per contact and tag: drop repeats before moving.
    rows.filter(
        Exists(
            TaggedContact.objects.filter(
                tag=source, content_object=OuterRef("content_object"), pk__lt=OuterRef("pk")
            )
        )
    ).delete()
    rows.update(tag=target)
    source.delete()
    history.record_tag_changes(by, before)
    return MergeResult(contacts=contacts, already_tagged=already_tagged)


@transaction.atomic
def tag_delete(*, tag: Tag, by: User | None = None) -> int:
    """Delete tag, taking it off every contact; return how many contacts carried it."""
    (tag,) = _lock(tag)
    before = _tags_of_carriers(tag)
    rows = TaggedContact.objects.filter(tag=tag)
    contacts = rows.values("content_object").distinct().count()
    _contacts_changed(rows)
    tag.delete()
    history.record_tag_changes(by, before)
    return contacts


@transaction.atomic
def tags_delete_unused() -> int:
    """Delete every tag no contact carries; return how many were deleted."""
    # Lock first, then check again: a contact tagged meanwhile keeps its tag.
    candidates = list(unused_tags().select_for_update().values_list("pk", flat=True))
    still_unused = unused_tags().filter(pk__in=candidates)
    deleted, by_model = still_unused.delete()
    return by_model.get(Tag._meta.label, 0)


def _lock(*tags: Tag) -> list[Tag]:
    """Return fresh copies of tags, locked until the transaction ends, in the given order.

    Raise Tag.DoesNotExist if one was deleted meanwhile.
    """
    pks = [t.pk for t in tags]
    found = {t.pk: t for t in Tag.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    if len(found) < len(set(pks)):
        raise Tag.DoesNotExist(_("This tag no longer exists."))
    return [found[pk] for pk in pks]


def _save(tag: Tag) -> None:
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError:
        if existing := tag_named(tag.name, exclude=tag.pk):
            raise _duplicate(existing.name) from None
        raise ValidationError(
            _("Another change to the tags was saved at the same moment. Please try again."),
            code="conflict",
        ) from None


def _duplicate(name: str) -> ValidationError:
    return ValidationError(
        _("A tag named “%(name)s” already exists.") % {"name": name}, code="duplicate"
    )


def _unique_slug(name: str, *, exclude: int | None = None) -> str:
    base = Tag().slugify(name) or "tag"
    similar = Tag.objects.filter(Q(slug=base) | Q(slug__startswith=f"{base}_"))
    if exclude:
        similar = similar.exclude(pk=exclude)
    taken = set(similar.values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        slug, n = f"{base}_{n}", n + 1
    return slug


def _tags_of_carriers(tag: Tag) -> dict[int, list[str]]:
    """Return {contact id: tag names} of the contacts that carry tag."""
    ids = TaggedContact.objects.filter(tag=tag).values_list("content_object_id", flat=True)
    return history.tags_by_contact(list(ids))


def _contacts_changed(rows: QuerySet[TaggedContact]) -> None:
    # The version moves so that a contact form opened with the old tags notices, and the
    # moment of the change so that what syncs from it (the API, phones) fetches them again.
    carriers = Contact.objects.filter(pk__in=rows.values("content_object"))
    carriers.update(version=F("version") + 1, updated_at=timezone.now())
