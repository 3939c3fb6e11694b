"""The profile's choice of address books offered to a user's devices."""

from taggit.models import Tag

from accounts.address_books import MAX_TAG_BOOKS, address_books_choose, address_books_of
from accounts.models import Profile
from accounts.services import profile_update

PROFILE = "/account/profile/"
CHOOSE = "/account/profile/address-books/"


def test_a_user_who_never_chose_is_offered_his_contacts_and_all_he_sees(alice_client, alice):
    page = alice_client.get(PROFILE).content.decode()

    assert 'name="books" value="mine" id="id_books_0" checked' in page
    assert 'name="books" value="all" id="id_books_1" checked' in page
    assert address_books_of(alice).tags == ()
    assert not Profile.objects.exists()  # looking is not choosing


def test_choosing_books_from_tags_keeps_them_and_shows_them_again(alice_client, alice):
    vip = Tag.objects.create(name="VIP", slug="vip")
    Tag.objects.create(name="Clients été", slug="ete")

    response = alice_client.post(CHOOSE, {"books": ["all"], "tags": " vip , CLIENTS ÉTÉ,VIP"})

    assert response.status_code == 302
    assert response["Location"] == PROFILE + "#address-books"
    chosen = address_books_of(alice)
    assert (chosen.mine, chosen.everyone) == (False, True)
    assert [tag.name for tag in chosen.tags] == ["Clients été", "VIP"] and vip in chosen.tags
    page = alice_client.get(PROFILE).content.decode()
    assert 'value="Clients été, VIP"' in page
    assert 'name="books" value="mine" id="id_books_0">' in page
    assert 'data-suggest-url="/contacts/suggest/tags/"' in page  # the CRM's tags suggested


def test_an_unknown_tag_is_refused_with_its_name(alice_client, alice):
    response = alice_client.post(CHOOSE, {"books": ["mine"], "tags": "Nowhere"})

    assert response.status_code == 200
    assert "No tag is named “Nowhere”." in response.content.decode()
    assert address_books_of(alice).mine and not Profile.objects.exists()


def test_too_many_tag_books_are_refused(alice_client, alice):
    names = [f"T{n}" for n in range(MAX_TAG_BOOKS + 1)]
    Tag.objects.bulk_create([Tag(name=name, slug=name) for name in names])

    response = alice_client.post(CHOOSE, {"tags": ", ".join(names)})

    assert response.status_code == 200
    assert f"At most {MAX_TAG_BOOKS} address books from tags" in response.content.decode()


def test_the_choice_speaks_french(alice_client, alice):
    profile_update(user=alice, language="fr")

    response = alice_client.post(CHOOSE, {"tags": "Nulle part"})

    page = response.content.decode()
    assert "Aucun tag ne s’appelle «\u00a0Nulle part\u00a0»." in page
    assert "Carnets d’adresses tirés de tags" in page


def test_a_deleted_tag_leaves_the_books_it_made(alice, bob):
    vip = Tag.objects.create(name="VIP", slug="vip")
    kept = Tag.objects.create(name="Kept", slug="kept")
    address_books_choose(user=alice, mine=True, everyone=False, tags=[vip, kept])

    vip.delete()

    assert address_books_of(alice).tags == (kept,)
    assert address_books_of(bob).tags == ()
