"""The overview: every figure and every bar is the count of the list it links to.

The personas see different parts of the same base: alice her private contacts and the
public ones, bob (another CRM user) the public ones only, the admin everything. Each
figure on the page is compared with the count the contact list shows for its link, as
the reader sees it; the tasks with My tasks' own counts.
"""

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.services import profile_update
from activities.models import TaskCategory
from activities.tasks import services as task_services
from contacts import contact_types
from contacts.models import Contact
from contacts.services import ContactData, contact_create
from contacts.trash.services import contact_delete

LINK = re.compile(r"<a\b([^>]*)>")
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
LIST_COUNT = re.compile(r'aria-label="Pages">\s*<div[^>]*>\s*([\d,]+) contacts?\b')
NO_MATCH = "No contact matches these filters."


def counted_links(page):
    """Return (name, address, count) of every link of the page that carries a count."""
    found = []
    for match in LINK.finditer(page):
        attributes = {k: v for k, v in ATTRIBUTE.findall(match[1])}
        if "data-count" in attributes:
            name = attributes.get("data-figure") or attributes.get("data-source") or "bar"
            found.append((name, html.unescape(attributes["href"]), int(attributes["data-count"])))
    return found


def list_count(client, url):
    """Return how many contacts the list says it holds at url, as its reader sees it."""
    page = client.get(url).content.decode()
    match = LIST_COUNT.search(page)
    if match:
        return int(match[1].replace(",", ""))
    assert NO_MATCH in page or "No contacts yet" in page, url
    return 0


def task_counts(client):
    page = client.get("/tasks/").content.decode()
    counts = {}
    for name in ("overdue", "today", "upcoming"):
        section = page[page.index(f'id="{name}"') :]
        counts[name] = int(re.search(r'class="badge[^"]*">([\d,]+)<', section)[1])
    return counts


def _create(by, name, *, kind=Contact.Kind.PERSON, access="private", responsible=(), **extra):
    fields = {"last_name": name} if kind == Contact.Kind.PERSON else {"company_name": name}
    tags = extra.pop("tags", [])
    data = ContactData(
        kind=kind,
        fields={**fields, **extra.pop("fields", {})},
        access=access,
        responsible=list(responsible),
        tags=tags,
    )
    return contact_create(by=by, data=data, **extra)


def _created(contact, days_ago):
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    Contact.all_objects.filter(pk=contact.pk).update(created_at=moment)


@pytest.fixture
def base(alice, bob, admin):
    """A base of contacts of every access, source, type, tag and age."""
    client_type = contact_types.contact_type_create(title="Key account")
    supplier = contact_types.contact_type_create(title="Reseller")
    made = []
    # alice's private contacts: only she and the admin see them.
    for n in range(6):
        contact = _create(
            alice,
            f"Secret{n}",
            responsible=[alice],
            tags=["VIP", "Secret"],
            fields={"contact_type": client_type},
        )
        made.append((contact, n * 9))
    # Public contacts everyone sees, some imported, from a website form or the API.
    for n, source in enumerate(Contact.Source.values * 2):
        contact = _create(
            admin,
            f"Public{n}",
            kind=Contact.Kind.COMPANY if n % 3 == 0 else Contact.Kind.PERSON,
            access="public_read",
            responsible=[bob] if n % 2 else [],
            tags=["VIP"] if n % 2 else ["Fair"],
            fields={"contact_type": supplier} if n % 4 == 0 else {},
            source=source,
        )
        made.append((contact, n * 13))
    for contact, days in made:
        _created(contact, days)
    # An old one, out of the 26 weeks, and one in the trash: neither is new, the second
    # counts nowhere.
    _created(_create(admin, "Ancient", access="public_rw", responsible=[alice]), 400)
    trashed = _create(admin, "Trashed", access="public_rw", tags=["VIP", "Gone"])
    contact_delete(by=admin, contact=trashed)
    category = TaskCategory.objects.first()
    today = timezone.localdate()
    for n, days in enumerate((-3, -1, 0, 2, 5)):
        task_services.task_create(
            by=alice,
            contact=made[n][0],
            title=f"Task {n}",
            due_date=today + datetime.timedelta(days=days),
            due_time=None,
            category=category,
            responsible=alice,
            description="",
            reminder=None,
        )
    return made


def overview(client):
    response = client.get("/overview/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ["alice", "bob", "admin"])
def test_every_figure_and_bar_is_the_count_of_the_list_it_leads_to(persona, base, client, request):
    client.force_login(request.getfixturevalue(persona))
    links = counted_links(overview(client))
    assert {"total", "persons", "companies", "this_week", "same_days_last_week"} <= {
        name for name, _url, _n in links
    }
    for name, url, count in links:
        if url.startswith("/contacts/"):
            assert list_count(client, url) == count, (persona, name, url)


def test_a_stranger_counts_none_of_the_contacts_he_may_not_see(base, alice, bob, client):
    client.force_login(bob)
    page = overview(client)
    figures = {name: n for name, url, n in counted_links(page) if name != "bar"}
    # bob sees the public contacts alone: 2 of each source, the old one, none of alice's.
    public = 2 * len(Contact.Source.values) + 1
    assert figures["total"] == public
    assert "Secret" not in page
    client.force_login(alice)
    assert {n for name, _u, n in counted_links(overview(client)) if name == "total"} == {public + 6}


def test_the_admin_sees_who_is_responsible_and_the_stranger_does_not(base, admin, bob, client):
    client.force_login(admin)
    page = overview(client)
    figures = {name: n for name, _url, n in counted_links(page)}
    assert figures["unassigned"] == len(Contact.Source.values)
    assert 'data-chart="responsible"' in page
    client.force_login(bob)
    page = overview(client)
    assert 'data-figure="unassigned"' not in page
    assert 'data-chart="responsible"' not in page


def test_the_weekly_chart_stacks_every_source(base, admin, client):
    client.force_login(admin)
    page = overview(client)
    segments = [(name, url, n) for name, url, n in counted_links(page) if "source=" in url]
    weekly = {name for name, url, n in segments if "created_from" in url}
    assert weekly == set(Contact.Source.values)
    # The legend's sources, each named once, in the order of their choices.
    legend = page[page.index("chart-legend") : page.index('data-chart="weeks"')]
    positions = [legend.index(str(label)) for _value, label in Contact.Source.choices]
    assert positions == sorted(positions)


def test_the_tasks_are_my_tasks_counts(base, alice, client):
    client.force_login(alice)
    figures = {name: n for name, _url, n in counted_links(overview(client))}
    sections = task_counts(client)
    assert figures["overdue_tasks"] == sections["overdue"] == 2
    assert figures["open_tasks"] == sum(sections.values()) == 5


def test_the_landing_page_after_sign_in_is_the_overview_and_the_list_one_click_away(alice, client):
    response = client.post("/accounts/login/", {"login": "alice", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == "/overview/"
    page = overview(client)
    assert 'href="/contacts/"' in page
    assert client.get("/").headers["Location"] == "/overview/"


def test_the_overview_in_french_says_it_in_french(base, alice, client):
    client.force_login(alice)
    page = client.get("/overview/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Vue d’ensemble" in page
    assert "Afficher les chiffres" in page
    assert ">Semaine du</th>" in page  # the weekly chart's table, written in Python


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "UTC"])
def test_the_weeks_and_months_start_at_the_readers_own_midnights(zone, alice, client):
    # Contacts a second either side of his midnights (the weeks', the months') and of the
    # UTC midnights near them: each counts in the week the list's filter puts it in.
    profile_update(user=alice, time_zone=zone)
    local = ZoneInfo(zone)
    today = timezone.now().astimezone(local).date()
    monday = today - datetime.timedelta(days=today.weekday())
    days = [monday - datetime.timedelta(weeks=n) for n in (0, 1, 4, 25, 26)]
    days += [today.replace(day=1), (today.replace(day=1) - datetime.timedelta(days=1))]
    moments = []
    for day in days:
        for start in (
            datetime.datetime.combine(day, datetime.time(), local),
            datetime.datetime.combine(day, datetime.time(), datetime.UTC),
        ):
            moments += [start - datetime.timedelta(seconds=1), start]
    for n, moment in enumerate(moments):
        contact = _create(alice, f"Edge{n}", responsible=[alice])
        Contact.all_objects.filter(pk=contact.pk).update(created_at=moment)

    client.force_login(alice)
    links = counted_links(overview(client))
    for name, url, count in links:
        if url.startswith("/contacts/"):
            assert list_count(client, url) == count, (zone, name, url)
    figures = {name: n for name, _url, n in links}
    this_week = datetime.datetime.combine(monday, datetime.time(), local)
    assert figures["this_week"] == sum(moment >= this_week for moment in moments)
