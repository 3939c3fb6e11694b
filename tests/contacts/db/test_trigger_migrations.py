"""The triggers a fresh migrate installs are those contacts/db installs today.

Migrations 0016 to 0019, 0026, 0030, 0032, 0039, 0044 and 0045 carry the SQL they ran, so a
change to freshness.py, counts.py, breakdowns.py, search_index.py, duplicate_keys.py or
position_names.py leaves history alone: this test then fails until a new migration
installs the change. It fails too when a migration makes SQLite rebuild a table and
forgets to put its triggers back.
"""

import json

import pytest
from django.db import connection

from tests.reliability.support import environment, manage, own_database, python

pytestmark = pytest.mark.slow  # a database of its own, migrated from scratch

# Run in the migrated database: what is installed, then what today's modules install.
MIGRATED_AND_TODAY = """
import json
import django

django.setup()
from django.db import connection
from contacts.db import breakdowns, counts, duplicate_keys, freshness, position_names, search_index
from tests.contacts.db.test_trigger_migrations import installed

migrated = installed(connection)
with connection.schema_editor() as editor:
    counts.remove_triggers(editor)
    breakdowns.remove_triggers(editor)
    freshness.remove_triggers(editor)
    search_index.remove(editor)
    duplicate_keys.remove_triggers(editor)
    position_names.remove_triggers(editor)
    freshness.install_triggers(editor)
    counts.install_triggers(editor)
    breakdowns.install_triggers(editor)
    search_index.install(editor)
    duplicate_keys.install_triggers(editor)
    position_names.install_triggers(editor)
print(json.dumps({"migrated": migrated, "today": installed(connection)}))
"""


def installed(connection):
    """Return the triggers, their functions and the data version's sequence, as defined;
    on SQLite, the virtual tables (the search's index)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = dict(cursor.fetchall())
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
            return {"triggers": triggers, "virtual tables": dict(cursor.fetchall())}
        cursor.execute(
            "SELECT tgrelid::regclass || ' ' || tgname, pg_get_triggerdef(oid) "
            "FROM pg_trigger WHERE NOT tgisinternal"
        )
        triggers = dict(cursor.fetchall())
        cursor.execute(
            "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.proname LIKE 'contacts_%%'"
        )
        functions = dict(cursor.fetchall())
        # The sequences no table's column owns (those of the id columns are).
        cursor.execute(
            "SELECT s.relname FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace "
            "WHERE s.relkind = 'S' AND n.nspname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_depend d WHERE d.objid = s.oid AND d.deptype IN ('a', 'i'))"
        )
        sequences = sorted(row[0] for row in cursor.fetchall())
    return {"triggers": triggers, "functions": functions, "sequences": sequences}


def test_a_fresh_migrate_installs_the_triggers_of_todays_modules(tmp_path):
    with own_database(tmp_path, "triggers") as url:
        env = environment(url, tmp_path)
        manage(env, "migrate", "--noinput", "-v", "0")
        found = json.loads(python(env, ["-c", MIGRATED_AND_TODAY], timeout=60))

    assert found["migrated"] == found["today"]
    triggers = found["migrated"]["triggers"]
    if connection.vendor == "sqlite":
        # The list's version: 11 tables, 3 events each; the counts: 2 tables for the list's
        # and 2 for the responsible users', 3 events each; the search's index: 3 events on
        # the contacts; the duplicates' keys: 3 tables, 3 events each; the positions' sort
        # names: 3; the overview's breakdowns: 3 tables, 3 events each.
        assert len(triggers) == 11 * 3 + 4 * 3 + 3 + 3 * 3 + 3 + 3 * 3
        assert list(found["migrated"]["virtual tables"]) == ["contacts_search_index"]
    else:
        # The responsible users' counts: a statement trigger per event on each of 2 tables;
        # the positions' sort names: 2; the overview's breakdowns: a statement trigger per
        # event on each of 3 tables.
        assert len(triggers) == 11 + 2 * 2 + 2 * 3 + 3 * 3 + 2 + 3 * 3
        duplicates = {
            f"contacts_duplicates_{table}_{event}"
            for table in ("contacts_contact", "contacts_contactinfo", "contacts_duplicatekey")
            for event in ("insert", "update", "delete")
        }
        assert set(found["migrated"]["functions"]) == {
            "contacts_bump_data_version",
            "contacts_count_contacts_contact",
            "contacts_count_contacts_contactuserobjectpermission",
            "contacts_responsible_count_contacts_contact",
            "contacts_responsible_count_contacts_contact_responsible",
            *duplicates,
            "contacts_position_names_person",
            "contacts_position_names_position",
            "contacts_breakdown_contacts_contact",
            "contacts_breakdown_contacts_contactuserobjectpermission",
            "contacts_breakdown_contacts_taggedcontact",
        }
        assert found["migrated"]["sequences"] == ["contacts_data_version_seq"]
