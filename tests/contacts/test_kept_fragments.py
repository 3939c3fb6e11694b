"""The fragments kept per language read as their templates write them, in each language."""

import pytest
from django.template import engines
from django.urls import set_script_prefix
from django.utils import translation

from accounts.models import Profile
from contacts.templatetags import fragments


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_kept_fragment_is_its_template_in_the_language_of_the_page(language):
    engine = engines["django"]
    with translation.override(language):
        expected = engine.from_string('{% include "includes/shortcuts.html" %}').render({})
        kept = engine.from_string(
            '{% load fragments %}{% kept_include "includes/shortcuts.html" %}'
        )
        assert kept.render({"anything": "ignored"}) == expected
        assert kept.render({}) == expected  # the second time from what was kept
    assert ("Raccourcis clavier" in expected) == (language == "fr")


def test_every_page_shows_the_shortcuts_in_the_readers_language(alice_client, alice):
    fragments._KEPT.clear()
    english = alice_client.get("/contacts/").content.decode()
    Profile.objects.create(user=alice, language="fr", time_zone="Europe/Paris")
    french = alice_client.get("/contacts/").content.decode()
    assert "Keyboard shortcuts" in english and "Keyboard shortcuts" not in french
    assert "Raccourcis clavier" in french


def test_a_fixed_url_is_the_address_url_gives_under_each_url_conf_and_prefix(settings):
    engine = engines["django"]
    page = "{% load fragments %}{% fixed_url 'contacts:create' 'person' %}|{% fixed_url 'guide' %}"
    expected = engine.from_string("{% url 'contacts:create' 'person' %}|{% url 'guide' %}").render(
        {}
    )
    assert engine.from_string(page).render({}) == expected == "/contacts/new/person/|/guide/"
    set_script_prefix("/crm/")
    try:
        assert engine.from_string(page).render({}) == "/crm/contacts/new/person/|/crm/guide/"
    finally:
        set_script_prefix("/")
