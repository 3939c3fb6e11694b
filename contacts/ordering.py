"""Keep the admins' ordered lists (contact types, user fields) in order."""

from django.db import transaction


def _in_order(model):
    return list(model.objects.select_for_update().order_by("position", "id"))


def _renumber(model, rows):
    for position, row in enumerate(rows):
        row.position = position
    model.objects.bulk_update(rows, ["position"])
    return rows


@transaction.atomic
def reorder(model, ids):
    """Put the rows in the order of ids; rows missing from ids keep their place after."""
    rows = _in_order(model)
    by_id = {row.pk: row for row in rows}
    wanted = list(dict.fromkeys(by_id[i] for i in ids if i in by_id))
    return _renumber(model, wanted + [row for row in rows if row not in wanted])


@transaction.atomic
def move(model, obj, direction):
    """Swap obj with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    rows = _in_order(model)
    index = next((n for n, row in enumerate(rows) if row.pk == obj.pk), None)
    if index is None:  # Deleted meanwhile: nothing to move.
        return rows
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    return _renumber(model, rows)
