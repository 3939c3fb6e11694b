"""Script injection: payloads typed into every text field, tag, user field,
import cell and website form field are shown as text on every page, and never run."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from playwright.sync_api import expect

from contacts import contact_types as config
from contacts.custom_fields import services as custom_fields
from contacts.imports import services as import_services
from contacts.models import CRM_ADMINS_GROUP, Contact, ContactType
from contacts.services import ContactData, contact_create, contact_update
from contacts.team import services as team
from contacts.trash.services import contact_delete
from tests.e2e.test_journey import assert_page_was_healthy, log_in
from tests.support import csv_text, make_web_form, posted, submit_url

SCRIPT = "<script>window.__xss=1</script>"
IMG = '"><img src=x onerror="window.__xss=1">'
TEMPLATE = "{{7*7}}"
JS_LINK = "javascript:window.__xss=1"
SHORT = "<i>{{7*7}}</i>"  # for the fields of at most 20 characters

# What each page must not hold once loaded: a script that ran, an attribute handler, a
# script element carrying a payload, a link or form whose target runs script.
INSPECT = """() => ({
    xss: window.__xss,
    handlers: document.querySelectorAll("[onerror], [onload]:not(body)").length,
    scripts: [...document.scripts].filter(s => s.textContent.includes("__xss")).length,
    targets: [...document.querySelectorAll("a[href], form[action], iframe[src]")]
        .map(e => e.getAttribute("href") || e.getAttribute("action") || e.getAttribute("src"))
        .filter(t => /^\\s*javascript:/i.test(t)),
})"""


@pytest.fixture(autouse=True)
def _webform_limits(settings):
    settings.WEBFORM_MIN_SECONDS = 0
    settings.WEBFORM_RATE_LIMIT = 100
    settings.CLIENT_IP_HEADER = ""


@pytest.fixture
def planted(alice, make_user):
    """Contacts, settings, an import and a website form submission full of payloads."""
    Group.objects.get_or_create(name=CRM_ADMINS_GROUP)[0].user_set.add(alice)
    bob = make_user("bob", first_name=SCRIPT, last_name=IMG)
    alice.last_name = TEMPLATE
    alice.save()
    contact_type = config.contact_type_create(title=IMG)
    text = custom_fields.custom_field_create(label=SCRIPT, field_type="text")
    area = custom_fields.custom_field_create(label=IMG, field_type="textarea")
    select = custom_fields.custom_field_create(
        label=TEMPLATE, field_type="select", options=[SCRIPT, IMG]
    )
    company = contact_create(
        by=alice,
        data=ContactData(
            kind=Contact.Kind.COMPANY,
            fields={"company_name": IMG, "description": SCRIPT},
            responsible=[alice],
            tags=[IMG],
        ),
    )

    def person(by, **fields):
        data = ContactData(
            kind=Contact.Kind.PERSON,
            fields={
                "first_name": SCRIPT,
                "last_name": IMG,
                "job_title": TEMPLATE,
                "description": f"{SCRIPT}\n{IMG}",
                "contact_type": contact_type,
                **fields,
            },
            access=Contact.Access.PUBLIC_RW,
            responsible=[alice, bob],
            tags=[SCRIPT, IMG, TEMPLATE],
            company=company,
            infos=[
                {"kind": "email", "category": "work", "value": f"{IMG}@example.com"},
                {"kind": "phone", "category": "work", "value": SCRIPT},
                {"kind": "web", "category": "website", "value": JS_LINK},
                {"kind": "web", "category": "linkedin", "value": IMG},
                {"kind": "web", "category": "skype", "value": JS_LINK},
            ],
            addresses=[
                {
                    "category": "work",
                    "street": f"{SCRIPT}\n{IMG}",
                    "city": IMG,
                    "region": TEMPLATE,
                    "postcode": SHORT,
                    "country": SCRIPT,
                }
            ],
            custom={text.key: SCRIPT, area.key: f"{IMG}\n{SCRIPT}", select.key: IMG},
        )
        return contact_create(by=by, data=data)

    # bob makes it for alice (a notification), then changes it (the history).
    ada = person(bob)
    data = ContactData(
        kind=Contact.Kind.PERSON,
        fields={"first_name": SCRIPT, "last_name": IMG, "job_title": IMG, "description": IMG},
        access=Contact.Access.PUBLIC_RW,
        responsible=[alice, bob],
        tags=[SCRIPT, IMG, TEMPLATE],
        company=company,
        infos=[{"kind": "web", "category": "website", "value": JS_LINK}],
    )
    contact_update(by=bob, contact=ada, data=data)
    twin = person(alice)  # the same name and e-mail: a duplicate
    gone = person(alice, first_name=TEMPLATE)
    contact_delete(by=alice, contact=gone)

    content = csv_text(
        ["First name", "Last name", "Company name", "Job title", "Description", "Tags"]
        + ["Email (work)", "Web (website)", "City"],
        [SCRIPT, IMG, IMG, TEMPLATE, SCRIPT, IMG, "imp@example.com", JS_LINK, SCRIPT],
        [IMG, SCRIPT, "", "", "", "", f"{SCRIPT}", "", ""],  # rejected: a bad e-mail
    )
    job = import_services.job_create(
        by=alice, upload=ContentFile(content.encode(), name=f"{IMG}.csv")
    )
    job.tags = [TEMPLATE]
    job.save()
    import_services.job_start(job=job)
    job.refresh_from_db()
    assert (job.created, job.rejected) == (1, 1), job.error
    draft = import_services.job_create(
        by=alice, upload=ContentFile(content.encode(), name=f"{SCRIPT}.csv")
    )

    web_form = make_web_form(
        name=SCRIPT,
        fields=[
            {"name": "first_name", "required": True, "label": IMG},
            {"name": "last_name", "required": False, "label": SCRIPT},
            {"name": "email", "required": True, "label": TEMPLATE},
            {"name": "website", "required": False, "label": ""},
            {"name": "city", "required": False, "label": ""},
            {"name": "description", "required": False, "label": ""},
        ],
        tags=[TEMPLATE],
        responsible=[alice],
        notify=[alice],
    )
    values = {
        "first_name": IMG,
        "last_name": SCRIPT,
        "email": "web@example.com",
        "website": JS_LINK,
        "city": TEMPLATE,
        "description": f"{SCRIPT}\n{IMG}",
    }
    response = Client().post(submit_url(web_form), posted(web_form, **values))
    assert response.status_code == 303, response.content
    return {
        "ada": ada,
        "twin": twin,
        "gone": gone,
        "company": company,
        "job": job,
        "draft": draft,
        "web_form": web_form,
        "contact_type": contact_type,
        "bob": bob,
    }


def assert_inert(page, dialogs, where):
    page.wait_for_load_state("networkidle")
    found = page.evaluate(INSPECT)
    assert found == {"xss": None, "handlers": 0, "scripts": 0, "targets": []}, where
    assert dialogs == [], where


def test_payloads_are_shown_as_text_and_never_run(page, shot, alice, planted):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page)
    ada, company = planted["ada"], planted["company"]
    body = page.locator("body")

    def visit(url, *texts):
        page.goto(url)
        assert_inert(page, dialogs, url)
        for text in texts:
            expect(body).to_contain_text(text)

    visit("/contacts/", SCRIPT, IMG)
    visit("/contacts/?q=__xss", SCRIPT, IMG)
    # The filter panel and the active filters' labels name tags, types and user fields.
    visit("/contacts/?filters=show", SCRIPT, IMG, TEMPLATE)
    tag_filter = f"tag={quote(IMG)}&type={planted['contact_type'].pk}&import={planted['job'].pk}"
    visit(f"/contacts/?{tag_filter}", f"Tag: {IMG}", f"Type: {IMG}", SCRIPT)
    visit("/contacts/?q=" + "%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E", SCRIPT)
    visit(f"/contacts/{ada.pk}/", SCRIPT, IMG, TEMPLATE, f"{IMG}@example.com", JS_LINK)
    # The card's web links point to a web site, never to a script.
    hrefs = page.locator("main a[href]").evaluate_all("els => els.map(e => e.href)")
    assert any(h.startswith("https://javascript:") for h in hrefs), hrefs
    assert not [h for h in hrefs if h.lower().lstrip().startswith("javascript:")]
    shot("card")
    visit(f"/contacts/{company.pk}/", IMG, SCRIPT)
    visit(f"/contacts/{planted['twin'].pk}/", SCRIPT, IMG)

    page.goto(f"/contacts/{planted['twin'].pk}/edit/")
    assert_inert(page, dialogs, "edit")
    expect(page.locator("#id_first_name")).to_have_value(SCRIPT)
    expect(page.locator("#id_last_name")).to_have_value(IMG)
    expect(page.locator("#id_job_title")).to_have_value(TEMPLATE)
    expect(page.locator("#id_description")).to_have_value(f"{SCRIPT}\n{IMG}")
    expect(page.locator("input[value='javascript:window.__xss=1']").first).to_be_attached()
    shot("edit")

    visit(f"/contacts/{ada.pk}/history/", SCRIPT, IMG)
    visit("/contacts/notifications/", SCRIPT, IMG)
    visit("/contacts/duplicates/", SCRIPT, IMG)
    visit(f"/contacts/merge/?keep={ada.pk}&other={planted['twin'].pk}", SCRIPT, IMG)
    visit("/contacts/trash/", TEMPLATE, IMG)
    visit("/contacts/imports/", IMG)
    visit(f"/contacts/imports/{planted['job'].pk}/", SCRIPT)
    # The wizard's steps show the file's cells: its settings with a preview, its mapping.
    draft = planted["draft"].pk
    visit(f"/contacts/imports/{draft}/settings/", SCRIPT, IMG)
    visit(f"/contacts/imports/{draft}/preview/", SCRIPT, IMG)
    visit(f"/contacts/imports/{draft}/mapping/", SCRIPT)
    shot("import-report")
    visit(f"/settings/webforms/{planted['web_form'].pk}/", SCRIPT)
    visit(f"/settings/webforms/{planted['web_form'].pk}/edit/")
    visit("/settings/webforms/", SCRIPT)
    visit("/settings/types/", IMG)
    visit(f"/settings/types/{planted['contact_type'].pk}/edit/")
    visit("/settings/fields/", SCRIPT, IMG, TEMPLATE)
    visit("/settings/tags/", SCRIPT, IMG, TEMPLATE)
    bob = planted["bob"]
    team.user_set_role(by=alice, user=bob, role=team.Role.ADMIN)
    visit("/settings/users/", TEMPLATE, SCRIPT, IMG)
    visit(f"/settings/users/{bob.pk}/", SCRIPT, IMG)
    visit(f"/settings/users/{bob.pk}/deactivate/", SCRIPT, IMG)
    visit("/settings/audit/", SCRIPT, IMG)

    # The bulk confirmation lists the chosen contacts' names.
    page.goto("/contacts/")
    ids = list(Contact.objects.filter(deleted_at=None).values_list("pk", flat=True))
    page.evaluate(
        """([ids, query]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/contacts/bulk/";
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const fields = [["csrfmiddlewaretoken", token], ["action", "add_tag"],
                            ["query", query], ...ids.map(id => ["selected", id])];
            for (const [name, value] of fields) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.append(input);
            }
            document.body.append(form);
            form.submit();
        }""",
        [ids, "q=" + SCRIPT],
    )
    expect(page).to_have_url(re.compile(r"/contacts/bulk/$"))
    assert_inert(page, dialogs, "bulk")
    expect(body).to_contain_text(SCRIPT)
    shot("bulk")

    # The web form's visitor values reached the CRM as text.
    web = Contact.objects.get(source=Contact.Source.WEB_FORM, first_name=IMG)
    visit(f"/contacts/{web.pk}/", IMG, SCRIPT, TEMPLATE, JS_LINK)
    assert_page_was_healthy(page)
    assert ContactType.objects.filter(title=IMG).exists()


def test_the_public_pages_of_a_website_form_show_a_visitors_payloads_as_text(
    page, alice, live_server, settings
):
    from contacts.webforms.html import form_html

    settings.WEBFORM_MIN_SECONDS = 3600
    web_form = make_web_form(
        success_url="",
        fields=[
            {"name": "first_name", "required": True, "label": IMG},
            {"name": "last_name", "required": False, "label": SCRIPT},
            {"name": "email", "required": True, "label": TEMPLATE},
            {"name": "description", "required": False, "label": ""},
        ],
        responsible=[alice],
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # The form as another site shows it; it posts to the CRM, whose pages answer.
    page.set_content(form_html(web_form, live_server.url + submit_url(web_form)))

    def send(email):
        page.locator("input[name=first_name]").fill(IMG)
        page.locator("input[name=last_name]").fill(SCRIPT)
        page.locator("input[name=email]").fill(email)
        page.locator("textarea[name=description]").fill(f"{SCRIPT}\n{TEMPLATE}")
        # The browser's own checks would stop the bad address before the CRM sees it.
        page.locator("form").evaluate("form => { form.noValidate = true; }")
        page.locator("form [type=submit]").click()
        page.wait_for_url(re.compile(r"/f/"))

    # An invalid address: the CRM's page lists what is wrong, by the fields' labels.
    send(f"{IMG}@example.com")
    assert_inert(page, dialogs, "errors page")
    expect(page.locator("body")).to_contain_text(f"{TEMPLATE}: Enter a valid email")
    # Sent at once, as a robot would: the CRM's page asks to confirm, values kept.
    page.set_content(form_html(web_form, live_server.url + submit_url(web_form)))
    send("ann@example.com")
    assert_inert(page, dialogs, "confirmation page")
    expect(page.locator("body")).to_contain_text(SCRIPT)
    expect(page.locator("body")).to_contain_text(IMG)
    settings.WEBFORM_MIN_SECONDS = 0
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(re.compile(r"/thanks/$"))
    assert_inert(page, dialogs, "thanks page")
    assert Contact.objects.filter(first_name=IMG, last_name=SCRIPT).exists()
