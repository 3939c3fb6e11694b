"""On SQLite, an FTS5 trigram index of the search text answers the list's search.

The index (contacts/db/search_index.py) is made, filled from every contact and kept in
step by triggers on contacts_contact. PostgreSQL keeps the trigram index of 0014: nothing
is done there.

The SQL is written out as this migration ran it, so that a later change to
search_index.py cannot change what it does. SQLite drops a table's triggers when it
rebuilds it to change a column: a later migration that rebuilds contacts_contact takes
these off first and puts them back after (remove_triggers() and install_triggers() below,
copied, as 0018 does for the list's), and calls rebuild() if it changes search texts
without them.
"""

from django.db import migrations

TABLE = "contacts_search_index"
TRIGGER = "contacts_search_index"
CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(search_text, "
    "content='contacts_contact', content_rowid='id', tokenize='trigram', "
    "detail='none', columnsize=0)"
)
UNLESS_BULK = "COALESCE((SELECT bulk FROM contacts_dataversion WHERE id = 1), 0) = 0"
ADD_NEW = f"INSERT INTO {TABLE} (rowid, search_text) VALUES (NEW.id, NEW.search_text);"
REMOVE_OLD = (
    f"INSERT INTO {TABLE} ({TABLE}, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text);"
)
TRIGGERS = {
    "insert": f"AFTER INSERT ON contacts_contact WHEN {UNLESS_BULK} BEGIN {ADD_NEW} END",
    "delete": f"AFTER DELETE ON contacts_contact BEGIN {REMOVE_OLD} END",
    "update": (
        "AFTER UPDATE OF id, search_text ON contacts_contact "
        "WHEN OLD.id IS NOT NEW.id OR OLD.search_text IS NOT NEW.search_text "
        f"BEGIN {REMOVE_OLD} {ADD_NEW} END"
    ),
}


def install_triggers(schema_editor):
    remove_triggers(schema_editor)
    for event, body in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER {TRIGGER}_{event} {body}")


def remove_triggers(schema_editor):
    for event in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{event}")


def rebuild(schema_editor):
    schema_editor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)
        install_triggers(schema_editor)
        rebuild(schema_editor)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        remove_triggers(schema_editor)
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0025_task_paths")]

    operations = [migrations.RunPython(install, remove)]
