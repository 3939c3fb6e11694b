"""The seed walkthrough, in French, step by step as the original help page tells it
(reference/onlyoffice-adding-contacts.fr.txt): create a person with every field, "Enregistrer
et créer une nouvelle personne", create a company, import a CSV, a website form a visitor
sends, update a contact from its row menu, delete one from the Actions menu.

The browser speaks French (Accept-Language), and the test finds everything by its French
label or role, so it checks the French translation of each page it goes through too.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import expect
from taggit.models import Tag

from contacts.access import Perm, contacts_visible_to
from contacts.custom_fields import services as field_services
from contacts.custom_fields import values as custom_fields
from contacts.imports.models import ImportJob
from contacts.models import Contact, ContactEvent, ContactType, Notification, WebForm
from tests.e2e.conftest import TIMEOUT_MS, save_screenshot
from tests.e2e.test_journey import PASSWORD, assert_page_was_healthy
from tests.e2e.test_webform_journey import static_page

EXCEL_FR = Path(__file__).resolve().parents[1] / "data" / "excel-fr-semicolon-cp1252.csv"
PERSON = "Hélène Dubois"
NEW_COMPANY = "Lumière SA"
COMPANY = "Boulangerie Martin"
REQUIRED_NAME = re.compile(r"^\s*Nom\s*\*?\s*$")  # "Nom", not "Nom de l’entreprise"


@pytest.fixture
def browser_locale():
    return "fr-FR"


def section(page, heading):
    """The card of the contact form whose heading is `heading`."""
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


def alert(page):
    return page.get_by_role("alert")


def make_photo(tmp_path):
    path = tmp_path / "helene.png"
    image = Image.new("RGB", (400, 600), (47, 111, 159))  # larger than 200×300: scaled down
    image.paste((240, 200, 80), (100, 150, 300, 450))
    image.save(path)
    return path


def log_in(page, shot):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Connexion au CRM")).to_be_visible()
    page.get_by_label("Nom d’utilisateur").fill("admin")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    shot("01-connexion")
    page.get_by_role("button", name="Se connecter").click()
    # Signing in opens the overview; the list is one click away.
    expect(page.get_by_role("heading", name="Vue d’ensemble", level=1)).to_be_visible()
    page.locator("#open-list").click()
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()


def open_create_menu(page, item):
    page.get_by_role("button", name="Créer nouveau…").click()
    page.get_by_role("link", name=item, exact=True).click()


def create_person(page, shot, tmp_path, alice, admin):
    """Créer nouveau… › Personne, every field of the form, then "Enregistrer et créer…"."""
    open_create_menu(page, "Personne")
    expect(page.get_by_role("heading", name="Nouvelle personne", level=1)).to_be_visible()

    # The required fields, then the others; a new company typed by name.
    page.get_by_label("Prénom").fill("Hélène")
    page.get_by_label(REQUIRED_NAME).fill("Dubois")
    section(page, "Général").get_by_label("Poste").fill("Directrice des achats")
    section(page, "Général").get_by_role("combobox", name="Entreprise").fill(NEW_COMPANY)
    page.get_by_label("Type de contact").select_option(label="Client")
    page.get_by_label("Devise").select_option("EUR")

    emails = section(page, "E-mails")
    emails.get_by_label("E-mail").fill("helene.dubois@lumiere.fr")
    emails.get_by_label("Principal").check()
    emails.get_by_role("button", name="Ajouter un e-mail").click()
    expect(emails.get_by_label("E-mail")).to_have_count(2)
    emails.get_by_label("Catégorie").nth(1).select_option(label="Domicile")
    emails.get_by_label("E-mail").nth(1).fill("helene@exemple.fr")

    phones = section(page, "Téléphones")
    phones.get_by_label("Catégorie").select_option(label="Mobile")
    phones.get_by_label("Téléphone").fill("06 12 34 56 78")
    phones.get_by_role("button", name="Ajouter un téléphone").click()
    phones.get_by_label("Catégorie").nth(1).select_option(label="Travail")
    phones.get_by_label("Téléphone").nth(1).fill("04 72 00 00 00")

    web = section(page, "Sites web et réseaux sociaux")
    web.get_by_label("Catégorie").select_option(label="LinkedIn")
    web.get_by_label("Site web").fill("helene-dubois")

    addresses = section(page, "Adresses")
    addresses.get_by_label("Catégorie").select_option(label="Travail")
    addresses.get_by_label("Rue").fill("12 rue de la République")
    addresses.get_by_label("Code postal").fill("69002")
    addresses.get_by_label("Ville").fill("Lyon")
    addresses.get_by_label("Région/état").fill("Auvergne-Rhône-Alpes")
    addresses.get_by_label("Pays").fill("France")

    page.get_by_label("Description").fill("Rencontrée au salon, rappeler en janvier.")
    page.get_by_label("Secteur").fill("Agroalimentaire")

    # Tags: an existing one offered as one types, and a new one.
    tags = page.locator("[data-tag-input]")
    entry = tags.get_by_role("combobox", name="Tags")
    entry.press_sequentially("Clie")
    expect(tags.locator("datalist option[value='Cliente fidèle']")).to_have_count(1)
    entry.fill("Cliente fidèle")
    entry.press("Enter")
    entry.fill("Salon 2026")
    entry.press("Enter")
    expect(tags.get_by_role("button", name="× Cliente fidèle")).to_be_visible()
    expect(tags.get_by_role("button", name="× Salon 2026")).to_be_visible()

    page.get_by_label("Photo", exact=True).set_input_files(make_photo(tmp_path))

    # Responsible: oneself by default, plus a colleague; public, read and write.
    responsible = page.get_by_role("group", name="Responsables")
    expect(responsible.get_by_label("Admin", exact=True)).to_be_checked()
    responsible.get_by_label("Alice Martin").check()
    access = page.get_by_role("group", name="Accès")
    expect(access.get_by_label("Seulement les responsables")).to_be_checked()
    access.get_by_label("Tous les utilisateurs du CRM peuvent consulter et modifier").check()
    shot("02-personne-remplie")

    page.get_by_role("button", name="Enregistrer et créer une nouvelle personne").click()
    expect(alert(page)).to_contain_text(f"« {PERSON} » a été créé.")
    expect(page.get_by_role("heading", name="Nouvelle personne", level=1)).to_be_visible()
    expect(page.get_by_label("Prénom")).to_have_value("")
    expect(section(page, "E-mails").get_by_label("E-mail")).to_have_value("")
    shot("03-enregistree-et-nouvelle")

    person = Contact.objects.get(display_name=PERSON)
    assert (person.kind, person.job_title, person.currency) == (
        "person",
        "Directrice des achats",
        "EUR",
    )
    assert person.contact_type.title == "Client"
    assert person.description == "Rencontrée au salon, rappeler en janvier."
    assert sorted((i.kind, i.category, i.value, i.is_primary) for i in person.infos.all()) == [
        ("email", "home", "helene@exemple.fr", False),
        ("email", "work", "helene.dubois@lumiere.fr", True),
        ("phone", "mobile", "06 12 34 56 78", True),
        ("phone", "work", "04 72 00 00 00", False),
        ("web", "linkedin", "helene-dubois", True),
    ]
    address = person.addresses.get()
    assert (address.street, address.postcode, address.city, address.region, address.country) == (
        "12 rue de la République",
        "69002",
        "Lyon",
        "Auvergne-Rhône-Alpes",
        "France",
    )
    field = custom_fields.fields_for("person")[0]
    assert person.custom == {field.key: "Agroalimentaire"}
    assert sorted(t.name for t in person.tags.all()) == ["Cliente fidèle", "Salon 2026"]
    assert set(person.responsible.all()) == {admin, alice}
    assert person.access == Contact.Access.PUBLIC_RW
    # The photo is stored, scaled down to fit 200×300, with its thumbnail.
    with Image.open(Path(django_settings.MEDIA_ROOT) / person.photo.name) as stored:
        assert stored.size == (200, 300)
    assert (Path(django_settings.MEDIA_ROOT) / person.photo_thumb.name).exists()
    # The company typed by name was created with the person's access and responsible users.
    company = person.company
    assert (company.kind, company.display_name) == ("company", NEW_COMPANY)
    assert company.access == Contact.Access.PUBLIC_RW
    assert set(company.responsible.all()) == {admin, alice}
    # Alice was told, in the app and by e-mail.
    assert Notification.objects.filter(recipient=alice, contact=person).exists()
    assert any(PERSON in m.subject and m.to == [alice.email] for m in mail.outbox)
    assert list(person.events.values_list("verb", flat=True)) == [ContactEvent.Verb.CREATED]
    return person


def create_company(page, shot, bob):
    """Créer nouveau… › Entreprise: the company form, saved with "Enregistrer"."""
    page.get_by_role("navigation", name="Fil d’Ariane").get_by_role("link", name="Contacts").click()
    open_create_menu(page, "Entreprise")
    expect(page.get_by_role("heading", name="Nouvelle entreprise", level=1)).to_be_visible()
    expect(page.get_by_label("Prénom")).to_have_count(0)
    page.get_by_label("Nom de l’entreprise").fill(COMPANY)
    page.get_by_label("Type de contact").select_option(label="Fournisseur")
    page.get_by_label("Devise").select_option("EUR")
    section(page, "E-mails").get_by_label("E-mail").fill("contact@boulangerie-martin.fr")
    section(page, "Téléphones").get_by_label("Téléphone").fill("+33 4 78 00 11 22")
    web = section(page, "Sites web et réseaux sociaux")
    web.get_by_label("Site web").fill("https://boulangerie-martin.fr")
    addresses = section(page, "Adresses")
    addresses.get_by_label("Rue").fill("3 place Bellecour")
    addresses.get_by_label("Code postal").fill("69002")
    addresses.get_by_label("Ville").fill("Lyon")
    tags = page.locator("[data-tag-input]")
    tags.get_by_role("combobox", name="Tags").fill("Fournisseur local")
    tags.get_by_role("combobox", name="Tags").press("Enter")
    page.get_by_role("group", name="Responsables").get_by_label("Bob Durand").check()
    page.get_by_role("group", name="Accès").get_by_label(
        "Tous les utilisateurs du CRM peuvent consulter", exact=True
    ).check()
    shot("04-entreprise-remplie")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    # The card.
    expect(page.get_by_role("heading", name=COMPANY, level=1)).to_be_visible()
    info = page.locator("section").filter(has=page.get_by_role("heading", name="Coordonnées"))
    expect(info.get_by_role("link", name="contact@boulangerie-martin.fr")).to_have_attribute(
        "href", "mailto:contact@boulangerie-martin.fr"
    )
    expect(info.locator("address")).to_contain_text("3 place Bellecour")
    details = page.locator("section").filter(has=page.get_by_role("heading", name="Détails"))
    expect(details).to_contain_text("Fournisseur local")
    expect(details).to_contain_text("Bob Durand")
    expect(details).to_contain_text("Tous les utilisateurs du CRM peuvent consulter")
    expect(page.locator(".avatar-lg .avatar-public")).to_contain_text("Public")
    shot("05-fiche-entreprise")

    company = Contact.objects.get(display_name=COMPANY)
    assert (company.kind, company.contact_type.title, company.currency) == (
        "company",
        "Fournisseur",
        "EUR",
    )
    assert company.access == Contact.Access.PUBLIC_READ
    assert sorted(u.username for u in company.responsible.all()) == ["admin", "bob"]
    assert [t.name for t in company.tags.all()] == ["Fournisseur local"]
    assert sorted(i.value for i in company.infos.all()) == [
        "+33 4 78 00 11 22",
        "contact@boulangerie-martin.fr",
        "https://boulangerie-martin.fr",
    ]
    return company


def import_csv(page, shot, alice):
    """The menu beside "Créer nouveau…" › Importer des contacts, through to the report."""
    page.get_by_role("link", name="Contacts", exact=True).first.click()
    page.get_by_role("button", name="Créer nouveau…").click()
    page.get_by_role("link", name="Importer des contacts").click()
    page.get_by_label("Fichier").set_input_files(EXCEL_FR)
    shot("06-import-fichier")
    page.get_by_role("button", name="Envoyer et continuer").click()

    # Step 1: Windows-1252 and semicolons were recognised; French headers too.
    expect(page.get_by_label("Encodage")).to_have_value("cp1252")
    expect(page.get_by_label("Séparateur")).to_have_value(";")
    expect(page.locator("#preview table")).to_contain_text("Lefèvre")
    page.get_by_role("group", name="Responsables").get_by_label("Alice Martin").check()
    page.get_by_label("Tags").fill("Import Excel")
    shot("07-import-parametres")
    page.get_by_role("button", name="Suivant : colonnes").click()

    # Step 2: the columns were mapped from their French names.
    expect(page.get_by_role("button", name="Lancer l’import")).to_be_visible()
    expect(page.get_by_label("Prénom", exact=True)).to_have_value("first_name")
    shot("08-import-colonnes")
    page.get_by_role("button", name="Lancer l’import").click()

    expect(page.locator("#report-title")).to_have_text("Rapport", timeout=15_000)
    expect(page.locator(".report-counts")).to_contain_text("25")
    shot("09-import-rapport")
    job = ImportJob.objects.get()
    assert (job.created, job.updated, job.skipped, job.rejected) == (25, 0, 0, 0)
    emile = Contact.objects.get(first_name="Émile", last_name="Lefèvre")
    assert emile.source == Contact.Source.IMPORT
    assert emile.company.display_name == "Acme SARL"
    assert {"Import Excel", "Salon 2026", "Newsletter"} <= {t.name for t in emile.tags.all()}
    assert sorted(u.username for u in emile.responsible.all()) == ["admin", "alice"]

    page.get_by_role("link", name="Ouvrir les contacts importés").click()
    page.get_by_role("searchbox", name="Rechercher des contacts").fill("Lefèvre")
    expect(page.get_by_role("link", name="Émile Lefèvre")).to_be_visible()
    shot("10-contacts-importes")


def website_form(page, shot, browser, request, live_server, other_site, alice):
    """Paramètres › Formulaires du site: a form, its HTML on another site, a visitor sends it."""
    page.get_by_role("link", name="Paramètres").click()
    page.get_by_role("link", name="Formulaires du site").click()
    page.get_by_role("link", name="Nouveau formulaire pour des personnes").click()
    page.get_by_label(REQUIRED_NAME).fill("Demande de devis")
    page.get_by_label("Langue du formulaire").select_option("fr")
    page.get_by_label("Proposer « Téléphone »").check()
    page.get_by_label("Page affichée après l’envoi").fill(f"{other_site.url}/merci.html")
    page.get_by_label("Sites web qui affichent le formulaire").fill(other_site.url)
    page.locator("#div_id_responsible").get_by_label("Alice Martin").check()
    page.locator("#div_id_tags").get_by_label("Tags").fill("Site web")
    page.locator("#div_id_notify").get_by_label("Alice Martin").check()
    shot("11-formulaire-parametres")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(alert(page)).to_contain_text(
        "Le formulaire du site « Demande de devis » a été créé : copiez son HTML dans votre site."
    )
    html = page.locator("#webform-html").input_value()
    shot("12-formulaire-html")
    web_form = WebForm.objects.get()

    (other_site.root / "merci.html").write_text(
        static_page("fr", "Lumière", "<p id=sent>Merci, à bientôt.</p>"), encoding="utf-8"
    )
    (other_site.root / "contact.html").write_text(
        static_page("fr", "Lumière", "<p>Écrivez-nous.</p>\n" + html), encoding="utf-8"
    )
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    visitor = context.new_page()
    try:
        visitor.goto(f"{other_site.url}/contact.html")
        expect(visitor.locator("input[name=_ts]")).to_have_value(re.compile(r".+:.+:.+"))
        form = visitor.locator("form.crm-webform")
        form.get_by_label("Prénom").fill("Zoé")
        form.get_by_label(REQUIRED_NAME).fill("Lefort")
        form.get_by_label("E-mail").fill("zoe.lefort@exemple.fr")
        form.get_by_label("Téléphone").fill("07 98 76 54 32")
        save_screenshot(visitor, request.node.name, "13-visiteur")
        form.get_by_role("button", name="Envoyer").click()
        expect(visitor.locator("#sent")).to_have_text("Merci, à bientôt.")
    finally:
        context.close()

    zoe = Contact.objects.get(display_name="Zoé Lefort")
    assert zoe.source == Contact.Source.WEB_FORM
    assert list(zoe.responsible.all()) == [alice]
    assert [t.name for t in zoe.tags.all()] == ["Site web"]
    assert sorted(i.value for i in zoe.infos.all()) == ["07 98 76 54 32", "zoe.lefort@exemple.fr"]
    assert Notification.objects.filter(recipient=alice, verb="web_form_created").count() == 1
    web_form.refresh_from_db()
    assert web_form.created_count == 1


def update_from_row_menu(page, shot, person, bob):
    """Contacts list › the icon right of the name › Modifier le contact › Enregistrer…"""
    page.get_by_role("link", name="Contacts", exact=True).first.click()
    page.get_by_role("searchbox", name="Rechercher des contacts").fill("Dubois")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.get_by_role("link", name=PERSON)).to_be_visible()
    expect(row.locator(".avatar-public")).to_contain_text("Public")
    page.get_by_role("button", name=f"Actions pour {PERSON}").click()
    menu = row.get_by_role("list")
    expect(menu.get_by_role("link", name="Envoyer un e-mail")).to_be_visible()
    shot("14-menu-ligne")
    menu.get_by_role("link", name="Modifier le contact").click()

    expect(page.get_by_role("heading", name=f"Modifier {PERSON}", level=1)).to_be_visible()
    expect(section(page, "Général").get_by_label("Poste")).to_have_value("Directrice des achats")
    # The company, now picked among existing ones as one types.
    company = section(page, "Général").get_by_role("combobox", name="Entreprise")
    expect(company).to_have_value(NEW_COMPANY)
    company.fill("")
    company.press_sequentially("Boulang")
    expect(page.locator(f"#company-options option[value='{COMPANY}']")).to_have_count(1)
    company.fill(COMPANY)
    section(page, "Général").get_by_label("Poste").fill("Directrice générale")
    shot("15-modification")
    page.get_by_role("button", name="Enregistrer les modifications").click()

    expect(alert(page)).to_contain_text(f"Vos modifications de « {PERSON} » ont été enregistrées.")
    expect(page.get_by_role("heading", name=PERSON, level=1)).to_be_visible()
    expect(page.get_by_role("link", name=COMPANY).first).to_be_visible()
    expect(page.get_by_text("Personne · Directrice générale")).to_be_visible()
    # Her company is her primary position, with her job title.
    positions = page.locator("#positions")
    expect(positions.get_by_role("link", name=COMPANY)).to_be_visible()
    expect(positions).to_contain_text("Directrice générale")
    expect(positions).to_contain_text("principal")
    photo = page.locator(".avatar-lg img")
    expect(photo).to_have_attribute("src", re.compile(rf"/contacts/{person.pk}/photo/full/"))
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") == 200
    history = page.locator("#timeline")
    expect(history).to_contain_text("Admin a modifié :")
    expect(history).to_contain_text("Poste : Directrice des achats → Directrice générale")
    expect(history).to_contain_text(f"Entreprise : {NEW_COMPANY} → {COMPANY}")
    shot("16-fiche-personne")

    person.refresh_from_db()
    assert person.job_title == "Directrice générale"
    assert person.company.display_name == COMPANY
    assert Contact.objects.filter(display_name=NEW_COMPANY).count() == 1  # not a second one
    change = person.events.filter(verb=ContactEvent.Verb.CHANGED).get()
    assert {(c["field"], c["old"], c["new"]) for c in change.changes} == {
        ("job_title", "Directrice des achats", "Directrice générale"),
        ("company", NEW_COMPANY, COMPANY),
    }
    # Public read/write: Bob, not responsible, may change her too.
    assert contacts_visible_to(bob, perm=Perm.CHANGE).filter(pk=person.pk).exists()


def delete_from_actions(page, shot):
    """Contacts list: tick a contact, Actions › Supprimer…, confirm."""
    page.get_by_role("link", name="Contacts", exact=True).first.click()
    page.get_by_role("searchbox", name="Rechercher des contacts").fill(NEW_COMPANY)
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_label(f"Sélectionner {NEW_COMPANY}").check()
    expect(page.get_by_text("1 contact sélectionné")).to_be_visible()
    page.get_by_role("button", name="Actions", exact=True).click()
    page.get_by_role("button", name="Supprimer…").click()

    expect(page.get_by_role("heading", name="Supprimer 1 contact ?")).to_be_visible()
    expect(page.get_by_text(f"Vous avez sélectionné 1 contact : {NEW_COMPANY}.")).to_be_visible()
    shot("17-suppression-confirmation")
    page.get_by_role("button", name="Supprimer 1 contact").click()
    expect(alert(page)).to_contain_text("1 contact mis à la corbeille.")
    expect(page.get_by_role("link", name=NEW_COMPANY)).to_have_count(0)
    shot("18-supprime")

    assert not Contact.objects.filter(display_name=NEW_COMPANY).exists()
    trashed = Contact.all_objects.get(display_name=NEW_COMPANY)
    assert trashed.deleted_at is not None
    assert trashed.events.filter(verb=ContactEvent.Verb.DELETED).exists()


def test_the_help_page_walkthrough_in_french(
    page, shot, browser, request, settings, live_server, other_site, admin, alice, bob, tmp_path
):
    settings.WEBFORM_MIN_SECONDS = 0
    cache.clear()
    # What a new installation holds (the live server's flush removes what migrations made),
    # and a user field an admin defined, for persons.
    for title in ("Client", "Fournisseur"):
        ContactType.objects.get_or_create(title=title)
    Tag.objects.get_or_create(name="Cliente fidèle", defaults={"slug": "cliente-fidele"})
    field_services.custom_field_create(label="Secteur", field_type="text", applies_to="person")

    log_in(page, shot)
    person = create_person(page, shot, tmp_path, alice, admin)
    create_company(page, shot, bob)
    import_csv(page, shot, alice)
    website_form(page, shot, browser, request, live_server, other_site, alice)
    update_from_row_menu(page, shot, person, bob)
    delete_from_actions(page, shot)
    assert_page_was_healthy(page)
