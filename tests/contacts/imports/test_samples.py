"""Each sample file imports with the expected counts and values.

E-mail addresses with letters beyond ASCII before the @ (søren.lambert2@perso…, RFC 6531)
are kept, as the address books that exported them do.
"""

from activities.models import Event
from contacts.models import Contact, ContactType
from tests.contacts.imports.conftest import assert_accounted


def person(first, last):
    return Contact.objects.get(kind="person", first_name=first, last_name=last)


def notes_of(contact):
    """Return the texts of the contact's timeline notes, by the importing user."""
    events = Event.objects.filter(contact=contact, category__code="note", author__username="alice")
    return list(events.values_list("text", flat=True))


def values(contact, kind):
    return sorted((i.category, i.value) for i in contact.infos.filter(kind=kind))


def test_google_contacts(run_import):
    job = run_import("google-contacts.csv")
    assert_accounted(job)
    assert (job.encoding, job.delimiter) == ("utf-8", ",")
    assert (job.total_rows, job.created, job.skipped, job.rejected) == (30, 30, 0, 0)
    soren = Contact.objects.get(infos__value="søren.lambert2@perso.example.net")
    assert soren.infos.get(value="søren.lambert2@perso.example.net").normalized == (
        "søren.lambert2@perso.example.net"
    )
    emile = person("Émile", "Lefèvre")
    assert emile.description == ""
    assert notes_of(emile) == ["Multi-line note\nsecond line, with a comma"]
    assert emile.job_title == "Gérant"
    assert emile.company.display_name == "Acme SARL"
    assert emile.company.kind == "company"
    assert values(emile, "email") == [("work", "mile.lefvre3@example.fr")]
    # Google's labels: "Mobile" beside Phone 2 makes it a mobile phone.
    assert values(emile, "phone") == [("mobile", "+33 7 98 76 54 03"), ("work", "+41 22 555 01 03")]
    assert sorted(t.name for t in emile.tags.all()) == ["Newsletter", "Salon 2026"]
    [address] = emile.addresses.all()
    assert (address.category, address.street, address.postcode, address.city, address.country) == (
        "work",
        "101 rue de la République",
        "H2X 1Y4",
        "Montréal",
        "Canada",
    )
    # "Homepage" is a web site.
    helene = person("Hélène", "Kowalski")
    assert values(helene, "web") == [("website", "https://www.hélène.kowalski.example.com")]
    # One company per name, however many persons work there.
    assert Contact.objects.filter(kind="company", company_name="Acme SARL").count() == 1
    assert job.companies_created == Contact.objects.filter(kind="company").count()
    lukasz = person("Łukasz", "Lefèvre")
    assert values(lukasz, "phone") == [("work", "(415) 555-0117")]
    assert lukasz.infos.get(kind="phone").normalized == ""  # does not parse in France


def test_outlook_contacts_in_windows_1252(run_import):
    job = run_import("outlook-contacts.csv")
    assert_accounted(job)
    assert (job.encoding, job.delimiter) == ("cp1252", ",")
    assert (job.total_rows, job.created, job.rejected) == (30, 30, 0)
    emile = person("Émile", "Lefèvre")
    assert emile.company.display_name == "Acme SARL"
    assert values(emile, "phone") == [("mobile", "+33 7 98 76 54 03"), ("work", "+41 22 555 01 03")]
    # Outlook's categories, separated by semicolons, are tags.
    assert sorted(t.name for t in emile.tags.all()) == ["Newsletter", "Salon 2026"]
    [address] = emile.addresses.all()
    assert (address.street, address.city, address.postcode) == (
        "101 rue de la République",
        "Montréal",
        "H2X 1Y4",
    )
    kowalski = person("Émile", "Kowalski")
    assert notes_of(kowalski) == ["Client depuis 2019; préfère le téléphone"]
    assert kowalski.company is None


def test_linkedin_connections_after_their_notes(run_import):
    job = run_import("linkedin-connections.csv")
    assert_accounted(job)
    # The three records of notes above the header are not rows.
    assert (job.skip_records, job.header[0]) == (3, "First Name")
    assert (job.total_rows, job.created, job.rejected) == (30, 30, 0)
    renee = person("Renée", "Nguyễn")
    assert values(renee, "web") == [("linkedin", "https://www.linkedin.com/in/renée-nguyễn")]
    assert renee.job_title == "Office manager"
    assert renee.company.display_name == "Blue Ocean Ltd"
    assert person("Łukasz", "Robin").infos.filter(kind="email").count() == 0


def test_french_excel_file_in_windows_1252_with_semicolons(run_import):
    job = run_import("excel-fr-semicolon-cp1252.csv")
    assert_accounted(job)
    assert (job.encoding, job.delimiter) == ("cp1252", ";")
    assert (job.total_rows, job.created, job.rejected) == (25, 25, 0)
    ana = person("Ana", "Ñúñez")
    assert ana.company.display_name == "Ébénisterie Martin"
    assert ana.job_title == "Consultant"
    assert sorted(t.name for t in person("Søren", "Lambert").tags.all()) == ["Customer", "Lead"]
    zoe = person("Zoé", "Moreau")
    assert values(zoe, "phone") == [("mobile", "+33 7 98 76 54 14"), ("work", "+41 22 555 01 14")]
    # "Remarques" is the French file's notes.
    assert notes_of(zoe) == ['Said "call me back"']
    [address] = zoe.addresses.all()
    assert (address.city, address.country) == ("Bruxelles", "Belgique")


def test_companies_in_utf16_with_tabs(run_import):
    ContactType.objects.filter(title="Partner").delete()
    job = run_import("companies-utf16-tab.txt")
    assert_accounted(job)
    assert (job.encoding, job.delimiter) == ("utf-16-le", "\t")
    assert (job.total_rows, job.created) == (10, 10)
    kobo = Contact.objects.get(company_name="Kōbō KK")
    assert kobo.kind == "company"
    assert kobo.contact_type.title == "Supplier"
    assert kobo.currency == "EUR"
    assert values(kobo, "email") == [("work", "contact@kōbō.example.com")]
    assert kobo.infos.get(kind="phone").normalized == "+33472000006"
    # An unknown contact type is created.
    assert ContactType.objects.filter(title="Partner").count() == 1
    assert Contact.objects.get(company_name="Nordlicht GmbH").contact_type.title == "Partner"


def test_persons_find_the_companies_imported_before(run_import):
    run_import("companies-utf16-tab.txt")
    job = run_import("excel-fr-semicolon-cp1252.csv")
    # Only "K?b? KK" is new: Windows-1252 could not hold "Kōbō KK".
    assert job.companies_created == 1
    assert person("Ana", "Ñúñez").company.currency == "EUR"
    assert person("Ana", "Da Silva").company.company_name == "K?b? KK"
    assert Contact.objects.filter(kind="company").count() == 11
