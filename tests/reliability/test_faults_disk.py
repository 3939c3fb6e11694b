"""A full disk when a user's upload is written: a clear message, and nothing half-saved.

The disk is a real one when the machine lets the tests mount it (a tmpfs of a few pages,
filled up; CI runs as root): the kernel answers ENOSPC in the middle of a write. Where
mounting is refused, the storage's write is patched to write half and raise ENOSPC.
"""

import errno
import io
import shutil
import subprocess

import pytest
from django.core.files import uploadhandler
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from contacts.imports.models import ImportJob
from contacts.models import Contact
from contacts.storage import WholeFileSystemStorage
from tests.support import form_data, page_of

DISK_FULL = (
    "The photo could not be saved because the server&#x27;s disk is full: nothing was saved."
)
DISK_FULL_FR = "La photo n’a pas pu être enregistrée car le disque du serveur est plein"
IMPORT_DISK_FULL = "The file could not be saved because the server&#x27;s disk is full"
UPLOAD_DISK_FULL = "could not be received because the server’s disk is full: nothing was saved."
UPLOAD_DISK_FULL_FR = (
    "n’a pas pu être reçu car le disque du serveur est plein : rien n’a été enregistré."
)
FILLER = ".filler"


def noisy_jpeg(size=(400, 400)):
    """Return a photo whose JPEG, even scaled down to 200 × 200, fills several pages."""
    out = io.BytesIO()
    Image.effect_noise(size, 120).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


def files_in(root):
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != FILLER
    )


def _fill(root, leave=4096):
    """Fill the file system at root, leaving `leave` bytes (one page) free."""
    with open(root / FILLER, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        out.truncate(max(out.tell() - leave, 0))


class Disk:
    """MEDIA_ROOT on a small disk, which fill() makes full."""

    def __init__(self, root, real, monkeypatch):
        self.root = root
        self.real = real
        self.monkeypatch = monkeypatch

    def fill(self):
        if self.real:
            _fill(self.root)
            return

        def write_half_then_fail(storage, out, content):
            data = b"".join(c if isinstance(c, bytes) else c.encode() for c in content.chunks())
            out.write(data[: len(data) // 2])
            out.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        self.monkeypatch.setattr(WholeFileSystemStorage, "_write", write_half_then_fail)


@pytest.fixture
def disk(settings, tmp_path, monkeypatch):
    """Point MEDIA_ROOT at a small disk: a real tmpfs when mounting works, else a patch."""
    root = tmp_path / "disk"
    root.mkdir()
    mounted = (
        shutil.which("mount") is not None
        and subprocess.run(
            [shutil.which("mount"), "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(root)],
            capture_output=True,
            timeout=10,
        ).returncode
        == 0
    )
    try:
        for name in ("photos", "imports"):
            (root / name).mkdir()
        settings.MEDIA_ROOT = root
        yield Disk(root, mounted, monkeypatch)
    finally:
        if mounted:
            umount = [shutil.which("umount"), "-l", str(root)]
            subprocess.run(umount, capture_output=True, timeout=10)


@pytest.fixture
def full_disk(disk):
    disk.fill()
    return disk


@pytest.fixture
def post_person(client, alice):
    client.force_login(alice)

    def post(url="/contacts/new/person/", **fields):
        fields.setdefault("first_name", "Marie")
        fields.setdefault("last_name", "Curie")
        data = form_data(
            responsible=[alice.pk],
            email=[{"category": "work", "value": "marie@example.com"}],
            phone=[{"category": "mobile", "value": "+33 6 12 34 56 78"}],
            **fields,
        )
        data["photo"] = SimpleUploadedFile("me.jpg", noisy_jpeg())
        return client.post(url, data)

    return post


def test_the_disk_really_is_full_when_it_can_be_mounted(full_disk):
    if not full_disk.real:
        pytest.skip("mounting a tmpfs is not allowed here: the write is patched instead")
    with pytest.raises(OSError) as raised, open(full_disk.root / "probe", "wb") as out:
        out.write(b"x" * 16384)
        out.flush()
    assert raised.value.errno == errno.ENOSPC


def test_creating_a_person_with_a_photo_on_a_full_disk_saves_nothing_and_says_why(
    full_disk, post_person
):
    response = post_person()

    html = page_of(response)
    assert DISK_FULL in html
    # What was typed comes back.
    assert 'value="Marie"' in html and "marie@example.com" in html
    assert Contact.all_objects.count() == 0
    assert files_in(full_disk.root) == []


def test_the_message_is_in_the_users_language(full_disk, post_person, client):
    client.cookies["django_language"] = "fr"

    html = page_of(post_person())

    assert DISK_FULL_FR in html
    assert Contact.all_objects.count() == 0


def test_editing_a_person_with_a_photo_on_a_full_disk_leaves_him_as_he_was(
    disk, post_person, make_contact
):
    contact = make_contact(first_name="Pierre", last_name="Curie")
    post_person(url=f"/contacts/{contact.pk}/edit/", first_name="Pierre", version=1)
    contact.refresh_from_db()
    before = (contact.photo.name, contact.photo_thumb.name, contact.version)
    assert contact.photo and files_in(disk.root) == sorted(before[:2])
    photo_bytes = (disk.root / contact.photo.name).read_bytes()
    disk.fill()

    response = post_person(
        url=f"/contacts/{contact.pk}/edit/", first_name="Changed", version=contact.version
    )

    assert DISK_FULL in page_of(response)
    contact.refresh_from_db()
    assert (contact.first_name, contact.photo.name, contact.photo_thumb.name, contact.version) == (
        "Pierre",
        *before,
    )
    assert files_in(disk.root) == sorted(before[:2])
    assert (disk.root / contact.photo.name).read_bytes() == photo_bytes


def test_a_thumbnail_that_does_not_fit_takes_the_photo_written_before_it_away(
    settings, tmp_path, post_person, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    writes = []
    original = WholeFileSystemStorage._write

    def second_write_fails(self, out, content):
        writes.append(out.name)
        if len(writes) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(self, out, content)

    monkeypatch.setattr(WholeFileSystemStorage, "_write", second_write_fails)

    html = page_of(post_person())

    assert len(writes) == 2
    assert DISK_FULL in html
    assert Contact.all_objects.count() == 0
    assert files_in(settings.MEDIA_ROOT) == []


def test_an_import_upload_on_a_full_disk_is_refused_and_nothing_is_kept(full_disk, alice_client):
    content = "First name,Last name,Email\r\n" + "Ada,Lovelace,ada@example.com\r\n" * 3000
    upload = SimpleUploadedFile("contacts.csv", content.encode())

    response = alice_client.post(reverse("contacts:import_new"), {"file": upload})

    assert IMPORT_DISK_FULL in page_of(response)
    assert ImportJob.objects.count() == 0
    assert files_in(full_disk.root) == []


@pytest.fixture
def full_temporary_folder(full_disk, settings, monkeypatch):
    """Django's temporary folder for uploads on the full disk: where a large upload goes."""
    settings.FILE_UPLOAD_TEMP_DIR = str(full_disk.root)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    if not full_disk.real:

        def no_space(handler, raw_data, start):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(
            uploadhandler.TemporaryFileUploadHandler, "receive_data_chunk", no_space
        )
    return full_disk


def large_csv():
    content = "First name,Last name,Email\r\n" + "Ada,Lovelace,ada@example.com\r\n" * 3000
    return SimpleUploadedFile("contacts.csv", content.encode())


def test_an_upload_that_does_not_fit_in_the_temporary_folder_answers_507(
    full_temporary_folder, alice_client
):
    response = alice_client.post(reverse("contacts:import_new"), {"file": large_csv()})

    assert response.status_code == 507
    assert UPLOAD_DISK_FULL in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert files_in(full_temporary_folder.root) == []


def test_the_507_comes_in_the_users_language_when_the_csrf_check_reads_the_upload(
    full_temporary_folder, alice
):
    # A browser's request: the CSRF middleware reads the body before any view runs.
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    browser.force_login(alice)
    browser.get(reverse("contacts:import_new"))
    token = browser.cookies["csrftoken"].value

    response = browser.post(
        reverse("contacts:import_new"),
        {"file": large_csv(), "csrfmiddlewaretoken": token},
        headers={"accept-language": "fr"},
    )

    assert response.status_code == 507
    assert UPLOAD_DISK_FULL_FR in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert files_in(full_temporary_folder.root) == []


def test_the_rejected_rows_file_that_does_not_fit_is_streamed_from_the_database(
    settings, tmp_path, alice, alice_client, monkeypatch
):
    from contacts.imports import report, services

    settings.MEDIA_ROOT = tmp_path / "media"
    csv = ContentFile(b"First name,Email\r\nLee,not-an-email\r\n", name="c.csv")
    job = services.job_create(by=alice, upload=csv)
    targets = ["first_name", "email:work"]
    job = services.job_run_here(job=services.job_set_mapping(job=job, targets=targets))
    assert job.rejected == 1
    job.error_file.delete()
    real_open = open

    def full_open(path, mode="r", *args, **kwargs):
        if "w" in mode and str(path).endswith("-rejected.csv"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full_open)
    assert report.write_rejects_file(job) is None
    monkeypatch.undo()

    job.refresh_from_db()
    assert not job.error_file
    assert [p.name for p in (settings.MEDIA_ROOT / "imports").iterdir()] == []
    response = alice_client.get(reverse("contacts:import_rejected", args=[job.pk]))
    assert "not-an-email" in b"".join(response.streaming_content).decode()
