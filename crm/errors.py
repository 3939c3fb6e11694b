"""The page shown when the database cannot be reached: 503, "try again", never a 500.

A restart of PostgreSQL, a network cut or a full connection pool make Django raise
OperationalError (or InterfaceError on a connection that died meanwhile). The request
did nothing (its transaction rolled back with the connection), so the honest answer is
"temporarily unavailable, please try again", in the visitor's language: the public
website-form page is shown to people coming from other sites. Two ways in, for every
page: the middleware takes what a view raises (with DEBUG on too), and handler500 what
the other middleware raise (the session, the user). The next request gets a new
connection by itself: settings.CONN_HEALTH_CHECKS.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def database_unavailable(request):
    """Return the 503 page; it reads nothing from the database."""
    # No context processor: they would ask the database (the user's notifications).
    html = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
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
        return None


def server_error(request):
    """handler500: the 503 page when the error is the database's, else Django's 500."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return database_unavailable(request)
    return defaults.server_error(request)
