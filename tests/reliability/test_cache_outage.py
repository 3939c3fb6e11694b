"""Redis down (CACHE_URL set, nothing answering): people keep working, nothing is lost.

The cache as deployed (settings.CACHES with CACHE_URL), pointed at a port nobody listens
on: logging in, the list, the search, a card and a website form work from the database.
"""

import json
import logging

import pytest

from contacts.models import Contact
from tests.reliability.support import environment, python
from tests.support import make_web_form, posted, submit_url
from tests.test_check_deployment import closed_port

REDIS = "redis://127.0.0.1:6379/0"  # only named: nothing connects to it


@pytest.fixture(scope="module")
def deployed_cache(tmp_path_factory):
    """Return the CACHES and SESSION_ENGINE that crm/settings.py makes of a CACHE_URL."""
    code = (
        "import json; from crm import settings as s; "
        "print(json.dumps([s.CACHES, s.SESSION_ENGINE, s.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS]))"
    )
    env = environment("sqlite://", tmp_path_factory.mktemp("cache"), CACHE_URL=REDIS)
    return json.loads(python(env, ["-c", code], timeout=60))


@pytest.fixture
def redis_down(settings, deployed_cache):
    caches, session_engine, log_ignored = deployed_cache
    port = closed_port()
    down = {**caches["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}
    settings.CACHES = {"default": down, "lists": down}
    settings.SESSION_ENGINE = session_engine
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = log_ignored


def test_a_user_logs_in_and_reads_while_redis_is_down(
    redis_down, client, alice, make_contact, caplog
):
    contact = make_contact(first_name="Jeanne", last_name="Outage")

    with caplog.at_level(logging.ERROR, logger="django_redis.cache"):
        response = client.post(
            "/accounts/login/", {"login": "alice", "password": "pw"}, follow=True
        )
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == "/overview/"  # logged in, the landing page
        listed = client.get("/contacts/")
        assert "Jeanne Outage" in listed.content.decode()  # the list

        card = client.get(f"/contacts/{contact.pk}/")
        assert card.status_code == 200
        assert "Jeanne Outage" in card.content.decode()

        found = client.get("/contacts/", {"q": "outage"})
        assert "Jeanne Outage" in found.content.decode()

    # The failures are in the log, for whoever runs the server.
    assert any("Exception ignored" in r.getMessage() for r in caplog.records)


def test_a_session_opened_during_the_outage_outlives_it(redis_down, settings, client, alice):
    client.post("/accounts/login/", {"login": "alice", "password": "pw"})

    # Redis back, and empty (a new server): the session is read from the database.
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {"default": local, "lists": {**local, "LOCATION": "lists"}}
    response = client.get("/contacts/")
    assert response.status_code == 200
    assert response.context["user"] == alice


def test_a_website_form_still_creates_its_contact(redis_down, client, db):
    web_form = make_web_form()

    response = client.post(
        submit_url(web_form),
        posted(web_form, first_name="Vi", last_name="Visitor", email="v@example.com"),
    )

    assert response.status_code in (302, 303)
    assert Contact.objects.filter(last_name="Visitor", source=Contact.Source.WEB_FORM).exists()
