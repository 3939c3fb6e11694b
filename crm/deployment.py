"""What `manage.py check_deployment` checks: a deployment's configuration, for its operator.

Each check returns Results: a level (OK, WARNING, ERROR), a topic and a sentence. They
look at the settings and at what the settings point to (the database, Redis, the media
folder, the SMTP server, the task queue, the collected static files), so unlike Django's
system checks they talk to the services. The operator reads them in English, as Django's
own command output.
"""

import os
import socket
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http.request import validate_host
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

OK, WARNING, ERROR = "OK", "WARNING", "ERROR"
INSECURE_KEY_PREFIXES = ("insecure-", "django-insecure-")
NOT_SENDING_BACKENDS = ("console", "locmem", "dummy", "filebased")
TASKS_LATE = timedelta(minutes=5)  # a task waiting longer means no worker runs the queue


@dataclass
class Result:
    level: str
    topic: str
    message: str


def several_servers():
    return settings.APP_SERVERS > 1


def check_debug():
    if settings.DEBUG:
        return [Result(ERROR, "debug", "DEBUG is on: set DEBUG=0.")]
    return [Result(OK, "debug", "DEBUG is off.")]


def check_secret_key():
    key = settings.SECRET_KEY or ""
    if not key or key.startswith(INSECURE_KEY_PREFIXES):
        return [Result(ERROR, "secret key", "SECRET_KEY is not set: the development key is used.")]
    if len(key) < 50 or len(set(key)) < 5:
        return [
            Result(ERROR, "secret key", "SECRET_KEY is weak: use 50 random characters or more.")
        ]
    return [Result(OK, "secret key", "SECRET_KEY is set and long enough.")]


def check_hosts():
    results = []
    hosts = settings.ALLOWED_HOSTS
    site = urlsplit(settings.SITE_URL)
    if not hosts:
        results.append(Result(ERROR, "hosts", "ALLOWED_HOSTS is empty: every request fails."))
    elif "*" in hosts:
        results.append(Result(WARNING, "hosts", "ALLOWED_HOSTS accepts any host ('*')."))
    if not site.hostname:
        results.append(Result(ERROR, "hosts", f"SITE_URL is not an address: {settings.SITE_URL}"))
    elif hosts and not validate_host(site.hostname, hosts):
        results.append(
            Result(
                ERROR,
                "hosts",
                f"SITE_URL's host {site.hostname} is not in ALLOWED_HOSTS: "
                "links in e-mails would point to a site that refuses them.",
            )
        )
    elif site.scheme != "https":
        results.append(Result(WARNING, "hosts", f"SITE_URL is not https: {settings.SITE_URL}"))
    for origin in settings.CSRF_TRUSTED_ORIGINS:
        host = urlsplit(origin).hostname or ""
        if not validate_host(host.lstrip("*."), hosts) and not host.startswith("*"):
            results.append(
                Result(WARNING, "hosts", f"CSRF_TRUSTED_ORIGINS names {origin}, not allowed.")
            )
    if not results:
        results.append(
            Result(OK, "hosts", f"ALLOWED_HOSTS and SITE_URL agree ({settings.SITE_URL}).")
        )
    return results


def check_database():
    vendor = connection.vendor
    results = []
    if vendor == "sqlite" and several_servers():
        results.append(
            Result(
                ERROR,
                "database",
                f"SQLite with APP_SERVERS={settings.APP_SERVERS}: several servers need "
                "PostgreSQL (DATABASE_URL=postgres://…).",
            )
        )
    elif vendor == "sqlite":
        results.append(
            Result(
                WARNING,
                "database",
                "SQLite: fine on one machine, but use PostgreSQL for production.",
            )
        )
    try:
        connection.ensure_connection()
        pending = pending_migrations()
    except DatabaseError as error:
        return [*results, Result(ERROR, "database", f"The database cannot be reached: {error}")]
    if pending:
        results.append(
            Result(
                ERROR,
                "database",
                f"{len(pending)} migrations are not applied (first: {pending[0]}): "
                "run manage.py migrate.",
            )
        )
    else:
        results.append(Result(OK, "database", f"{vendor} reachable, every migration applied."))
    return results


def pending_migrations():
    """Return the names of the migrations not applied yet, in order."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def check_cache():
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("RedisCache"):
        if several_servers():
            return [
                Result(
                    ERROR,
                    "cache",
                    "CACHE_URL is not set: with several servers the rate limits, sessions "
                    "and list pages must be shared in Redis.",
                )
            ]
        return [
            Result(
                WARNING,
                "cache",
                "CACHE_URL is not set: each process counts the rate limits on its own.",
            )
        ]
    probe = f"check-deployment:{os.getpid()}"
    try:
        # Straight to Redis: the cache itself ignores an outage (IGNORE_EXCEPTIONS).
        cache.client.get_client(write=True).ping()
        cache.set(probe, "1", 10)
        answered = cache.get(probe) == "1"
        cache.delete(probe)
    except Exception as error:  # noqa: BLE001 (redis-py's errors have no common Django base)
        return [Result(ERROR, "cache", f"Redis cannot be reached at CACHE_URL: {error}")]
    if not answered:
        return [Result(ERROR, "cache", "Redis does not keep what is written to it.")]
    return [Result(OK, "cache", "Redis reachable: rate limits, sessions and list pages shared.")]


def check_media():
    root = Path(settings.MEDIA_ROOT)
    shared = " It must be the same folder on every server." if several_servers() else ""
    if not root.is_dir():
        return [Result(ERROR, "media", f"MEDIA_ROOT {root} does not exist.{shared}")]
    try:
        with tempfile.NamedTemporaryFile(dir=root, prefix=".check-deployment-"):
            pass
    except OSError as error:
        return [Result(ERROR, "media", f"MEDIA_ROOT {root} is not writable: {error}")]
    return [Result(OK, "media", f"MEDIA_ROOT {root} is writable.{shared}")]


def check_email():
    backend = settings.EMAIL_BACKEND
    if any(f".{name}." in backend for name in NOT_SENDING_BACKENDS):
        return [Result(WARNING, "email", f"No e-mail is sent: EMAIL_BACKEND is {backend}.")]
    results = []
    if backend.endswith("smtp.EmailBackend"):
        try:
            with socket.create_connection((settings.EMAIL_HOST, settings.EMAIL_PORT), timeout=5):
                pass
        except OSError as error:
            address = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
            return [Result(ERROR, "email", f"The SMTP server {address} cannot be reached: {error}")]
    if settings.DEFAULT_FROM_EMAIL.endswith("@localhost"):
        results.append(
            Result(WARNING, "email", f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL}.")
        )
    return results or [Result(OK, "email", f"E-mails go out through {backend}.")]


def check_tasks():
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return [
            Result(
                WARNING,
                "tasks",
                f"TASKS_BACKEND is {backend}: no task waits for manage.py db_worker.",
            )
        ]
    now = timezone.now()
    try:
        late = (
            DBTaskResult.objects.filter(
                status=TaskResultStatus.READY, run_after__lt=now - TASKS_LATE
            )
            .order_by("run_after")
            .first()
        )
        last = DBTaskResult.objects.exclude(finished_at=None).order_by("-finished_at").first()
    except DatabaseError as error:
        return [Result(ERROR, "tasks", f"The task queue cannot be read: {error}")]
    if late:
        waiting = int((now - late.run_after).total_seconds() // 60)
        return [
            Result(
                ERROR,
                "tasks",
                f"A task has waited {waiting} minutes: no task worker runs (manage.py db_worker).",
            )
        ]
    seen = f" The last task finished at {last.finished_at:%Y-%m-%d %H:%M} UTC." if last else ""
    return [Result(OK, "tasks", f"No task waits longer than 5 minutes.{seen}")]


def check_static_files():
    storage = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" not in storage:
        return [Result(WARNING, "static files", f"Not hashed and compressed: {storage}.")]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.is_file():
        return [
            Result(
                ERROR,
                "static files",
                f"Not collected into {settings.STATIC_ROOT}: run manage.py collectstatic.",
            )
        ]
    return [Result(OK, "static files", f"Collected into {settings.STATIC_ROOT}.")]


def check_django_deploy():
    """Return Django's own `check --deploy` findings, one result each."""
    found = checks.run_checks(include_deployment_checks=True)
    results = [
        Result(
            ERROR if message.is_serious() else WARNING,
            "django",
            f"{message.id}: {message.msg}",
        )
        for message in found
        if message.level >= checks.WARNING and not message.is_silenced()
    ]
    return results or [Result(OK, "django", "manage.py check --deploy finds nothing.")]


CHECKS = [
    check_debug,
    check_secret_key,
    check_hosts,
    check_database,
    check_cache,
    check_media,
    check_email,
    check_tasks,
    check_static_files,
    check_django_deploy,
]


def check_all():
    return [result for check in CHECKS for result in check()]
