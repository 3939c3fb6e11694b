import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from contacts import tags as tag_services
from contacts.models import Contact, TaggedContact
from tests.support import page_of, table_row

TAGS_URL = "/settings/tags/"


def row_of(page, tag):
    return table_row(page, f"tag-{tag.pk}")


def names_of(contact):
    return sorted(t.name for t in Contact.objects.get(pk=contact.pk).tags.all())


# The list


def test_admin_sees_every_tag_with_the_number_of_contacts_carrying_it(admin_client, make_contact):
    make_contact(first_name="Anne", tags=["VIP", "Newsletter"])
    make_contact(first_name="Paul", tags=["VIP"])
    unused = Tag.objects.create(name="Dormant", slug="dormant")

    page = page_of(admin_client.get(TAGS_URL))

    assert "2 contacts" in row_of(page, Tag.objects.get(name="VIP"))
    assert "1 contact" in row_of(page, Tag.objects.get(name="Newsletter"))
    assert "0 contacts" in row_of(page, unused)
    assert "/contacts/?tag=Dormant" not in page


def test_a_tag_count_links_to_the_contact_list_filtered_by_that_tag(admin_client, make_contact):
    make_contact(tags=["VIP"])
    make_contact(tags=["Café & Co/Paris"])

    page = page_of(admin_client.get(TAGS_URL))

    assert 'href="/contacts/?tag=VIP"' in page
    assert 'href="/contacts/?tag=Caf%C3%A9%20%26%20Co%2FParis"' in page
    filtered = page_of(admin_client.get("/contacts/?tag=Caf%C3%A9%20%26%20Co%2FParis"))
    assert "1 contact" in filtered


def test_tags_are_sorted_by_name_ignoring_case(admin_client, db):
    Tag.objects.all().delete()
    for name in ("beta", "Alpha", "gamma", "Delta"):
        Tag.objects.create(name=name, slug=name.lower())

    page = page_of(admin_client.get(TAGS_URL))

    positions = [page.index(f">{name}<") for name in ("Alpha", "beta", "Delta", "gamma")]
    assert positions == sorted(positions)


def test_the_list_takes_as_many_queries_for_many_tags_as_for_few(admin_client, make_contact):
    make_contact(first_name="First", tags=["Tag 0", "Common"])
    with CaptureQueriesContext(connection) as few:
        page_of(admin_client.get(TAGS_URL))
    for n in range(1, 30):
        make_contact(first_name=f"P{n}", tags=[f"Tag {n}", "Common"])

    with CaptureQueriesContext(connection) as many:
        page = page_of(admin_client.get(TAGS_URL))

    assert "30 contacts" in page
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_filter_box_shows_only_tags_containing_the_text(admin_client, make_contact):
    make_contact(tags=["Key account", "Newsletter"])

    page = page_of(admin_client.get(TAGS_URL, {"q": "ACCOUNT"}))

    assert ">Key account<" in page
    assert ">Newsletter<" not in page
    assert "1 tag" in page


def test_thousands_of_tags_are_shown_a_hundred_per_page(admin_client, db):
    Tag.objects.all().delete()
    Tag.objects.bulk_create(Tag(name=f"tag {n:04}", slug=f"tag-{n:04}") for n in range(1050))

    first = page_of(admin_client.get(TAGS_URL))
    last = page_of(admin_client.get(TAGS_URL, {"page": 11}))

    assert ">tag 0099<" in first and ">tag 0100<" not in first
    assert "1,050 tags" in first and "page 1 of 11" in first
    assert ">tag 1049<" in last


# Create


def test_admin_creates_a_tag_trimmed_with_inner_spaces_collapsed(admin_client, db):
    response = admin_client.post(TAGS_URL, {"name": "  Key \t  account  "}, follow=True)

    tag = Tag.objects.get(name="Key account")
    assert tag.slug == "key-account"
    assert "Tag “Key account” added." in page_of(response)
    assert response.redirect_chain[-1][0].endswith(f"#tag-{tag.pk}")


def test_creating_a_tag_that_exists_in_another_case_is_refused(admin_client, db):
    Tag.objects.create(name="Key account", slug="key-account")

    page = page_of(admin_client.post(TAGS_URL, {"name": "KEY   ACCOUNT"}))

    assert "A tag named “Key account” already exists." in page
    assert Tag.objects.filter(name__iexact="key account").count() == 1


def test_creating_a_tag_that_exists_with_accents_in_another_case_is_refused(admin_client, db):
    Tag.objects.create(name="Été", slug="ete")

    page = page_of(admin_client.post(TAGS_URL, {"name": "été"}))

    assert "A tag named “Été” already exists." in page
    assert not Tag.objects.filter(name="été").exists()


def test_a_tag_name_of_51_characters_is_refused_and_50_accepted(admin_client, db):
    page = page_of(admin_client.post(TAGS_URL, {"name": "x" * 51}))
    assert "A tag name has at most 50 characters; this one has 51." in page
    assert not Tag.objects.filter(name__startswith="xxx").exists()

    admin_client.post(TAGS_URL, {"name": "x" * 50})
    assert Tag.objects.filter(name="x" * 50).exists()


def test_a_blank_tag_name_is_refused(admin_client, db):
    before = Tag.objects.count()
    page = page_of(admin_client.post(TAGS_URL, {"name": "   "}))
    assert "This field is required." in page
    assert Tag.objects.count() == before


def test_a_duplicate_saved_at_the_same_moment_becomes_a_form_error(admin_client, db, monkeypatch):
    Tag.objects.create(name="Key account", slug="key-account-other")
    real_tag_named = tag_services.tag_named
    calls = []

    def not_yet_visible(name, **kwargs):
        # The first check misses the other request's tag; the save then hits the constraint.
        calls.append(name)
        return None if len(calls) == 1 else real_tag_named(name, **kwargs)

    monkeypatch.setattr(tag_services, "tag_named", not_yet_visible)

    page = page_of(admin_client.post(TAGS_URL, {"name": "Key account"}))

    assert "A tag named “Key account” already exists." in page
    assert Tag.objects.filter(name="Key account").count() == 1


# Rename


def test_admin_renames_a_tag_and_its_contacts_carry_the_new_name(admin_client, make_contact):
    contact = make_contact(tags=["Prospect", "VIP"])
    tag = Tag.objects.get(name="Prospect")

    response = admin_client.post(
        f"{TAGS_URL}{tag.pk}/rename/", {"name": " Hot  lead "}, follow=True
    )

    assert "Tag “Prospect” renamed “Hot lead”." in page_of(response)
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Hot lead", "hot-lead")
    assert names_of(contact) == ["Hot lead", "VIP"]


def test_the_rename_page_shows_the_name_and_how_many_contacts_carry_it(admin_client, make_contact):
    make_contact(tags=["Prospect"])
    make_contact(tags=["Prospect"])
    tag = Tag.objects.get(name="Prospect")

    page = page_of(admin_client.get(f"{TAGS_URL}{tag.pk}/rename/"))

    assert "Rename “Prospect”" in page
    assert 'value="Prospect"' in page
    assert "2 contacts carry this tag" in page


def test_renaming_to_a_name_that_exists_in_another_case_is_refused_and_suggests_merge(
    admin_client, make_contact
):
    contact = make_contact(tags=["Prospect", "VIP"])
    tag = Tag.objects.get(name="Prospect")

    page = page_of(admin_client.post(f"{TAGS_URL}{tag.pk}/rename/", {"name": "vip"}))

    assert "A tag named “VIP” already exists." in page
    assert "merge this tag into it" in page
    assert f'href="{TAGS_URL}{tag.pk}/merge/?target=VIP"' in page
    assert names_of(contact) == ["Prospect", "VIP"]
    merge_page = page_of(admin_client.get(f"{TAGS_URL}{tag.pk}/merge/?target=VIP"))
    assert 'name="target" value="VIP"' in merge_page


def test_renaming_only_the_case_is_allowed_and_keeps_the_slug(admin_client, db):
    tag = Tag.objects.create(name="vip", slug="vip")

    admin_client.post(f"{TAGS_URL}{tag.pk}/rename/", {"name": "VIP"})

    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("VIP", "vip")


def test_a_renamed_tag_gets_a_slug_no_other_tag_has(admin_client, db):
    Tag.objects.create(name="Something else", slug="hot-lead")
    tag = Tag.objects.create(name="Prospect", slug="prospect")

    admin_client.post(f"{TAGS_URL}{tag.pk}/rename/", {"name": "Hot lead"})

    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Hot lead", "hot-lead_1")


def test_renaming_to_more_than_50_characters_is_refused(admin_client, db):
    tag = Tag.objects.create(name="Prospect", slug="prospect")

    page = page_of(admin_client.post(f"{TAGS_URL}{tag.pk}/rename/", {"name": "y" * 60}))

    assert "A tag name has at most 50 characters; this one has 60." in page
    tag.refresh_from_db()
    assert tag.name == "Prospect"


# Merge


def test_merge_gives_every_contact_of_the_source_one_copy_of_the_target(admin_client, make_contact):
    both = make_contact(first_name="Both", tags=["Prospect", "Hot lead"])
    only_source = make_contact(first_name="Source", tags=["Prospect", "VIP"])
    only_target = make_contact(first_name="Target", tags=["Hot lead"])
    source, target = Tag.objects.get(name="Prospect"), Tag.objects.get(name="Hot lead")

    response = admin_client.post(
        f"{TAGS_URL}{source.pk}/merge/", {"target": "hot LEAD"}, follow=True
    )

    page = page_of(response)
    assert "“Prospect” merged into “Hot lead”: 2 contacts affected." in page
    assert "1 of them already carried both tags and keeps one." in page
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert TaggedContact.objects.filter(content_object=both).count() == 1
    assert TaggedContact.objects.filter(content_object=both, tag=target).count() == 1
    assert names_of(only_source) == ["Hot lead", "VIP"]
    assert names_of(only_target) == ["Hot lead"]
    assert TaggedContact.objects.filter(tag=target).count() == 3


def test_database_refuses_the_same_tag_twice_on_one_contact(make_contact):
    contact = make_contact(tags=["Prospect"])
    source = Tag.objects.get(name="Prospect")

    with pytest.raises(IntegrityError), transaction.atomic():
        TaggedContact.objects.create(content_object=contact, tag=source)

    assert TaggedContact.objects.filter(content_object=contact).count() == 1


def test_merge_and_delete_move_the_version_of_the_contacts_they_change(make_contact):
    changed = make_contact(tags=["Prospect"])
    untouched = make_contact(tags=["VIP"])
    source = Tag.objects.get(name="Prospect")
    target = Tag.objects.get(name="VIP")

    tag_services.tag_merge(source=source, target=target)

    changed.refresh_from_db()
    untouched.refresh_from_db()
    assert (changed.version, untouched.version) == (2, 1)


def test_the_merge_page_says_how_many_contacts_carry_the_tag(admin_client, make_contact):
    make_contact(tags=["Prospect"])
    tag = Tag.objects.get(name="Prospect")

    page = page_of(admin_client.get(f"{TAGS_URL}{tag.pk}/merge/"))

    assert "Merge “Prospect” into another tag" in page
    assert "1 contact carries “Prospect”" in page
    assert 'list="tag-options"' in page


def test_merging_into_an_unknown_tag_or_into_itself_is_refused(admin_client, make_contact):
    contact = make_contact(tags=["Prospect"])
    tag = Tag.objects.get(name="Prospect")
    url = f"{TAGS_URL}{tag.pk}/merge/"

    assert "No tag is named “Nowhere”." in page_of(admin_client.post(url, {"target": "Nowhere"}))
    assert "cannot be merged into itself" in page_of(admin_client.post(url, {"target": "PROSPECT"}))
    assert names_of(contact) == ["Prospect"]


# Delete


def test_the_delete_page_names_the_tag_and_says_how_many_contacts_carry_it(
    admin_client, make_contact
):
    make_contact(tags=["VIP"])
    make_contact(tags=["VIP"])
    tag = Tag.objects.get(name="VIP")

    page = page_of(admin_client.get(f"{TAGS_URL}{tag.pk}/delete/"))

    assert "Delete the tag “VIP”?" in page
    assert "2 contacts carry “VIP”: the tag will be taken off them." in page
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_deleting_a_tag_takes_it_off_its_contacts_only(admin_client, make_contact):
    contact = make_contact(tags=["VIP", "Newsletter"])
    tag = Tag.objects.get(name="VIP")

    response = admin_client.post(f"{TAGS_URL}{tag.pk}/delete/", follow=True)

    assert "Tag “VIP” deleted. It was taken off 1 contact." in page_of(response)
    assert not Tag.objects.filter(name="VIP").exists()
    assert names_of(contact) == ["Newsletter"]


def test_delete_unused_asks_first_saying_how_many(admin_client, make_contact):
    Tag.objects.all().delete()
    make_contact(tags=["Used"])
    Tag.objects.create(name="Dormant", slug="dormant")
    Tag.objects.create(name="Forgotten", slug="forgotten")

    page = page_of(admin_client.get(f"{TAGS_URL}delete-unused/"))

    assert "2 tags are carried by no contact." in page
    assert ">Dormant<" in page and ">Forgotten<" in page and ">Used<" not in page
    assert Tag.objects.count() == 3


def test_delete_unused_removes_only_the_tags_no_contact_carries(admin_client, make_contact):
    Tag.objects.all().delete()
    contact = make_contact(tags=["Used", "Also used"])
    Tag.objects.create(name="Dormant", slug="dormant")
    Tag.objects.create(name="Forgotten", slug="forgotten")

    response = admin_client.post(f"{TAGS_URL}delete-unused/", follow=True)

    assert "2 unused tags deleted." in page_of(response)
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Also used", "Used"]
    assert names_of(contact) == ["Also used", "Used"]


def test_the_list_offers_to_delete_unused_tags_only_when_there_are_some(admin_client, make_contact):
    Tag.objects.all().delete()
    make_contact(tags=["Used"])
    assert "delete-unused" not in page_of(admin_client.get(TAGS_URL))

    Tag.objects.create(name="Dormant", slug="dormant")
    assert "Delete 1 unused tag" in page_of(admin_client.get(TAGS_URL))


# Tags deleted meanwhile


def test_a_tag_that_no_longer_exists_gives_404(admin_client, db):
    tag = Tag.objects.create(name="Gone", slug="gone")
    tag.delete()
    for action in ("rename", "merge", "delete"):
        assert admin_client.get(f"{TAGS_URL}{tag.pk}/{action}/").status_code == 404
        assert admin_client.post(f"{TAGS_URL}{tag.pk}/{action}/").status_code == 404


@pytest.mark.parametrize(
    ("action", "data"),
    [("rename", {"name": "New name"}), ("merge", {"target": "VIP"}), ("delete", {})],
)
def test_a_tag_deleted_while_its_page_was_open_gives_a_clear_message(
    admin_client, make_contact, monkeypatch, action, data
):
    make_contact(tags=["VIP"])
    stale = Tag.objects.create(name="Gone", slug="gone")
    Tag.objects.filter(pk=stale.pk).delete()
    # Found by the view, deleted by someone else before the service runs.
    monkeypatch.setattr("settings_app.views.tags.get_object_or_404", lambda *a, **kw: stale)

    response = admin_client.post(f"{TAGS_URL}{stale.pk}/{action}/", data, follow=True)

    assert "The tag no longer exists" in page_of(response)
    assert not Tag.objects.filter(name="New name").exists()
    assert Tag.objects.filter(name="VIP").exists()


def test_a_locked_tag_that_is_gone_raises_does_not_exist(db):
    tag = Tag.objects.create(name="Gone", slug="gone")
    Tag.objects.filter(pk=tag.pk).delete()
    with pytest.raises(Tag.DoesNotExist):
        tag_services.tag_delete(tag=tag)


def test_a_tag_with_the_same_exact_name_cannot_be_inserted_twice(db):
    # The database's unique name is what turns a lost race into the form error above.
    Tag.objects.create(name="Key account", slug="key-account")
    with pytest.raises(IntegrityError):
        Tag.objects.create(name="Key account", slug="key-account-2")


# Who may use the pages

TAG_URLS = ["", "delete-unused/", "{pk}/rename/", "{pk}/merge/", "{pk}/delete/"]


@pytest.mark.parametrize("persona", ["alice", "bob"])
@pytest.mark.parametrize("path", TAG_URLS)
def test_ordinary_users_get_403_on_every_tags_page(client, request, persona, path, db):
    tag = Tag.objects.create(name="Prospect", slug="prospect")
    client.force_login(request.getfixturevalue(persona))
    url = TAGS_URL + path.format(pk=tag.pk)

    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Hacked", "target": "Lead"}).status_code == 403
    assert Tag.objects.filter(pk=tag.pk, name="Prospect").exists()
    assert not Tag.objects.filter(name="Hacked").exists()


@pytest.mark.parametrize("path", TAG_URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, path, db):
    tag = Tag.objects.create(name="Prospect", slug="prospect")
    url = TAGS_URL + path.format(pk=tag.pk)

    for response in (client.get(url), client.post(url, {"name": "Hacked"})):
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert Tag.objects.filter(pk=tag.pk, name="Prospect").exists()


def test_a_superuser_may_manage_tags(client, root):
    client.force_login(root)
    assert "Add a tag" in page_of(client.get(TAGS_URL))


def test_the_settings_navigation_offers_tags(admin_client, db):
    page = page_of(admin_client.get(TAGS_URL))
    assert (
        '<a href="/settings/tags/" class="list-group-item list-group-item-action active"'
        ' aria-current="page">Tags</a>'
    ) in page
