"""Each position carries its person's sort name, for a company's people in name order.

A company's card lists its current people by their names, a page at a time. Read from
the persons' side (every person the user may see, in name order, probed for a position
at the company), a company of nine people cost a walk over every person; read from the
company's positions and sorted on the persons' names, a company of thousands cost a join
and a sort of all of them. contacts_position.sort_name copies the person's sort name so
that the partial index (company, sort_name, person) over current positions gives a page
in order, whatever the company's size.

Triggers keep the copy, so that every writer is followed (the services, the merge moving
positions, the import's and the population's bulk writers, raw SQL):

- a person whose sort name changes passes it to his positions;
- a position inserted, or moved to another person, takes its person's sort name: on
  PostgreSQL a BEFORE trigger sets it in the row being written; SQLite cannot change
  the row before writing it, so an AFTER trigger corrects the row when it does not hold
  the person's name (a bulk writer that writes the right name costs it nothing more).

SQLite drops a table's triggers with the table: a migration that makes SQLite rebuild
contacts_contact or contacts_position takes these off and puts them back, with the SQL
of the migration that installed them (migrations carry their own). The test of the
triggers a fresh migrate installs (tests/contacts/db/test_trigger_migrations.py) holds
them equal to install_triggers()'s.
"""

from django.db.backends.base.schema import BaseDatabaseSchemaEditor

TRIGGER = "contacts_position_names"
PERSONS_NAME = "(SELECT c.sort_name FROM contacts_contact c WHERE c.id = NEW.person_id)"
# safe-sql: constants of this module (as in every statement below).
HAND_DOWN = "UPDATE contacts_position SET sort_name = NEW.sort_name WHERE person_id = NEW.id"
CORRECT = (
    # safe-sql: as above.
    f"UPDATE contacts_position SET sort_name = COALESCE({PERSONS_NAME}, '') "  # noqa: S608
    "WHERE id = NEW.id"
)


def _sqlite() -> dict[str, str]:
    """Return {trigger's name: what follows CREATE TRIGGER name}."""
    wrong = f"NEW.sort_name IS NOT COALESCE({PERSONS_NAME}, '')"
    return {
        f"{TRIGGER}_person": (
            "AFTER UPDATE OF sort_name ON contacts_contact "
            f"WHEN OLD.sort_name IS NOT NEW.sort_name BEGIN {HAND_DOWN}; END"
        ),
        f"{TRIGGER}_insert": f"AFTER INSERT ON contacts_position WHEN {wrong} BEGIN {CORRECT}; END",
        f"{TRIGGER}_update": (
            "AFTER UPDATE OF person_id, sort_name ON contacts_position "
            f"WHEN {wrong} BEGIN {CORRECT}; END"
        ),
    }


def _postgresql() -> dict[str, tuple[str, str]]:
    """Return {name: (its function's body, what follows CREATE TRIGGER name)}."""
    return {
        f"{TRIGGER}_person": (
            f"BEGIN {HAND_DOWN}; RETURN NULL; END",
            "AFTER UPDATE OF sort_name ON contacts_contact FOR EACH ROW "
            "WHEN (OLD.sort_name IS DISTINCT FROM NEW.sort_name)",
        ),
        f"{TRIGGER}_position": (
            f"BEGIN NEW.sort_name := COALESCE({PERSONS_NAME}, ''); RETURN NEW; END",
            "BEFORE INSERT OR UPDATE OF person_id, sort_name ON contacts_position FOR EACH ROW",
        ),
    }


def install_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create (or replace) the triggers that keep the positions' sort names."""
    remove_triggers(schema_editor)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, (body, trigger) in _postgresql().items():
            schema_editor.execute(
                # safe-sql: the names and statements are this module's constants.
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ {body} $$ "
                "LANGUAGE plpgsql"
            )
            # safe-sql: as above.
            schema_editor.execute(f"CREATE TRIGGER {name} {trigger} EXECUTE FUNCTION {name}()")
    elif vendor == "sqlite":
        for name, trigger in _sqlite().items():
            # safe-sql: as above.
            schema_editor.execute(f"CREATE TRIGGER {name} {trigger}")


def remove_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, (_body, trigger) in _postgresql().items():
            table = trigger.split(" ON ")[1].split()[0]
            # safe-sql: the names are constants of this module (as below).
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            # safe-sql: as above.
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    elif vendor == "sqlite":
        for name in _sqlite():
            # safe-sql: as above.
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
