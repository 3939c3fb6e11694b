"""The address books through a real client nobody here wrote: vdirsyncer, over a live server,
syncing the books one way into local folders of vCards."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import vobject

from accounts.app_passwords import app_password_create
from carddav import books
from contacts.models import Contact, ContactEvent
from contacts.services import ContactData, contact_update

pytestmark = pytest.mark.slow

VDIRSYNCER = Path(sys.executable).with_name("vdirsyncer")
CONFIG = """[general]
status_path = "{root}/status/"

[pair crm]
a = "crm_remote"
b = "crm_local"
collections = ["from a"]
conflict_resolution = "a wins"

[storage crm_remote]
type = "carddav"
url = "{url}/"
username = "alice"
password = "{password}"
read_only = {read_only}

[storage crm_local]
type = "filesystem"
path = "{root}/contacts/"
fileext = ".vcf"
"""


def vdirsyncer(root, *args):
    """Run vdirsyncer with the configuration in root; answer yes to its questions."""
    result = subprocess.run(
        [str(VDIRSYNCER), "-c", str(root / "config"), *args],
        input="y\n" * 10,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def local_cards(root, book):
    """Return {UID: vCard} of the folder vdirsyncer keeps the book in."""
    cards = {}
    for path in (root / "contacts" / book).glob("*.vcf"):
        card = vobject.readOne(path.read_text())
        cards[card.uid.value] = card
    return cards


@pytest.fixture
def synced(live_server, transactional_db, alice, tmp_path):
    password = app_password_create(user=alice, name="vdirsyncer")[1]
    config = CONFIG.format(root=tmp_path, url=live_server.url, password=password, read_only="true")
    (tmp_path / "config").write_text(config)
    return tmp_path


@pytest.fixture
def two_way(live_server, transactional_db, alice, tmp_path):
    """A folder synced both ways, as a phone's address book is."""
    password = app_password_create(user=alice, name="vdirsyncer")[1]
    config = CONFIG.format(root=tmp_path, url=live_server.url, password=password, read_only="false")
    (tmp_path / "config").write_text(config)
    return tmp_path


def card_file(root, book, uid):
    """Return the file of the folder that holds the card of uid."""
    for path in (root / "contacts" / book).glob("*.vcf"):
        if vobject.readOne(path.read_text()).uid.value == uid:
            return path
    raise AssertionError(f"no card {uid} in {book}")


def test_a_first_sync_holds_the_visible_contacts_and_a_change_arrives_at_the_next(
    synced, alice, bob, make_contact
):
    own = make_contact(first_name="Ada", last_name="Lovelace", job_title="Engineer")
    public = make_contact(
        by=bob, first_name="Grace", last_name="Hopper", access=Contact.Access.PUBLIC_READ
    )
    make_contact(by=bob, first_name="Hidden", last_name="Secret")

    vdirsyncer(synced, "discover", "crm")
    vdirsyncer(synced, "sync")

    everyone = local_cards(synced, "all")
    assert set(everyone) == {books.uid_of(own.pk), books.uid_of(public.pk)}
    assert everyone[books.uid_of(own.pk)].fn.value == "Ada Lovelace"
    assert everyone[books.uid_of(own.pk)].title.value == "Engineer"
    assert set(local_cards(synced, "mine")) == {books.uid_of(own.pk)}

    data = ContactData(
        kind="person",
        fields={"first_name": "Ada", "last_name": "King", "job_title": "Countess"},
        access=Contact.Access.PRIVATE,
        responsible=[alice],
    )
    contact_update(by=alice, contact=own, data=data)
    vdirsyncer(synced, "sync")

    changed = local_cards(synced, "all")[books.uid_of(own.pk)]
    assert (changed.fn.value, changed.title.value) == ("Ada King", "Countess")
    assert local_cards(synced, "mine")[books.uid_of(own.pk)].fn.value == "Ada King"


def test_a_contact_whose_access_is_withdrawn_leaves_the_folder(synced, alice, bob, make_contact):
    shared = make_contact(by=bob, first_name="Shared", access=Contact.Access.PUBLIC_READ)
    # vdirsyncer refuses to empty a folder wholly: one contact stays.
    own = make_contact(first_name="Own")
    vdirsyncer(synced, "discover", "crm")
    vdirsyncer(synced, "sync")
    assert set(local_cards(synced, "all")) == {books.uid_of(shared.pk), books.uid_of(own.pk)}

    data = ContactData(
        kind="person",
        fields={"first_name": "Shared", "last_name": "Dupont"},
        access=Contact.Access.PRIVATE,
        responsible=[bob],
    )
    contact_update(by=bob, contact=shared, data=data)
    vdirsyncer(synced, "sync")

    assert set(local_cards(synced, "all")) == {books.uid_of(own.pk)}


def test_a_card_edited_in_the_folder_comes_back_as_a_change_with_history(
    two_way, alice, make_contact
):
    contact = make_contact(first_name="Ada", last_name="Lovelace", job_title="Engineer")
    vdirsyncer(two_way, "discover", "crm")
    vdirsyncer(two_way, "sync")
    path = card_file(two_way, "all", books.uid_of(contact.pk))

    path.write_text(path.read_text().replace("TITLE:Engineer", "TITLE:Countess"))
    vdirsyncer(two_way, "sync")

    contact.refresh_from_db()
    assert contact.job_title == "Countess"
    event = ContactEvent.objects.filter(contact=contact).latest("pk")
    assert (event.verb, event.source, event.details) == (
        "changed",
        "carddav",
        {"app_password": "vdirsyncer"},
    )
    version = contact.version
    vdirsyncer(two_way, "sync")
    vdirsyncer(two_way, "sync")
    contact.refresh_from_db()
    assert contact.version == version  # synced again and again: nothing more written
    assert local_cards(two_way, "mine")[books.uid_of(contact.pk)].title.value == "Countess"


NEW_CARD = """BEGIN:VCARD
VERSION:3.0
UID:made-on-the-phone-1
FN:Grace Hopper
N:Hopper;Grace;;;
EMAIL;TYPE=WORK:grace@navy.example
END:VCARD
"""


def test_a_card_new_in_the_folder_creates_a_contact_once(two_way, alice, make_contact):
    make_contact(first_name="Already", last_name="There")
    vdirsyncer(two_way, "discover", "crm")
    vdirsyncer(two_way, "sync")

    (two_way / "contacts" / "all" / "made-on-the-phone-1.vcf").write_text(NEW_CARD)
    vdirsyncer(two_way, "sync")
    vdirsyncer(two_way, "sync")

    grace = Contact.objects.get(first_name="Grace")
    assert Contact.objects.count() == 2
    assert grace.source == Contact.Source.CARDDAV and list(grace.responsible.all()) == [alice]
    assert [i.value for i in grace.infos.all()] == ["grace@navy.example"]
    assert set(local_cards(two_way, "all")) == {
        books.uid_of(Contact.objects.get(first_name="Already").pk),
        "made-on-the-phone-1",
    }
    assert "made-on-the-phone-1" in local_cards(two_way, "mine")


def test_a_card_deleted_from_the_folder_goes_to_the_trash(two_way, alice, make_contact):
    kept = make_contact(first_name="Kept")
    gone = make_contact(first_name="Gone")
    vdirsyncer(two_way, "discover", "crm")
    vdirsyncer(two_way, "sync")

    card_file(two_way, "all", books.uid_of(gone.pk)).unlink()
    vdirsyncer(two_way, "sync")

    trashed = Contact.all_objects.get(pk=gone.pk)
    assert trashed.deleted_at is not None
    assert ContactEvent.objects.filter(contact=trashed).latest("pk").source == "carddav"
    assert Contact.objects.get().pk == kept.pk
    vdirsyncer(two_way, "sync")
    assert set(local_cards(two_way, "mine")) == {books.uid_of(kept.pk)}
