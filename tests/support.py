"""Helpers the tests share: the Redis of multi-process tests, pages read as text, forms
posted as a browser would, CSV files written out, the website forms' own, and second
factors for signing in.

Fixtures live in conftest.py; what a test imports by name lives here.
"""

import csv
import io
import json
import os
import re
import time
from html.parser import HTMLParser
from unittest import mock

import redis
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import sha256
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)

from contacts.models import Contact
from contacts.webforms import services
from contacts.webforms.html import form_html
from contacts.webforms.validation import issue_timestamp

# The Redis server of the tests that run several processes (a database of their own).
CACHE_URL = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/3")


def redis_reachable():
    try:
        return redis.Redis.from_url(CACHE_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False


# Pages


def page_of(response):
    """Return the page a successful response shows."""
    assert response.status_code == 200
    return response.content.decode()


def table_row(page, row_id):
    """Return the HTML inside the table row <tr id="row_id">, failing when there is none."""
    match = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"no row {row_id}"
    return match.group(1)


def form_data(**fields):
    """Return POST data for the contact form, with empty formsets unless given."""
    data = {"access": "private", "currency": "EUR"}
    for prefix in ("email", "phone", "web", "address"):
        rows = fields.pop(prefix, [])
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for n, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{n}-{key}"] = value
    data.update(fields)
    return data


def csv_text(*rows):
    """Return rows written as a CSV file's text."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def in_trash(contact):
    """Return whether contact is in the trash now."""
    return Contact.all_objects.get(pk=contact.pk).deleted_at is not None


# Website forms


PERSON_FIELDS = [
    {"name": "last_name", "required": True, "label": ""},
    {"name": "email", "required": True, "label": ""},
    {"name": "phone", "required": False, "label": ""},
    {"name": "company_name", "required": False, "label": ""},
    {"name": "description", "required": False, "label": ""},
]


def make_web_form(**kwargs):
    """Create a form for persons through the service; keyword arguments replace the defaults."""
    values = {
        "name": "Contact us",
        "kind": Contact.Kind.PERSON,
        "language": "en",
        "fields": PERSON_FIELDS,
        "success_url": "https://www.example.com/thanks",
        "allowed_hosts": ["www.example.com"],
    }
    values.update(kwargs)
    return services.web_form_save(data=services.WebFormData(**values))


class _Inputs(HTMLParser):
    """Read the fields as a browser sends them: a text area's text, the option selected."""

    def __init__(self):
        super().__init__()
        self.fields = {}  # name: value, in order
        self.forms = []
        self._text_of = None  # the name whose value is the text that follows
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(attrs)
        if tag in ("input", "textarea", "select") and "name" in attrs:
            unchecked = attrs.get("type") == "checkbox" and "checked" not in attrs
            self.fields[attrs["name"]] = "" if unchecked else attrs.get("value") or ""
            self._select = attrs["name"] if tag == "select" else None
            self._text_of = attrs["name"] if tag == "textarea" else None
        if tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""
            self._text_of = self._select if "value" not in attrs else None

    def handle_data(self, data):
        if self._text_of:
            self.fields[self._text_of] += data

    def handle_endtag(self, tag):
        if tag in ("textarea", "option"):
            self._text_of = None


def parse_form(html):
    """Return (the <form> tag's attributes, {input name: value}) of generated HTML."""
    parser = _Inputs()
    parser.feed(html)
    assert len(parser.forms) == 1
    return parser.forms[0], parser.fields


def old_timestamp(web_form, seconds=60):
    """Return a signed timestamp issued `seconds` ago, as if the page had been open that long."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - seconds):
        return issue_timestamp(web_form.public_id)


def posted(web_form, **fields):
    """Return what a browser posts after filling the generated form for a minute."""
    _form, data = parse_form(form_html(web_form, f"http://testserver/f/{web_form.public_id}/"))
    data["_ts"] = old_timestamp(web_form)
    data.update(fields)
    return data


def submit_url(web_form):
    return f"/f/{web_form.public_id}/"


# Sign-in


def make_security_key(user, name="Security key", *, host="testserver"):
    """Give user a WebAuthn key as django-allauth stores one: a real (unattested) public key.

    Browsers make these; the tests write the registration they would have sent.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    credential_id = os.urandom(16)
    credential = AttestedCredentialData.create(
        bytes(16), credential_id, ES256.from_cryptography_key(key.public_key())
    )
    flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT
    auth_data = AuthenticatorData.create(sha256(host.encode()), flags, 0, credential)
    registration = RegistrationResponse(
        raw_id=credential_id,
        response=AuthenticatorAttestationResponse(
            client_data=CollectedClientData.create(
                type="webauthn.create", challenge=os.urandom(16), origin=f"http://{host}"
            ),
            attestation_object=AttestationObject.create("none", auth_data, {}),
        ),
    )
    return Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": name, "credential": json.loads(json.dumps(dict(registration)))},
    )


def totp_code(secret, *, at=None):
    """Return the code an authenticator app shows for secret (now, or at a Unix time)."""
    counter = int((time.time() if at is None else at) // 30)
    return format_hotp_value(hotp_value(secret, counter))


def log_in_recently(client, user):
    """Log client in as user, as if he had just confirmed his password again.

    The pages that change a second factor ask for the password again unless it was
    confirmed in the last few minutes; django-allauth keeps when in the session.
    """
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client
