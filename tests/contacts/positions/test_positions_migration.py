"""The migration that makes positions, run on a database of the schema before it, with
persons at companies, then undone."""

import json

import pytest

from tests.reliability.support import environment, manage, own_database, python

pytestmark = pytest.mark.slow  # a database of its own, migrated from scratch

# Persons and companies as the schema before positions held them: written with the models
# as they were then (today's have columns that schema lacks, and services that write
# positions too).
BEFORE = """
import django

django.setup()
from django.db import connection
from django.db.migrations.loader import MigrationLoader

state = MigrationLoader(connection).project_state(("contacts", "0033_responsible_counts"))
Contact = state.apps.get_model("contacts", "Contact")

acme = Contact.objects.create(kind="company", company_name="Acme", display_name="Acme")
Contact.objects.create(
    kind="person", first_name="Ada", display_name="Ada", company=acme, job_title="Engineer"
)
Contact.objects.create(kind="person", first_name="Alan", display_name="Alan")
"""
READ = """
import json
import django

django.setup()
from django.db import connection

with connection.cursor() as cursor:
    cursor.execute(
        "SELECT p.first_name, c.company_name, p.job_title FROM contacts_contact p "
        "JOIN contacts_contact c ON c.id = p.company_id"
    )
    companies = cursor.fetchall()
    tables = connection.introspection.table_names(cursor)
    positions = []
    if "contacts_position" in tables:
        cursor.execute(
            "SELECT p.first_name, c.company_name, x.job_title, x.is_primary, x.end_date "
            "FROM contacts_position x JOIN contacts_contact p ON p.id = x.person_id "
            "JOIN contacts_contact c ON c.id = x.company_id"
        )
        positions = cursor.fetchall()
print(json.dumps({"companies": companies, "positions": positions}, default=str))
"""


def test_each_company_link_becomes_a_primary_position_and_back(tmp_path):
    with own_database(tmp_path, "positions") as url:
        env = environment(url, tmp_path)
        manage(env, "migrate", "contacts", "0033", "--noinput", "-v", "0")
        python(env, ["-c", BEFORE], timeout=60)
        manage(env, "migrate", "contacts", "0034", "--noinput", "-v", "0")
        after = json.loads(python(env, ["-c", READ], timeout=60))
        manage(env, "migrate", "contacts", "0033", "--noinput", "-v", "0")
        undone = json.loads(python(env, ["-c", READ], timeout=60))

    assert after["positions"] == [["Ada", "Acme", "Engineer", True, None]]
    assert undone["positions"] == []
    assert undone["companies"] == after["companies"] == [["Ada", "Acme", "Engineer"]]
