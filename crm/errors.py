"""The page shown when the database cannot be reached: 503, "try again", never a 500.

A restart of PostgreSQL, a network cut or a full connection pool make Django raise
OperationalError (or InterfaceError on a connection that died meanwhile). The request
did nothing (its transaction rolled back with the connection), so the honest answer is
"temporarily unavailable, please try again", in the visitor's language: the public
website-form page is shown to people coming from other sites. Two ways in, for every
page: the middleware takes what a view raises (with DEBUG on too), and handler500 what
the other middleware raise (the session, the user). The next request gets a new
connection by itself: settings.CONN_HEALTH_CHECKS.

A full disk under Django's temporary folder, where it writes a large upload while it
reads the request, comes the same two ways (the CSRF check reads the request first):
507, "nothing was saved". A full MEDIA_ROOT is the forms' own message (contacts/storage.py).
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from contacts.storage import is_disk_full

logger = logging.getLogger(__name__)
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def storage_full(request):
    """Return the 507 page: an upload found the server's temporary folder full.

    Django writes a large upload to a temporary file while it reads the request: the
    request stops there, before any view saved anything.
    """
    html = loader.get_template("507.html").render({"title": _("The server’s disk is full")})
    response = HttpResponse(html, status=507)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(request):
    """Return the 503 page; it reads nothing from the database."""
    # No context processor: they would ask the database (the user's notifications).
    context = {"title": _("Temporarily unavailable"), "retry_after": RETRY_AFTER_SECONDS}
    html = loader.get_template("503.html").render(context)
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 instead of 500 when a view finds the database unreachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logger.warning("Database unavailable on %s", request.path, exc_info=exception)
            return database_unavailable(request)
        if is_disk_full(exception):
            logger.error("Disk full on %s", request.path, exc_info=exception)
            return storage_full(request)
        return None


def server_error(request):
    """handler500: the 503 page when the error is the database's, the 507 page when the
    disk is full (an upload read by a middleware, the CSRF check), else Django's 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN):
        return database_unavailable(request)
    if is_disk_full(error):
        return storage_full(request)
    return defaults.server_error(request)
