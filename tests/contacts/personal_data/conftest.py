"""Fixtures of the personal data tests: the import runner and the website form's limits."""

import pytest

from tests.contacts.imports.conftest import run_import  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.WEBFORM_MIN_SECONDS = 3
    settings.WEBFORM_RATE_LIMIT = 100
    settings.WEBFORM_RATE_WINDOW = 600
    settings.WEBFORM_MAX_BODY_BYTES = 64 * 1024
    settings.CLIENT_IP_HEADER = ""
