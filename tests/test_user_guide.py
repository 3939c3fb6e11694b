"""The user guide: linked from the user menu, shown in the reader's language."""

import re
from urllib.parse import quote

import pytest
from django.contrib.staticfiles import finders
from django.utils import translation

from crm import guide
from tests.support import page_of

# The app's own labels, in each language, that the guide walks through.
LABELS = {
    "en": ["Create new…", "Import contacts", "Website forms", "Edit contact", "Trash"],
    "fr": [
        "Créer nouveau…",
        "Importer des contacts",
        "Formulaires du site",
        "Modifier le contact",
        "Corbeille",
    ],
}
TITLES = {"en": "User guide", "fr": "Guide de l’utilisateur"}


def speaking(client, language):
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_user_menu_links_the_guide_in_the_users_language(alice_client, language):
    client = speaking(alice_client, language)
    page = page_of(client.get("/contacts/"))
    with translation.override(language):
        label = translation.gettext("User guide")

    assert f'<a class="dropdown-item" href="/guide/">{label}</a>' in page
    guide_page = page_of(client.get("/guide/"))
    assert f'lang="{language}"' in guide_page
    assert f">{TITLES[language]}</h1>" in guide_page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_guide_walks_through_the_apps_own_labels_with_its_screenshots(alice_client, language):
    page = page_of(alice_client.get(f"/guide/{language}/"))

    for label in LABELS[language]:
        assert f"<strong>{label}</strong>" in page, label
    headings = re.findall(r'<h2 id="([^"]+)"', page)
    assert len(headings) == 8
    for anchor in headings:  # the contents at the top lead to each task
        assert f'href="#{quote(anchor)}"' in page, anchor
    pictures = re.findall(r'<img src="/static/guide/([^"]+)"', page)
    assert len(pictures) >= 3 and all(f"-{language}-" in name for name in pictures)
    assert all(finders.find(f"guide/{name}") for name in pictures)
    # Each guide leads to the other as a page of the app, not to a Markdown file.
    other = "fr" if language == "en" else "en"
    assert f'href="/guide/{other}/"' in page
    assert ".md" not in page


def test_the_guide_page_escapes_html_and_refuses_script_links(alice_client, tmp_path, monkeypatch):
    (tmp_path / "user-guide.md").write_text(
        "# Guide\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
        '<img src=x onerror="alert(3)">\n'
    )
    monkeypatch.setattr(guide, "DOCS", tmp_path)

    page = page_of(alice_client.get("/guide/en/"))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "<img src=x" not in page
