"""The website form journey: an admin creates a form in Settings and copies its HTML; a
static page on another origin shows it; a visitor sends it; the contact is there for its
responsible user. In English, then in French."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from contacts.models import Contact, Notification, WebForm
from tests.e2e.conftest import TIMEOUT_MS, save_screenshot
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy, log_in

TEXTS = {
    "en": {
        "title": "Contact Acme",
        "sent": "Thanks, we got your message.",
        "settings": "Settings",
        "section": "Website forms",
        "new": "New form for persons",
        "saved": "created: copy its HTML into your site",
        "phone": "Phone",
        "email": "Email",
        "send": "Send",
    },
    "fr": {
        "title": "Contacter Acme",
        "sent": "Merci, nous avons reçu votre message.",
        "settings": "Paramètres",
        "section": "Formulaires du site",
        "new": "Nouveau formulaire pour des personnes",
        "saved": "a été créé : copiez son HTML dans votre site",
        "phone": "Téléphone",
        "email": "E-mail",
        "send": "Envoyer",
    },
}


def static_page(language, title, body):
    return (
        f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        "<style>body{font-family:Georgia,serif;margin:2rem auto;max-width:44rem;color:#222}"
        "header{border-bottom:3px solid #c0392b;margin-bottom:1.5rem}</style></head>\n"
        f"<body><header><h1>{title}</h1></header>\n{body}\n</body></html>\n"
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_visitor_on_another_site_becomes_a_contact_of_the_responsible_user(
    page, browser, request, settings, live_server, admin, alice, other_site, language
):
    settings.WEBFORM_MIN_SECONDS = 1
    cache.clear()
    text = TEXTS[language]
    live_url = live_server.url
    (other_site.root / "thanks.html").write_text(
        static_page(language, text["title"], f"<p id=sent>{text['sent']}</p>"), encoding="utf-8"
    )

    # The admin creates the form in Settings.
    log_in(page, "admin")
    if language == "fr":
        page.get_by_role("group", name="Language").get_by_role(
            "button", name=re.compile(r"^FR\b")
        ).click()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("link", name=text["settings"]).click()
    page.get_by_role("link", name=text["section"]).click()
    page.get_by_role("link", name=text["new"]).click()
    page.locator("#id_name").fill("Contact Acme")
    page.locator("#id_language").select_option(language)
    page.locator("[name=offer_phone]").check()
    page.locator("[name=offer_company_name]").check()
    page.locator("#id_success_url").fill(f"{other_site.url}/thanks.html")
    page.locator("#id_allowed_hosts").fill(other_site.url)
    page.locator("#id_tags").fill("Website")
    page.locator("#div_id_responsible").get_by_label("Alice Martin").check()
    page.locator("#div_id_notify").get_by_label("Alice Martin").check()
    shot(page, request, f"settings-form-{language}")
    page.locator("form button[type=submit]", has_text=re.compile("Save|Enregistrer")).click()

    expect(page.get_by_role("alert")).to_contain_text(text["saved"])
    html = page.locator("#webform-html").input_value()
    preview = page.frame_locator("#webform-preview")
    expect(preview.get_by_label(text["email"] + " *")).to_be_visible()
    expect(preview.get_by_role("button", name=text["send"])).to_be_visible()
    shot(page, request, f"generated-html-{language}")
    web_form = WebForm.objects.get()
    assert f'action="{live_url}/f/{web_form.public_id}/"' in html

    # The HTML, pasted as is into a page of another site.
    (other_site.root / "contact.html").write_text(
        static_page(language, text["title"], "<p>Lorem ipsum.</p>\n" + html), encoding="utf-8"
    )
    visitor_context = browser.new_context(
        viewport={"width": 1000, "height": 900}, locale="fr-FR" if language == "fr" else "en-US"
    )
    visitor_context.set_default_timeout(TIMEOUT_MS)
    visitor = visitor_context.new_page()
    errors = []
    visitor.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        visitor.goto(f"{other_site.url}/contact.html")
        # The optional script fetched a signed timestamp from the CRM, across origins.
        expect(visitor.locator("input[name=_ts]")).to_have_value(re.compile(r".+:.+:.+"))
        form = visitor.locator("form.crm-webform")
        form.locator("[name=first_name]").fill("Zoë")
        form.locator("[name=last_name]").fill("Lefèvre")
        form.locator("[name=company_name]").fill("Globex")
        form.locator("[name=email]").fill("zoe@example.com")
        form.get_by_label(text["phone"]).fill("06 12 34 56 78")
        form.locator("[name=description]").fill("Bonjour,\nun devis s'il vous plaît.")
        expect(visitor.locator("input[name=homepage]")).not_to_be_in_viewport()
        save_screenshot(visitor, request.node.name, f"external-page-{language}")
        visitor.wait_for_timeout(1100)  # a person takes longer than WEBFORM_MIN_SECONDS
        form.get_by_role("button", name=text["send"]).click()

        expect(visitor).to_have_url(f"{other_site.url}/thanks.html")
        expect(visitor.locator("#sent")).to_have_text(text["sent"])
        save_screenshot(visitor, request.node.name, f"external-thanks-{language}")
        assert errors == []
    finally:
        visitor_context.close()

    contact = Contact.objects.get(kind="person")
    assert contact.display_name == "Zoë Lefèvre"
    assert contact.source == Contact.Source.WEB_FORM
    assert list(contact.responsible.all()) == [alice]
    assert contact.company.display_name == "Globex"
    assert Notification.objects.filter(recipient=alice, verb="web_form_created").count() == 1

    # Alice, responsible, finds the contact in her list, marked as coming from the web form.
    alice_context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900})
    alice_context.set_default_timeout(TIMEOUT_MS)
    alice_page = alice_context.new_page()
    alice_page.js_errors, alice_page.static_errors = [], []
    try:
        alice_page.goto("/")
        alice_page.get_by_label("Username").fill("alice")
        alice_page.get_by_label("Password").fill(PASSWORD)
        alice_page.get_by_role("button", name="Log in").click()
        alice_page.locator("#open-list").click()  # from the overview
        row = alice_page.locator("tr", has=alice_page.get_by_role("link", name="Zoë Lefèvre"))
        expect(row).to_contain_text("Web form")
        expect(row).to_contain_text("Website")
        expect(alice_page.locator("#unread-count")).to_contain_text("1")
        save_screenshot(alice_page, request.node.name, f"contact-in-list-{language}")
        alice_page.locator("a[title=Notifications]").click()
        expect(alice_page.get_by_text("from the website form “Contact Acme”")).to_be_visible()
    finally:
        alice_context.close()

    # The form's page counts the contact.
    page.reload()
    expect(page.locator("#created-count")).to_have_text("1")
    shot(page, request, f"form-page-after-{language}")
    assert_page_was_healthy(page)


def shot(page, request, step):
    save_screenshot(page, request.node.name, step)


NO_SCRIPT = {
    "en": {"check": "Please check the form", "confirm": "Send the form?", "send": "Send"},
    "fr": {
        "check": "Veuillez vérifier le formulaire",
        "confirm": "Envoyer le formulaire ?",
        "send": "Envoyer",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_without_script_errors_and_the_confirmation_are_pages_of_the_crm(
    browser, request, settings, live_server, alice, other_site, language
):
    from contacts.webforms.html import endpoint_path, form_html
    from tests.support import make_web_form

    settings.WEBFORM_MIN_SECONDS = 1
    cache.clear()
    text, words = TEXTS[language], NO_SCRIPT[language]
    web_form = make_web_form(
        language=language,
        responsible=[alice],
        success_url=f"{other_site.url}/thanks.html",
        allowed_hosts=[other_site.url.removeprefix("http://")],
    )
    html = form_html(web_form, live_server.url + endpoint_path(web_form))
    (other_site.root / "contact.html").write_text(
        static_page(language, text["title"], html), encoding="utf-8"
    )
    (other_site.root / "thanks.html").write_text(
        static_page(language, text["title"], f"<p id=sent>{text['sent']}</p>"), encoding="utf-8"
    )
    context = browser.new_context(
        java_script_enabled=False,
        viewport={"width": 1000, "height": 800},
        locale="fr-FR" if language == "fr" else "en-US",
    )
    context.set_default_timeout(TIMEOUT_MS)
    visitor = context.new_page()
    try:
        visitor.goto(f"{other_site.url}/contact.html")
        form = visitor.locator("form.crm-webform")
        form.locator("[name=first_name]").fill("Zoë")
        form.locator("[name=last_name]").fill("Lefèvre")
        form.locator("[name=email]").fill("zoe@example")  # the browser accepts it, the CRM not
        form.get_by_role("button", name=text["send"]).click()

        # The CRM's page gives the form back, filled in, with the error beside the field.
        expect(visitor.get_by_role("heading", name=words["check"])).to_be_visible()
        expect(visitor.locator("html")).to_have_attribute("lang", language)
        again = visitor.locator("form.crm-webform")
        expect(again.locator("[name=first_name]")).to_have_value("Zoë")
        expect(again.locator("[name=last_name]")).to_have_value("Lefèvre")
        expect(again.locator("[name=email]")).to_have_value("zoe@example")
        expect(again.locator("[name=email]")).to_have_attribute("aria-invalid", "true")
        save_screenshot(visitor, request.node.name, f"error-page-{language}")

        settings.WEBFORM_MIN_SECONDS = 3600  # sent again at once: too fast for a person
        again.locator("[name=email]").fill("zoe@example.com")
        again.get_by_role("button", name=text["send"]).click()
        expect(visitor.get_by_role("heading", name=words["confirm"])).to_be_visible()
        expect(again.locator("[name=email]")).to_have_value("zoe@example.com")
        expect(again.locator("[name=first_name]")).to_have_value("Zoë")
        save_screenshot(visitor, request.node.name, f"confirm-page-{language}")
        assert not Contact.objects.exists()
        settings.WEBFORM_MIN_SECONDS = 0
        again.get_by_role("button", name=words["send"]).click()

        expect(visitor).to_have_url(f"{other_site.url}/thanks.html")
    finally:
        context.close()
    contact = Contact.objects.get()
    assert (contact.display_name, contact.source) == ("Zoë Lefèvre", "web_form")
    assert list(contact.responsible.all()) == [alice]


def test_the_label_placeholders_follow_the_language_chosen_for_the_form(page, admin):
    log_in(page, "admin")
    page.goto("/settings/webforms/new/person/")
    label = page.locator("[name=label_first_name]")
    expect(label).to_have_attribute("placeholder", "First name")

    page.locator("#id_language").select_option("fr")

    expect(label).to_have_attribute("placeholder", "Prénom")
    expect(page.locator("[name=label_phone]")).to_have_attribute("placeholder", "Téléphone")
    page.locator("#id_language").select_option("en")
    expect(label).to_have_attribute("placeholder", "First name")
    assert_page_was_healthy(page)
