"""Contact photos, uploaded through the contact form and served by access."""

import importlib
import io
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches
from PIL import Image

import crm.urls
from contacts.models import Contact
from tests.support import form_data

NOT_AN_IMAGE = "This file is not a JPEG, PNG, GIF or WebP image, or it is damaged."
TOO_MANY_PIXELS = "This image has too many pixels to be a photo."


def image_bytes(fmt, size=(300, 200), **options):
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, fmt, **options)
    return out.getvalue()


def png_declaring(width, height):
    """Return a tiny PNG whose header claims width × height pixels."""

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4096, 9))
        + chunk(b"IEND", b"")
    )


def stored(field):
    field.open("rb")
    try:
        image = Image.open(io.BytesIO(field.read()))
        image.load()
        return image
    finally:
        field.close()


def media_files(settings):
    return (
        [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
        if settings.MEDIA_ROOT.exists()
        else []
    )


@pytest.fixture
def upload(client, alice):
    """POST the person form as alice with a photo, and return the response."""
    client.force_login(alice)

    def post(content, name="holiday-selfie.jpg", **fields):
        data = form_data(
            first_name="Marie",
            last_name="Curie",
            responsible=[alice.pk],
            email=[{"category": "work", "value": "marie@example.com"}],
            **fields,
        )
        data["photo"] = SimpleUploadedFile(name, content)
        return client.post("/contacts/new/person/", data)

    return post


@pytest.mark.parametrize(
    "fmt, name", [("JPEG", "a.jpg"), ("PNG", "a.png"), ("GIF", "a.gif"), ("WEBP", "a.webp")]
)
def test_jpeg_png_gif_and_webp_photos_are_accepted(upload, fmt, name):
    response = upload(image_bytes(fmt), name=name)

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert stored(contact.photo).size == (200, 133)
    assert stored(contact.photo_thumb).size == (64, 64)


def test_large_photo_is_scaled_down_to_fit_200_by_300_keeping_its_aspect(upload):
    upload(image_bytes("JPEG", (2000, 3000)))

    assert stored(Contact.objects.get().photo).size == (200, 300)


def test_wide_photo_is_scaled_down_keeping_its_aspect(upload):
    upload(image_bytes("PNG", (3000, 1000)))

    assert stored(Contact.objects.get().photo).size == (200, 67)


def test_small_photo_is_not_upscaled(upload):
    upload(image_bytes("PNG", (100, 100)))

    assert stored(Contact.objects.get().photo).size == (100, 100)


def test_exif_rotation_is_applied_and_metadata_stripped(upload):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display.
    exif[0x010F] = "SecretCam"  # Make
    upload(image_bytes("JPEG", (300, 100), exif=exif.tobytes()))

    contact = Contact.objects.get()
    photo = stored(contact.photo)
    assert photo.width < photo.height
    assert photo.size == (100, 300)
    assert dict(photo.getexif()) == {}
    contact.photo.open("rb")
    assert b"SecretCam" not in contact.photo.read()
    contact.photo.close()


def test_stored_file_names_are_random(upload):
    upload(image_bytes("JPEG"), name="holiday-selfie.jpg")
    # The same person again: saved anyway, past the duplicate warning.
    upload(image_bytes("JPEG"), name="holiday-selfie.jpg", save_anyway="1")

    names = [n for c in Contact.objects.all() for n in (c.photo.name, c.photo_thumb.name)]
    assert all(re.fullmatch(r"photos/[0-9a-f]{32}\.(jpg|png)", n) for n in names), names
    assert len(set(names)) == 4


def huge_file():
    return b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024)


def truncated_jpeg():
    out = io.BytesIO()
    Image.effect_noise((300, 300), 80).convert("RGB").save(out, "JPEG")
    return out.getvalue()[: len(out.getvalue()) // 2]


@pytest.mark.parametrize(
    "make, name, message",
    [
        (lambda: b"Dear Marie,\nthis is not a photo.\n", "letter.jpg", NOT_AN_IMAGE),
        (truncated_jpeg, "cut.jpg", NOT_AN_IMAGE),
        (lambda: image_bytes("BMP"), "old.bmp", NOT_AN_IMAGE),
        (huge_file, "huge.jpg", "The photo is 11.0\xa0MB; the largest allowed is 10.0\xa0MB."),
        (lambda: png_declaring(20000, 20000), "bomb.png", TOO_MANY_PIXELS),
        (lambda: png_declaring(7000, 7000), "big.png", TOO_MANY_PIXELS),
    ],
    ids=["text", "truncated", "bmp", "11MB", "bomb", "49Mpx"],
)
def test_bad_photo_is_refused_with_a_message_and_keeps_what_was_typed(
    upload, settings, make, name, message
):
    response = upload(make(), name=name, job_title="Physicist")

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'<span id="error_1_id_photo"><strong>' + re.escape(message) + "</strong></span>", page
    )
    assert 'name="first_name" value="Marie"' in page
    assert 'name="job_title" value="Physicist"' in page
    assert 'name="email-0-value" value="marie@example.com"' in page
    assert not Contact.objects.exists()
    assert media_files(settings) == []


@pytest.fixture
def with_photo(upload):
    upload(image_bytes("JPEG", (400, 600)))
    return Contact.objects.get()


@pytest.mark.parametrize("size, dimensions", [("full", (200, 300)), ("thumb", (64, 64))])
def test_photo_is_served_to_a_user_who_may_see_the_contact(client, with_photo, size, dimensions):
    response = client.get(f"/contacts/{with_photo.pk}/photo/{size}/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=86400"
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == dimensions


@pytest.mark.parametrize("size", ["full", "thumb"])
def test_photo_of_a_private_contact_is_not_found_for_a_stranger(client, bob, with_photo, size):
    client.force_login(bob)

    assert client.get(f"/contacts/{with_photo.pk}/photo/{size}/").status_code == 404


@pytest.fixture
def urls_with_debug_on(settings):
    """Build the project's URLs as a development server does, with DEBUG on."""
    settings.DEBUG = True
    importlib.reload(crm.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(crm.urls)
    clear_url_caches()


def test_photo_of_a_private_contact_is_not_served_under_media_url_even_with_debug_on(
    client, bob, with_photo, urls_with_debug_on
):
    client.force_login(bob)

    for field in (with_photo.photo, with_photo.photo_thumb):
        assert client.get("/" + field.url.lstrip("/")).status_code == 404


def test_photo_of_a_public_contact_is_served_to_every_crm_user(client, upload, bob):
    upload(image_bytes("JPEG"), access="public_read")
    contact = Contact.objects.get()
    client.force_login(bob)

    assert client.get(f"/contacts/{contact.pk}/photo/full/").status_code == 200


def test_contact_without_photo_has_no_photo_to_serve(client, alice, contact):
    client.force_login(alice)

    assert client.get(f"/contacts/{contact.pk}/photo/full/").status_code == 404


def test_card_shows_the_photo_instead_of_the_initials(client, with_photo):
    page = client.get(f"/contacts/{with_photo.pk}/").content.decode()

    assert f'<img src="/contacts/{with_photo.pk}/photo/full/?v=1"' in page


def test_reset_to_default_removes_the_photo_and_its_files(
    client, alice, with_photo, settings, django_capture_on_commit_callbacks
):
    assert len(media_files(settings)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/contacts/{with_photo.pk}/edit/",
            form_data(first_name="Marie", remove_photo="on", responsible=[alice.pk]),
        )

    with_photo.refresh_from_db()
    assert not with_photo.photo
    assert not with_photo.photo_thumb
    assert media_files(settings) == []


# Upload safety

PAYLOAD = b"<script>window.__xss=1</script>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>window.__xss=1</script><rect width='10' height='10'/></svg>"
)
HTML = b"<!doctype html><html><body><img src=x onerror=alert(1)>" + PAYLOAD + b"</body></html>"


@pytest.mark.parametrize(
    "content, name, message",
    [
        (SVG, "drawing.svg", NOT_AN_IMAGE),
        (SVG, "drawing.png", NOT_AN_IMAGE),
        (HTML, "page.html", NOT_AN_IMAGE),
        (HTML, "page.jpg", NOT_AN_IMAGE),
        (b"GIF89a" + HTML, "header-only.gif", NOT_AN_IMAGE),
        (b"", "empty.jpg", "The submitted file is empty."),
        (png_declaring(100_000, 100_000), "bomb.png", TOO_MANY_PIXELS),
    ],
    ids=["svg", "svg-as-png", "html", "html-as-jpg", "gif-header-then-html", "empty", "10Gpx"],
)
def test_files_that_are_not_images_are_refused_and_nothing_is_stored(
    upload, settings, content, name, message
):
    response = upload(content, name=name)

    assert response.status_code == 200
    assert f"<strong>{message}</strong>" in response.content.decode()
    assert not Contact.objects.exists()
    assert media_files(settings) == []


def test_a_refused_file_leaves_the_contact_being_edited_unchanged(client, alice, contact, settings):
    client.force_login(alice)
    data = form_data(first_name="Changed", last_name="Dupont", responsible=[alice.pk])
    data["photo"] = SimpleUploadedFile("drawing.png", SVG)

    response = client.post(f"/contacts/{contact.pk}/edit/", data)

    assert response.status_code == 200
    assert f"<strong>{NOT_AN_IMAGE}</strong>" in response.content.decode()
    contact.refresh_from_db()
    assert contact.first_name == "Jean"
    assert not contact.photo
    assert media_files(settings) == []


def jpeg_with_comment():
    return image_bytes("JPEG", comment=PAYLOAD)


def gif_with_comment():
    return image_bytes("GIF", comment=PAYLOAD)


def png_with_text():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", PAYLOAD.decode())
    return image_bytes("PNG", pnginfo=info)


def webp_with_bad_exif_and_profile():
    return image_bytes("WEBP", exif=b"Exif\0\0" + PAYLOAD, icc_profile=b"\0" * 128 + PAYLOAD)


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: image_bytes("GIF") + HTML, "polyglot.gif"),
        (lambda: image_bytes("JPEG") + HTML, "polyglot.jpg"),
        (jpeg_with_comment, "comment.jpg"),
        (gif_with_comment, "comment.gif"),
        (png_with_text, "text.png"),
        (webp_with_bad_exif_and_profile, "exif.webp"),
    ],
    ids=["gif-then-html", "jpeg-then-html", "jpeg-comment", "gif-comment", "png-text", "webp"],
)
def test_only_the_pixels_of_an_image_carrying_a_payload_are_stored(upload, settings, make, name):
    content = make()
    assert PAYLOAD in content

    response = upload(content, name=f"evil{name}")

    assert response.status_code == 302
    contact = Contact.objects.get()
    files = media_files(settings)
    assert sorted(f.name for f in files) == sorted(
        n.removeprefix("photos/") for n in (contact.photo.name, contact.photo_thumb.name)
    )
    for path in files:
        assert "evil" not in path.name
        assert b"__xss" not in path.read_bytes()
        assert b"<script" not in path.read_bytes()
        Image.open(path).verify()


# A save that fails after its photo was written


@pytest.fixture
def history_fails(monkeypatch):
    """Make the last step of a save, its history entry, fail: the transaction rolls back."""
    from contacts import history

    def record(*args, **kwargs):
        raise RuntimeError("history unavailable")

    monkeypatch.setattr(history, "record", record)


def photo_data(alice, **fields):
    from contacts.photos.files import process_photo
    from contacts.services import ContactData

    upload = SimpleUploadedFile("new.jpg", image_bytes("JPEG", (300, 300)))
    return ContactData(
        kind="person",
        fields={"last_name": "Curie", **fields},
        responsible=[alice],
        photo=process_photo(upload),
    )


def test_a_create_failing_after_its_photo_was_written_leaves_no_file(
    alice, settings, history_fails
):
    from contacts.services import contact_create

    with pytest.raises(RuntimeError):
        contact_create(by=alice, data=photo_data(alice))

    assert Contact.all_objects.count() == 0
    assert media_files(settings) == []


def test_an_edit_failing_after_its_new_photo_was_written_keeps_the_old_one_only(
    alice, with_photo, settings, history_fails
):
    from contacts.services import contact_update

    old = sorted(media_files(settings))

    with pytest.raises(RuntimeError):
        contact_update(by=alice, contact=with_photo, data=photo_data(alice, first_name="Marie"))

    assert sorted(media_files(settings)) == old
    with_photo.refresh_from_db()
    assert stored(with_photo.photo).size == (200, 300)
