"""The photo dialog: the pictures a contact's details point to, and how one is chosen."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from contacts import history, services
from contacts.custom_fields import services as custom_fields
from contacts.models import Contact, ContactEvent, Notification
from contacts.photos.sources import fetched_photo, sources_for
from tests.picture_server import png
from tests.support import form_data

HTMX = {"HTTP_HX_REQUEST": "true"}


def sha256(email):
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def email(value, primary=False):
    return {"kind": "email", "category": "work", "value": value, "is_primary": primary}


def web(value, category="website"):
    return {"kind": "web", "category": category, "value": value, "is_primary": False}


def stored_image(field):
    with field.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
    return image


@pytest.fixture
def sophie(make_contact, picture_server):
    """A person whose details point to a Gravatar, a GitHub avatar and a site's icon."""
    return make_contact(
        first_name="Sophie",
        last_name="Lefèvre",
        infos=[
            email("Sophie@Example.com", primary=True),
            email("nobody@example.com"),
            web(picture_server.url + "/about"),
            web("octocat", category="github"),
            web("https://www.linkedin.com/in/sophie", category="linkedin"),
        ],
    )


def test_the_dialog_offers_the_pictures_found_from_the_contacts_details(
    alice_client, sophie, picture_server
):
    picture_server.image(f"/avatar/{sha256('sophie@example.com')}", png("red"))
    picture_server.image("/gh/octocat.png", png("blue"))
    picture_server.page("/", '<head><link rel="icon" href="/static/logo.png"></head>')
    picture_server.image("/static/logo.png", png("green"))
    response = alice_client.get(f"/contacts/{sophie.pk}/photo/candidates/", **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gravatar of Sophie@Example.com" in page
    assert "GitHub profile octocat" in page
    assert "Icon of 127.0.0.1" in page
    assert page.count('name="url"') == 3
    assert f'value="{picture_server.url}/static/logo.png"' in page
    assert page.count('src="data:image/jpeg;base64,') == 3  # re-encoded, never linked
    # The e-mail without a Gravatar answered 404: it offers nothing. LinkedIn is not asked.
    assert "nobody@example.com" not in page
    assert f"/avatar/{sha256('nobody@example.com')}?d=404&s=200" in picture_server.requests
    assert not any("linkedin" in r for r in picture_server.requests)


def test_the_dialog_says_quietly_when_nothing_can_be_reached(settings, alice_client, make_contact):
    settings.PHOTO_FETCH_ALLOW_PRIVATE = []
    settings.PHOTO_GRAVATAR_URL = "http://offline.invalid/avatar/{hash}"
    contact = make_contact(infos=[email("jean@example.com"), web("https://site.invalid/")])
    response = alice_client.get(f"/contacts/{contact.pk}/photo/candidates/", **HTMX)
    assert response.status_code == 200
    assert "No picture was found from this contact’s emails and web sites." in (
        response.content.decode()
    )


def test_a_server_with_fetching_turned_off_asks_no_other_site(
    settings, alice_client, sophie, picture_server
):
    settings.PHOTO_FETCH_ENABLED = False
    page = alice_client.get(f"/contacts/{sophie.pk}/photo/candidates/", **HTMX).content.decode()
    assert "Looking for pictures on other sites is turned off on this server." in page
    assert picture_server.requests == []


def test_the_sources_are_the_emails_github_and_own_sites_not_social_networks(
    make_contact, picture_server
):
    contact = make_contact(
        infos=[
            email("a@example.com"),
            web("https://github.com/octocat/"),
            web("https://github.com/octocat/hello-world"),  # a repository, not a profile
            web("@someone", category="twitter"),
            web("https://fr.linkedin.com/in/x", category="other"),
            web("acme.example.org/team"),
        ]
    )
    assert [(s.url, s.site) for s in sources_for(contact)] == [
        (picture_server.url + f"/avatar/{sha256('a@example.com')}?d=404&s=200", False),
        (picture_server.url + "/gh/octocat.png", False),
        ("https://acme.example.org/", True),
    ]


def test_choosing_a_picture_saves_it_as_an_upload_is_saved_with_history(
    alice_client, alice, sophie, picture_server
):
    picture_server.image("/gh/octocat.png", png("blue", size=(400, 400)))
    version = sophie.version
    response = alice_client.post(
        f"/contacts/{sophie.pk}/photo/change/",
        {"action": "url", "url": picture_server.url + "/gh/octocat.png"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "photo-changed"
    page = response.content.decode()
    assert "The photo was changed." in page
    assert f"/contacts/{sophie.pk}/photo/full/?v={version + 1}" in page  # the new avatar
    sophie.refresh_from_db()
    assert sophie.version == version + 1
    photo = stored_image(sophie.photo)
    assert photo.size == (200, 200)  # scaled down as an upload is
    assert stored_image(sophie.photo_thumb).size == (64, 64)
    event = sophie.events.order_by("-pk").first()
    assert (event.verb, event.actor) == (ContactEvent.Verb.CHANGED, alice)
    assert [c["field"] for c in event.changes] == ["photo"]
    # Nothing else the contact holds moved.
    assert sorted(sophie.infos.values_list("value", flat=True)) == sorted(
        [
            "Sophie@Example.com",
            "nobody@example.com",
            picture_server.url + "/about",
            "octocat",
            "https://www.linkedin.com/in/sophie",
        ]
    )
    assert list(sophie.responsible.all()) == [alice]


def test_without_script_choosing_a_picture_goes_back_to_the_card(
    alice_client, sophie, picture_server
):
    picture_server.image("/pic.png", png())
    response = alice_client.post(
        f"/contacts/{sophie.pk}/photo/change/",
        {"action": "url", "url": picture_server.url + "/pic.png"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/contacts/{sophie.pk}/", 302)]
    assert "The photo was changed." in response.content.decode()


def test_a_picture_at_a_private_address_is_refused_and_nothing_is_saved(
    settings, alice_client, contact
):
    settings.PHOTO_FETCH_ALLOW_PRIVATE = []
    response = alice_client.post(
        f"/contacts/{contact.pk}/photo/change/",
        {"action": "url", "url": "http://169.254.169.254/latest/meta-data/"},
        **HTMX,
    )
    assert "This address leads to a private network: it is not fetched." in (
        response.content.decode()
    )
    contact.refresh_from_db()
    assert not contact.photo and contact.version == 1
    assert contact.events.count() == 1


def test_the_dialog_uploads_and_resets_the_photo(alice_client, contact):
    out = io.BytesIO()
    Image.new("RGB", (30, 30), "teal").save(out, "PNG")
    upload = SimpleUploadedFile("me.png", out.getvalue(), content_type="image/png")
    url = f"/contacts/{contact.pk}/photo/change/"
    alice_client.post(url, {"action": "upload", "photo": upload})
    contact.refresh_from_db()
    assert contact.photo and contact.version == 2
    alice_client.post(url, {"action": "reset"})
    contact.refresh_from_db()
    assert not contact.photo and contact.version == 3
    assert [c["field"] for e in contact.events.all() for c in e.changes] == ["photo", "photo"]


def test_the_dialog_is_for_those_who_may_change_the_contact(
    client, bob, make_contact, picture_server
):
    client.force_login(bob)
    for access, status in (("private", 404), ("public_read", 403)):
        contact = make_contact(access=access, infos=[email("x@example.com")])
        assert client.get(f"/contacts/{contact.pk}/photo/candidates/").status_code == status
        assert client.get(f"/contacts/{contact.pk}/photo/change/").status_code == status
        assert "Change photo" not in client.get(f"/contacts/{contact.pk}/").content.decode()
    assert picture_server.requests == []
    editable = make_contact(access="public_rw")
    assert "Change photo" in client.get(f"/contacts/{editable.pk}/").content.decode()


def test_the_card_and_the_form_open_the_dialog_without_fetching_anything(
    alice_client, sophie, picture_server
):
    for url in (f"/contacts/{sophie.pk}/", f"/contacts/{sophie.pk}/edit/"):
        page = alice_client.get(url).content.decode()
        assert 'data-bs-target="#photo-dialog"' in page
        assert f'hx-get="/contacts/{sophie.pk}/photo/candidates/"' in page
    assert picture_server.requests == []


def test_the_dialog_as_a_page_lists_the_pictures_for_a_browser_without_script(
    alice_client, sophie, picture_server
):
    picture_server.image("/gh/octocat.png", png())
    page = alice_client.get(f"/contacts/{sophie.pk}/photo/candidates/").content.decode()
    assert "<h1" in page and "Choose a profile photo" in page
    assert "GitHub profile octocat" in page


def test_the_contact_form_saved_after_the_dialog_keeps_the_new_photo(
    alice_client, contact, picture_server
):
    picture_server.image("/pic.png", png())
    form = alice_client.get(f"/contacts/{contact.pk}/edit/").context["form"]
    alice_client.post(
        f"/contacts/{contact.pk}/photo/change/",
        {"action": "url", "url": picture_server.url + "/pic.png"},
        **HTMX,
    )
    contact.refresh_from_db()
    photo = contact.photo.name
    data = form_data(
        first_name="Jean",
        last_name="Dupont-Martin",
        version=str(form.initial["version"]),
        base=form.initial["base"],
        responsible=[str(contact.responsible.get().pk)],
    )
    response = alice_client.post(f"/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.last_name == "Dupont-Martin"
    assert contact.photo.name == photo
    assert Contact.objects.get(pk=contact.pk).photo_thumb


def test_a_new_photo_leaves_everything_else_the_contact_holds_as_it_was(
    alice, bob, make_contact, picture_server
):
    field = custom_fields.custom_field_create(label="Segment", field_type="text")
    company = make_contact(Contact.Kind.COMPANY, company_name="Boulangeries Lefèvre")
    person = make_contact(
        first_name="Sophie",
        job_title="Director",
        description="Prefers calls.",
        access=Contact.Access.PUBLIC_READ,
        responsible=[alice, bob],
        tags=["VIP", "Customer"],
        company=company,
        infos=[email("s@example.com", primary=True), web("octocat", category="github")],
        addresses=[{"category": "work", "street": "12 rue de la Roquette", "city": "Paris"}],
        custom={field.key: "Retail"},
    )
    before = history.snapshot(person)
    picture_server.image("/pic.png", png())
    services.contact_set_photo(
        by=alice, contact=person, photo=fetched_photo(picture_server.url + "/pic.png")
    )
    after = history.snapshot(person)
    assert after.pop("photo") and not before.pop("photo")
    assert after == before
    assert Notification.objects.filter(contact=person).count() == 1  # bob's, when created
