"""The API against its own OpenAPI schema, by schemathesis over a live server: whatever
a client sends, no server error, and every answer is what the schema says."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.tokens import token_create
from contacts.models import Contact

pytestmark = pytest.mark.slow


def test_the_api_answers_as_its_schema_says(
    live_server, transactional_db, alice, bob, make_contact
):
    acme = make_contact(Contact.Kind.COMPANY, company_name="Acme", access="public_read")
    make_contact(first_name="Ada", company=acme, tags=["VIP"])
    make_contact(first_name="Hidden", by=bob)
    token = token_create(user=alice, name="schemathesis", scope="write")[1]
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/contacts", "/api/v1/contacts/{contact_id}"}

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def conforms(case):
            # A cursor is any string to the schema; only those the API gave are accepted
            # (a 400 problem), so "a valid request was rejected" would be a false alarm.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        conforms()
