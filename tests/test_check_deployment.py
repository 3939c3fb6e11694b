"""manage.py check_deployment: a good deployment passes, mistakes are named."""

import io
import os
import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.support import CACHE_URL, redis_reachable

STRONG_KEY = "t7#Kq9!vLz2@Wm4$Rp8^Xc1&Hn6*Bd3(Fs5)Gj0_Ye-Ua+Io=Pe[Ra]Sb{Tc}"


@pytest.fixture
def smtp_port():
    """A port something listens on, as an SMTP server would."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        yield server.getsockname()[1]


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def deployed(settings, tmp_path, smtp_port, db):
    """The settings of a good deployment behind HTTPS, with Redis when it is there."""
    settings.DEBUG = False
    settings.SECRET_KEY = STRONG_KEY
    settings.ALLOWED_HOSTS = ["crm.example.com"]
    settings.SITE_URL = "https://crm.example.com"
    settings.CSRF_TRUSTED_ORIGINS = ["https://crm.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    (settings.STATIC_ROOT / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.DEFAULT_FROM_EMAIL = "crm@example.com"
    if redis_reachable():
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": CACHE_URL,
                "KEY_PREFIX": f"test-check-deployment-{os.getpid()}",
            }
        }
    return settings


def check_deployment():
    """Return (exit status, {(level, topic): [messages]}) of the command."""
    out = io.StringIO()
    try:
        call_command("check_deployment", stdout=out, no_color=True)
        status = 0
    except SystemExit as exit:
        status = exit.code
    found = {}
    for line in out.getvalue().splitlines():
        parts = line.split(None, 1)
        if parts and parts[0] in ("OK", "WARNING", "ERROR"):
            topic, _, message = line[9:].partition("  ")
            found.setdefault((parts[0], topic.strip()), []).append(message.strip())
    return status, found


def test_a_good_deployment_passes(deployed, connection_vendor):
    status, found = check_deployment()

    assert status == 0
    assert not [key for key in found if key[0] == "ERROR"]
    ok = {topic for level, topic in found if level == "OK"}
    topics = {"debug", "secret key", "hosts", "database", "media", "email", "tasks"}
    assert topics | {"static files", "django"} <= ok
    warnings = {topic for level, topic in found if level == "WARNING"}
    expected = set()
    if connection_vendor == "sqlite":
        expected.add("database")  # SQLite is named, even for one server
    if not redis_reachable():
        expected.add("cache")
    else:
        assert ("OK", "cache") in found
    assert warnings == expected


@pytest.fixture
def connection_vendor():
    from django.db import connection

    return connection.vendor


def _one_pending_migration(executor, targets):
    return [(Migration("0099_next", "contacts"), False)]


def late_task():
    from django_tasks_db.models import DBTaskResult

    from contacts.trash.services import purge_trash

    result = purge_trash.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        run_after=timezone.now() - timedelta(minutes=10)
    )


@pytest.mark.parametrize(
    ("change", "level", "topic", "words"),
    [
        ({"DEBUG": True}, "ERROR", "debug", "DEBUG is on"),
        ({"SECRET_KEY": "insecure-development-key"}, "ERROR", "secret key", "not set"),
        ({"SECRET_KEY": "short-but-random-Q3x"}, "ERROR", "secret key", "weak"),
        ({"SITE_URL": "https://other.example.org"}, "ERROR", "hosts", "not in ALLOWED_HOSTS"),
        ({"SITE_URL": "http://crm.example.com"}, "WARNING", "hosts", "not https"),
        ({"ALLOWED_HOSTS": ["*"]}, "WARNING", "hosts", "any host"),
        ({"CSRF_TRUSTED_ORIGINS": ["https://elsewhere.org"]}, "WARNING", "hosts", "elsewhere"),
        (
            {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
            "WARNING",
            "email",
            "No e-mail",
        ),
        ({"EMAIL_PORT": "closed"}, "ERROR", "email", "cannot be reached"),
        ({"DEFAULT_FROM_EMAIL": "crm@localhost"}, "WARNING", "email", "crm@localhost"),
        ({"MEDIA_ROOT": "missing"}, "ERROR", "media", "does not exist"),
        ({"STATIC_ROOT": "empty"}, "ERROR", "static files", "collectstatic"),
        ({"CACHES": "unreachable"}, "ERROR", "cache", "cannot be reached"),
        ({"APP_SERVERS": 2, "CACHES": "local"}, "ERROR", "cache", "CACHE_URL is not set"),
        ({"CACHES": "local"}, "WARNING", "cache", "on its own"),
        ({"late_task": True}, "ERROR", "tasks", "no task worker runs"),
        ({"pending_migration": True}, "ERROR", "database", "contacts.0099_next"),
        ({"SECURE_HSTS_SECONDS": 0}, "WARNING", "django", "security.W004"),
    ],
)
def test_each_mistake_is_reported(deployed, tmp_path, monkeypatch, change, level, topic, words):
    for name, value in change.items():
        if name == "EMAIL_PORT":
            value = closed_port()
        elif name == "MEDIA_ROOT":
            value = tmp_path / "nowhere"
        elif name == "STATIC_ROOT":
            value = tmp_path / "not-collected"
            value.mkdir()
        elif name == "CACHES":
            backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
            if value == "unreachable":
                backend = {
                    "BACKEND": "django_redis.cache.RedisCache",
                    "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
                    "OPTIONS": {"IGNORE_EXCEPTIONS": True},
                }
            value = {"default": backend}
        elif name == "late_task":
            late_task()
            continue
        elif name == "pending_migration":
            monkeypatch.setattr(MigrationExecutor, "migration_plan", _one_pending_migration)
            continue
        setattr(deployed, name, value)

    status, found = check_deployment()

    assert any(words in message for message in found.get((level, topic), [])), found
    assert status == (1 if level == "ERROR" else 0)


def test_several_servers_on_sqlite_is_an_error(deployed, connection_vendor):
    deployed.APP_SERVERS = 2

    status, found = check_deployment()

    if connection_vendor == "sqlite":
        assert status == 1
        assert "several servers need PostgreSQL" in found[("ERROR", "database")][0]
    else:
        assert ("OK", "database") in found
    assert "same folder on every server" in found[("OK", "media")][0]
