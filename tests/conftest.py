"""Personas and fixtures shared by every test (the helpers a test imports: tests/support.py).

alice is responsible for the contacts made with `contact`; bob is an ordinary CRM user
who is not; "admin" is in the CRM admins group; "root" is a superuser.
"""

import os
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import connection
from django.test.utils import override_settings

from contacts.db import freshness, search_sample
from contacts.models import CRM_ADMINS_GROUP, Contact
from contacts.services import ContactData, contact_create
from tests.picture_server import serve_pictures
from tests.support import CACHE_URL


@pytest.fixture(scope="session", autouse=True)
def _own_redis_database():
    """With CACHE_URL set (the suite run as deployed on Redis), a Redis database per process.

    Tests empty the cache, and Redis empties a whole database: two test processes sharing
    one would empty each other's sessions, rate limits and pages. The processes of pytest
    -n N take the N databases after CACHE_URL's, which the multi-process tests keep.
    """
    default = settings.CACHES["default"]
    if not default["BACKEND"].endswith("RedisCache"):
        yield
        return
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    base = urlsplit(CACHE_URL)
    own = base._replace(path=f"/{int(base.path.strip('/') or 0) + 1 + worker}").geturl()
    own_caches = {alias: {**config, "LOCATION": own} for alias, config in settings.CACHES.items()}
    with override_settings(CACHES=own_caches):
        yield True


@pytest.fixture(autouse=True)
def _empty_cache(_own_redis_database):
    # The cache keeps what a test put in it, while the database rolls the test back: a
    # session kept there would name a row that is gone, and the sign-in's throttles
    # (django-allauth counts there) would carry one test's failures into the next.
    for alias in settings.CACHES:
        caches[alias].clear()
    search_sample.forget()  # kept in the process's memory, read from the test's rows


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # A test's transaction never commits: the data version changes at each statement
    # instead of at the commit, so that a test reads its own writes in the list.
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.schema_editor() as editor:
                freshness.install_triggers(editor, initially="IMMEDIATE")


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's many rounds would make every persona cost a noticeable fraction of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(django_user_model):
    def make(username, **extra):
        extra.setdefault("email", f"{username}@example.com")
        extra.setdefault("first_name", username.capitalize())
        return django_user_model.objects.create_user(username=username, password="pw", **extra)

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice", last_name="Martin")


@pytest.fixture
def bob(make_user):
    return make_user("bob", last_name="Durand")


@pytest.fixture
def admin(make_user):
    user = make_user("admin")
    user.groups.add(Group.objects.get(name=CRM_ADMINS_GROUP))
    return user


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def admin_client(client, admin):
    """The client logged in as the CRM admin (not pytest-django's superuser)."""
    client.force_login(admin)
    return client


@pytest.fixture
def picture_server(settings):
    """A web server on 127.0.0.1 holding pictures, which the photo fetcher may reach."""
    yield from serve_pictures(settings)


@pytest.fixture
def make_contact(alice):
    """Create a contact through the service, by alice and with her responsible by default."""

    def make(kind=Contact.Kind.PERSON, *, by=None, access=Contact.Access.PRIVATE, **kwargs):
        by = by or alice
        fields = {"first_name": "Jean", "last_name": "Dupont"} if kind == "person" else {}
        if kind == Contact.Kind.COMPANY:
            fields["company_name"] = "Acme"
        for name in ("first_name", "last_name", "company_name", "job_title", "description"):
            if name in kwargs:
                fields[name] = kwargs.pop(name)
        kwargs.setdefault("responsible", [by])
        data = ContactData(kind=kind, fields=fields, access=access, **kwargs)
        return contact_create(by=by, data=data)

    return make


@pytest.fixture
def contact(make_contact):
    """A private person for whom alice is responsible."""
    return make_contact()
