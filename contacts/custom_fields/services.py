"""The services that create, change, reorder and delete user fields, and how much each
field is used. A change that renames an option or drops a field rewrites the values
stored on contacts and records it in their history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypedDict, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.lookups import Exact, In
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_stubs_ext import WithAnnotations

from contacts import history, ordering
from contacts.custom_fields.values import (
    LABEL_MAX_LENGTH,
    MAX_OPTIONS,
    OPTION_MAX_LENGTH,
    SEARCHABLE,
    AppliesTo,
    Type,
    forget_cached,
    shown_value,
)
from contacts.db.json import JSONKeyText, JSONWithoutKey, JSONWithText
from contacts.models import Contact, CustomField
from contacts.services import contacts_refresh_search_text


class Usage(TypedDict):
    usage: int  # how many contacts hold a value for the field


def holders(field: CustomField) -> QuerySet[Contact]:
    """Return the contacts that hold a value for field."""
    return Contact.objects.filter(custom__has_key=field.key)


def field_usage(field: CustomField) -> int:
    """Return how many contacts hold a value for field."""
    return holders(field).count()


def fields_with_usage() -> list[WithAnnotations[CustomField, Usage]]:
    """Return every field in order, each with `usage`, in one pass over the contacts."""
    fields = [cast("WithAnnotations[CustomField, Usage]", f) for f in CustomField.objects.all()]
    counted = [f for f in fields if f.field_type != Type.HEADING]
    counts = (
        Contact.objects.aggregate(
            **{f"f{f.pk}": Count("pk", filter=Q(custom__has_key=f.key)) for f in counted}
        )
        if counted
        else {}
    )
    for field in fields:
        field.usage = counts.get(f"f{field.pk}", 0)
    return fields


def option_usage(field: CustomField) -> dict[str, int]:
    """Return {option: how many contacts chose it} for a select box."""
    rows = (
        holders(field)
        .annotate(option_value=JSONKeyText("custom", field.key))
        .values("option_value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["option_value"]: row["n"] for row in rows}


# Services for the settings pages


def _clean_label(label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": _("Give the field a label.")})
    if len(label) > LABEL_MAX_LENGTH:
        raise ValidationError(
            {"label": _("A label has at most %(max)d characters.") % {"max": LABEL_MAX_LENGTH}}
        )
    return label


def _check_options(options: list[str]) -> None:
    """Refuse a list of options that is empty, too long, or repeats an option."""
    errors = []
    if not options:
        errors.append(_("A select box needs at least one option."))
    if len(options) > MAX_OPTIONS:
        errors.append(_("A select box has at most %(max)d options.") % {"max": MAX_OPTIONS})
    seen = set()
    for option in options:
        if len(option) > OPTION_MAX_LENGTH:
            errors.append(
                _("An option has at most %(max)d characters: “%(option)s…” is longer.")
                % {"max": OPTION_MAX_LENGTH, "option": option[:40]}
            )
        if option.casefold() in seen:
            errors.append(_("“%(option)s” appears twice.") % {"option": option})
        seen.add(option.casefold())
    if errors:
        raise ValidationError({"options": errors})


def parse_options(text: str) -> list[str]:
    """Split options typed one per line, trimmed, blank lines left out."""
    return [
        " ".join(line.split()) for line in text.replace("\x00", "").splitlines() if line.strip()
    ]


@transaction.atomic
def custom_field_create(
    *,
    label: str,
    field_type: str,
    applies_to: str = AppliesTo.BOTH,
    options: Iterable[str] = (),
    is_personal: bool = False,
) -> CustomField:
    """Add a user field at the end of the list."""
    label = _clean_label(label)
    options = [" ".join(o.split()) for o in options if o.strip()]
    if field_type == Type.SELECT:
        _check_options(options)
    else:
        options = []
    last = CustomField.objects.order_by("-position").values_list("position", flat=True).first()
    return CustomField.objects.create(
        label=label,
        field_type=field_type,
        applies_to=applies_to,
        options=options,
        position=0 if last is None else last + 1,
        is_personal=is_personal,
    )


def _kind_holders_error(kind: str, count: int) -> str:
    if kind == Contact.Kind.PERSON:
        message = ngettext(
            "%(count)d person has a value for this field: it must keep applying to persons.",
            "%(count)d persons have a value for this field: it must keep applying to persons.",
            count,
        )
    else:
        message = ngettext(
            "%(count)d company has a value for this field: it must keep applying to companies.",
            "%(count)d companies have a value for this field: it must keep applying to companies.",
            count,
        )
    return message % {"count": count}


@transaction.atomic
def custom_field_update(
    *,
    field: CustomField,
    label: str,
    applies_to: str,
    field_type: str | None = None,
    options: Iterable[tuple[str, str]] | None = None,
    added: Iterable[str] = (),
    by: User | None = None,
    is_personal: bool | None = None,
) -> CustomField:
    """Change a field's label, kinds, type or options, keeping every value it holds.

    options lists (current option, new text) pairs: a new text renames the option on
    every contact that chose it, an empty one removes the option. Options missing from
    the list (added meanwhile by someone else) are kept. added are appended.
    is_personal, unless None, marks the field's values as personal data or not.
    Refuse with ValidationError to change the type of a field that holds data, to stop
    it applying to contacts that hold a value, or to remove an option in use.
    """
    # Locked: contact saves that read the field wait, then read it as changed.
    field = CustomField.objects.select_for_update().get(pk=field.pk)
    field_type = field_type or field.field_type
    errors = {}
    if field_type not in Type.values:
        errors["field_type"] = [_("Choose one of the types offered.")]
    try:
        label = _clean_label(label)
    except ValidationError as error:
        errors.update(error.message_dict)
    usage = field_usage(field) if field.field_type != Type.HEADING else 0
    if field_type != field.field_type and usage:
        errors["field_type"] = [
            ngettext(
                "%(count)d contact has a value for this field: its type cannot change.",
                "%(count)d contacts have a value for this field: its type cannot change.",
                usage,
            )
            % {"count": usage}
        ]
    if applies_to != AppliesTo.BOTH and usage:
        for kind in Contact.Kind.values:
            if kind != applies_to:
                count = holders(field).filter(kind=kind).count()
                if count:
                    errors["applies_to"] = [_kind_holders_error(kind, count)]
    renames = {}
    new_options = []
    if field_type == Type.SELECT:
        used = option_usage(field) if field.field_type == Type.SELECT else {}
        wanted = {old: " ".join(new.split()) for old, new in (options or [])}
        current = field.options if field.field_type == Type.SELECT else []
        refused = []
        for option in current:
            new = wanted.get(option, option)
            if not new:
                if used.get(option):
                    refused.append(
                        ngettext(
                            "“%(option)s” is chosen by %(count)d contact: it cannot be removed.",
                            "“%(option)s” is chosen by %(count)d contacts: it cannot be removed.",
                            used[option],
                        )
                        % {"option": option, "count": used[option]}
                    )
                    new_options.append(option)
                continue
            if new != option:
                renames[option] = new
            new_options.append(new)
        new_options += [" ".join(o.split()) for o in added if o.strip()]
        try:
            _check_options(new_options)
        except ValidationError as error:
            refused += error.message_dict["options"]
        if refused:
            errors["options"] = refused
    if errors:
        raise ValidationError(errors)
    if renames:
        _rename_values(field, renames, by)
    field.label = label
    field.applies_to = applies_to
    field.field_type = field_type
    field.options = new_options
    if is_personal is not None:
        field.is_personal = is_personal
    field.save()
    return field


def _rename_values(field: CustomField, renames: Mapping[str, str], by: User | None = None) -> None:
    """Give every contact that chose an old option its new text, in one UPDATE."""
    # One CASE: swapping two options' names cannot merge them.
    chosen = JSONKeyText("custom", field.key)
    before = Contact.all_objects.filter(In(chosen, list(renames))).values_list("pk", "custom")
    changes = {
        pk: [
            history.change(
                f"custom:{field.pk}", custom[field.key], renames[custom[field.key]], field.label
            )
        ]
        for pk, custom in before
    }
    new_value = Case(
        *[When(Exact(chosen, old), then=Value(new)) for old, new in renames.items()],
        output_field=TextField(),
    )
    Contact.all_objects.filter(In(chosen, list(renames))).update(
        custom=JSONWithText("custom", field.key, new_value)
    )
    history.record_many(changes, by, history.Verb.CHANGED, changes_by_id=changes)


def custom_field_move(*, field: CustomField, direction: str) -> list[CustomField]:
    """Swap the field with its neighbour above ("up") or below ("down")."""
    moved = ordering.move(CustomField, field, direction)
    forget_cached()  # bulk_update sends no post_save
    return moved


def custom_fields_reorder(*, ids: list[int]) -> list[CustomField]:
    """Put the fields in the order of ids; fields missing from ids keep their place after."""
    reordered = ordering.reorder(CustomField, ids)
    forget_cached()  # bulk_update sends no post_save
    return reordered


@transaction.atomic
def custom_field_delete(*, field: CustomField, by: User | None = None) -> int:
    """Delete field and remove its value from every contact; return how many lost one."""
    key = field.key
    # Deleted first: the row lock makes the contact saves that read the field finish
    # before the values are removed, and the saves after it no longer see the field.
    CustomField.objects.filter(pk=field.pk).delete()
    found = Contact.all_objects.filter(custom__has_key=key)  # the trash too
    changes = {
        pk: [history.change(f"custom:{field.pk}", shown_value(field, custom[key]), "", field.label)]
        for pk, custom in found.values_list("pk", "custom")
    }
    history.record_many(changes, by, history.Verb.CHANGED, changes_by_id=changes)
    ids = list(found.values_list("pk", flat=True)) if field.field_type in SEARCHABLE else []
    count = found.update(custom=JSONWithoutKey("custom", key))
    if ids:
        # The search text held the deleted values.
        contacts_refresh_search_text(Contact.all_objects.filter(pk__in=ids))
    return count
