"""The photo dialog in a real browser: the card and the edit form offer the pictures the
contact's details point to, fetched when the dialog opens, and save the one clicked."""

import hashlib

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from tests.e2e.test_journey import assert_page_was_healthy, log_in
from tests.picture_server import png


@pytest.fixture
def sophie(make_contact, picture_server):
    picture_server.image(
        f"/avatar/{hashlib.sha256(b'sophie@example.com').hexdigest()}", png("red", (240, 240))
    )
    picture_server.image("/gh/sophiel.png", png("blue", (240, 240)))
    picture_server.image("/elsewhere.png", png("green", (240, 240)))
    return make_contact(
        first_name="Sophie",
        last_name="Lefèvre",
        infos=[
            {"kind": "email", "category": "work", "value": "sophie@example.com"},
            {"kind": "web", "category": "github", "value": "sophiel"},
        ],
    )


def test_a_picture_found_from_the_card_becomes_the_photo(page, shot, alice, sophie):
    log_in(page)
    page.goto(f"/contacts/{sophie.pk}/")
    page.get_by_role("link", name="Change photo").click()
    dialog = page.get_by_role("dialog", name="Choose a profile photo")
    expect(dialog).to_be_visible()
    choices = dialog.locator(".photo-candidate")
    expect(choices).to_have_count(2)
    expect(choices.first).to_have_attribute("title", "Gravatar of sophie@example.com")
    expect(choices.nth(1)).to_have_attribute("title", "GitHub profile sophiel")
    shot("dialog")
    choices.first.click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="The photo was changed.")).to_be_visible()
    avatar = page.locator("#contact-avatar img")
    expect(avatar).to_have_attribute("src", f"/contacts/{sophie.pk}/photo/full/?v=2")
    # The picture is the contact's own now: served by the app, red as the Gravatar was.
    color = page.evaluate(
        """async (src) => {
            const img = new Image(); img.src = src; await img.decode();
            const c = document.createElement("canvas"); c.width = c.height = 1;
            const g = c.getContext("2d"); g.drawImage(img, 0, 0, 1, 1);
            return Array.from(g.getImageData(0, 0, 1, 1).data.slice(0, 3));
        }""",
        f"/contacts/{sophie.pk}/photo/full/",
    )
    assert color[0] > 200 and color[1] < 60 and color[2] < 60
    page.reload()
    newest = page.locator("ol.timeline > li").first
    expect(newest).to_contain_text("Alice Martin changed:")
    expect(newest).to_contain_text("Photo:")
    assert Contact.objects.get(pk=sophie.pk).photo
    assert_page_was_healthy(page)


def test_a_picture_by_its_address_from_the_edit_form_keeps_what_was_typed(
    page, alice, sophie, picture_server
):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page)
    page.goto(f"/contacts/{sophie.pk}/edit/")
    page.locator("#id_job_title").fill("Baker")
    page.get_by_role("link", name="Change photo").click()
    dialog = page.get_by_role("dialog", name="Choose a profile photo")
    expect(dialog.locator(".photo-candidate")).to_have_count(2)
    # A private address is refused, with the reason, and nothing closes.
    dialog.get_by_label("Address of a picture").fill("http://169.254.169.254/latest/meta-data")
    dialog.get_by_role("button", name="Use this picture").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "This address leads to a private network: it is not fetched."
    )
    dialog.get_by_label("Address of a picture").fill(picture_server.url + "/elsewhere.png")
    dialog.get_by_role("button", name="Use this picture").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#contact-avatar img")).to_be_visible()
    expect(page.locator("#id_job_title")).to_have_value("Baker")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Sophie Lefèvre", level=1)).to_be_visible()
    sophie.refresh_from_db()
    assert sophie.job_title == "Baker" and sophie.photo
    assert [e.verb for e in sophie.events.order_by("pk")] == ["created", "changed", "changed"]
    assert_page_was_healthy(page)
