"""A contact's photo travels in its card, at the size the CRM keeps it, not the thumbnail."""

import base64
import io

import vobject
from django.core.files.base import ContentFile
from PIL import Image

from contacts.photos.files import process_photo
from tests.carddav.test_protocol import alice_dav, dav

__all__ = ["alice_dav"]  # fixtures


def with_photo(contact, mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, (800, 1000), "red" if mode == "RGB" else (255, 0, 0, 128)).save(
        out, "PNG" if mode == "RGBA" else "JPEG"
    )
    photo, thumb = process_photo(ContentFile(out.getvalue(), name="upload"))
    contact.photo.save(photo.name, photo, save=False)
    contact.photo_thumb.save(thumb.name, thumb, save=False)
    contact.save(update_fields=["photo", "photo_thumb"])
    return contact.photo.read()


def test_a_card_holds_the_photo_inline_in_both_versions(client, contact, alice_dav):
    stored = with_photo(contact)
    url = f"/dav/addressbooks/alice/all/{contact.pk}.vcf"

    _response, old = dav(client, "GET", url, alice_dav)
    _response, modern = dav(client, "GET", url, alice_dav, HTTP_ACCEPT="text/vcard; version=4.0")

    card = vobject.readOne(old)
    assert card.photo.params["TYPE"] == ["JPEG"]
    assert card.photo.value == stored  # vobject decodes ENCODING=b
    assert Image.open(io.BytesIO(card.photo.value)).size == (200, 250)  # not the 64 px thumb
    assert all(len(line) <= 75 for line in old.split("\r\n"))
    line = "".join(part.removeprefix(" ") for part in modern.split("\r\n") if part)
    assert f"PHOTO:data:image/jpeg;base64,{base64.b64encode(stored).decode()}" in line


def test_a_photo_with_transparency_is_sent_as_png(client, contact, alice_dav):
    with_photo(contact, "RGBA")

    _response, card = dav(client, "GET", f"/dav/addressbooks/alice/all/{contact.pk}.vcf", alice_dav)

    assert vobject.readOne(card).photo.params["TYPE"] == ["PNG"]


def test_a_photo_gone_from_storage_leaves_the_card_without_it(client, contact, alice_dav):
    with_photo(contact)
    contact.photo.storage.delete(contact.photo.name)

    response, card = dav(client, "GET", f"/dav/addressbooks/alice/all/{contact.pk}.vcf", alice_dav)

    assert response.status_code == 200 and "PHOTO" not in card and "FN:Jean Dupont" in card
