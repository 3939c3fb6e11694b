"""The team's journey in French: an admin invites a colleague, who accepts from the e-mail
and logs in; the admin deactivates a user whose private contacts go to another in the same
step, and that user's open session ends at once."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import AuditEntry
from contacts.models import Contact, ContactEvent
from tests.e2e.conftest import new_page, save_screenshot
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy

NEW_PASSWORD = "une phrase de passe assez longue"


@pytest.fixture
def browser_locale():
    return "fr-FR"


def log_in(page, username, password=PASSWORD):
    page.goto("/")
    expect(page.get_by_role("heading", name="Connexion au CRM")).to_be_visible()
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    # Signing in opens the overview; the list is one click away.
    expect(page.get_by_role("heading", name="Vue d’ensemble", level=1)).to_be_visible()
    page.locator("#open-list").click()
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()


def open_users(page):
    page.get_by_role("link", name="Paramètres").click()
    page.get_by_role("link", name="Utilisateurs", exact=True).click()
    expect(page.get_by_role("heading", name="Utilisateurs", level=2)).to_be_visible()


def test_an_invitee_accepts_from_the_email_then_logs_in(page, shot, admin, browser, live_server):
    log_in(page, "admin")
    open_users(page)
    page.get_by_role("link", name="Inviter des utilisateurs").click()
    page.get_by_label("Adresses e-mail").fill("nina.neuf@example.com")
    page.get_by_role("radio", name="Utilisateur du CRM").check()
    page.get_by_role("main").get_by_label("Langue").select_option(label="Français")
    shot("invite")
    page.get_by_role("button", name="Envoyer les invitations").click()
    expect(page.get_by_role("alert")).to_contain_text("Invitation envoyée à nina.neuf@example.com.")
    row = page.get_by_role("row").filter(has_text="nina.neuf@example.com")
    expect(row).to_contain_text("Invité")
    shot("invited")

    [message] = mail.outbox
    assert message.to == ["nina.neuf@example.com"]
    assert "vous invite dans le CRM" in message.subject
    link = re.search(r"http://\S+/invitation/\S+/", message.body).group(0)
    path = link[link.index("/invitation/") :]

    # The invitee, in a browser of his own that speaks English: the page speaks French.
    invitee = new_page(browser, live_server, locale="en-US")
    invitee.goto(path)
    expect(invitee.get_by_role("heading", name="Rejoindre le CRM")).to_be_visible()
    save_screenshot(invitee, "test_an_invitee_accepts_from_the_email_then_logs_in", "accept")
    invitee.get_by_label("Prénom").fill("Nina")
    invitee.get_by_label("Nom", exact=True).fill("Neuf")
    expect(invitee.get_by_label("Nom d’utilisateur")).to_have_value("nina.neuf")
    invitee.get_by_label(re.compile(r"^\s*Mot de passe\s*\*?\s*$")).fill(NEW_PASSWORD)
    invitee.get_by_label("Mot de passe, à nouveau").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Créer mon compte").click()

    expect(invitee.get_by_role("alert")).to_contain_text("Bienvenue, Nina Neuf")
    invitee.locator("#id_login").fill("nina.neuf")
    invitee.locator("#id_password").fill(NEW_PASSWORD)
    invitee.locator("main form button[type=submit]").click()
    expect(invitee.get_by_role("heading", name="Vue d’ensemble", level=1)).to_be_visible()
    assert invitee.locator("html").get_attribute("lang") == "fr"

    # The link works once.
    invitee.context.clear_cookies()
    invitee.goto(path)
    expect(invitee.get_by_role("heading", name="Cette invitation a déjà servi")).to_be_visible()
    assert_page_was_healthy(invitee)
    invitee.context.close()

    page.goto("/settings/users/")
    expect(page.get_by_role("row").filter(has_text="nina.neuf@example.com")).to_contain_text(
        "Actif"
    )
    assert_page_was_healthy(page)


def test_deactivating_hands_the_private_contacts_over_and_signs_the_user_out_at_once(
    page, shot, admin, alice, bob, make_contact, browser, live_server
):
    secret = make_contact(first_name="Hélène", last_name="Secrète")
    make_contact(first_name="Paul", last_name="Privé")
    shared = make_contact(first_name="Zoé", last_name="Partagée", responsible=[alice, bob])

    # Alice is at work, her list open.
    alice_page = new_page(browser, live_server, locale="fr-FR")
    log_in(alice_page, "alice")
    expect(alice_page.get_by_role("link", name="Hélène Secrète")).to_be_visible()

    log_in(page, "admin")
    open_users(page)
    page.get_by_role("link", name="Alice Martin").click()
    expect(page.get_by_text("Responsable de 3 contacts.")).to_be_visible()
    page.get_by_role("link", name="Désactiver…").click()
    expect(page.get_by_role("heading", name="Désactiver Alice Martin ?")).to_be_visible()
    expect(page.locator("#alone")).to_contain_text("2 d’entre eux sont privés")
    page.get_by_label("Transmettre ses contacts à").select_option(label="Bob Durand")
    shot("deactivate")
    page.get_by_role("button", name="Désactiver", exact=True).click()

    alerts = page.get_by_role("alert")
    expect(
        alerts.filter(has_text="Alice Martin : compte désactivé et sessions fermées.")
    ).to_be_visible()
    expect(alerts.filter(has_text="3 contacts transmis à Bob Durand.")).to_be_visible()
    shot("deactivated")

    # Her next click finds her signed out.
    alice_page.get_by_role("link", name="Hélène Secrète").click()
    expect(alice_page.get_by_role("heading", name="Connexion au CRM")).to_be_visible()
    alice_page.locator("#id_login").fill("alice")
    alice_page.locator("#id_password").fill(PASSWORD)
    alice_page.locator("main form button[type=submit]").click()
    expect(alice_page.get_by_role("heading", name="Ce compte est désactivé")).to_be_visible()
    alice_page.context.close()

    for contact in (secret, shared):
        assert list(contact.responsible.all()) == [bob]
    event = secret.events.first()
    assert (event.verb, event.actor) == (ContactEvent.Verb.HANDED_OVER, admin)

    page.get_by_role("link", name="Journal d’audit").click()
    expect(page.get_by_role("cell", name="Utilisateur désactivé")).to_be_visible()
    expect(page.get_by_text("3 contacts à Bob Durand")).to_be_visible()
    shot("audit")
    assert AuditEntry.objects.count() == 2
    assert_page_was_healthy(page)

    bob_page = new_page(browser, live_server, locale="fr-FR")
    log_in(bob_page, "bob")
    bob_page.get_by_role("link", name="Hélène Secrète").click()
    expect(bob_page.get_by_text("l’a transmis de Alice Martin à Bob Durand")).to_be_visible()
    assert Contact.objects.filter(responsible=bob).count() == 3
    bob_page.context.close()
