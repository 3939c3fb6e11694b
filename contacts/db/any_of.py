"""The lookup `field__any=ids`: `field = ANY(%s)` with the ids as one array on PostgreSQL.

One parameter whatever the number of ids: Django prepares none of them one by one, and the
statement's text is the same for any page, so PostgreSQL keeps one prepared plan of it.
Other databases have no arrays: there it is `IN (...)`.
"""

from typing import Any

from django.db import models
from django.db.models.lookups import In, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if connection.vendor != "postgresql":
            return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, [int(pk) for pk in self.rhs]]


def register() -> None:
    """Offer the lookup on ids and the foreign keys to them."""
    models.IntegerField.register_lookup(AnyOf)  # the automatic ids too
    models.ForeignKey.register_lookup(AnyOf)
