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
from contacts.models import Contact
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
read_only = true

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
    config = CONFIG.format(root=tmp_path, url=live_server.url, password=password)
    (tmp_path / "config").write_text(config)
    return tmp_path


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
