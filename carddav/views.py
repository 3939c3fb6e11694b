"""The DAV addresses: each finds its resource for the user the app password names, then
hands the method to carddav.methods.

No session, no CSRF token (nothing rides on a cookie) and no sign-in page: a refused
client gets a 401 asking for Basic credentials. Another user's addresses answer 404.
"""

from collections.abc import Callable
from functools import partial

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
)
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from carddav import books, dav, methods, resources, writes
from carddav.auth import dav_user
from carddav.resources import Resource

# What a view finds for the signed-in user: the resource, a way to list its members (None
# for a card), or None when there is nothing of his there.
Found = tuple[Resource, methods.Members] | None


def dav_view(
    locate: Callable[..., Found], write: Callable[..., HttpResponseBase] | None = None
) -> Callable[..., HttpResponseBase]:
    """Make a view of locate(user, **url kwargs): authenticate, then answer the method;
    write(request, user, **url kwargs) answers PUT and DELETE where there is one."""

    @csrf_exempt
    @login_not_required
    def view(request: HttpRequest, **kwargs: str) -> HttpResponseBase:
        with translation.override("en"):
            user = dav_user(request)
            if isinstance(user, HttpResponse):
                return user
            if write is not None and request.method in writes.METHODS:
                return write(request, user, **kwargs)
            found = locate(user, **kwargs)
            if found is None:
                return dav.error(404, dav.tag(dav.CRM, "not-found"), "Nothing here.")
            return _answer(request, user, *found)

    view.__name__ = view.__qualname__ = locate.__name__
    view.__doc__ = locate.__doc__
    return view


def _answer(
    request: HttpRequest, user: User, resource: Resource, members: methods.Members
) -> HttpResponseBase:
    method = request.method or ""
    if method == "OPTIONS":
        return methods.options()
    if method == "PROPFIND":
        return methods.propfind(request, user, resource, members)
    if method == "REPORT":
        if resource.book and members is not None:
            return methods.report(request, user, resource.book)
        return methods.no_report()
    if method in ("GET", "HEAD"):
        return methods.get(request, user, resource, members)
    return methods.read_only() if method in methods.WRITE_METHODS else methods.not_allowed()


def _own(user: User, username: str) -> bool:
    return user.get_username() == username


@dav_view
def root(user: User) -> Found:
    """The server's root: where a client finds the signed-in user's principal."""
    return resources.root(user), None


@dav_view
def principal(user: User, username: str) -> Found:
    """The user's principal: where his address books are."""
    return (resources.principal(user), None) if _own(user, username) else None


@dav_view
def home(user: User, username: str) -> Found:
    """The user's address book home: his books."""
    if not _own(user, username):
        return None
    offered = books.offered_books(user)
    return resources.home(user), lambda: (
        resources.book(user, name, title) for name, title in offered.items()
    )


@dav_view
def book(user: User, username: str, book: str) -> Found:
    """One of the user's address books: its cards."""
    title = books.offered_books(user).get(book) if _own(user, username) else None
    if title is None:
        return None
    return resources.book(user, book, title), lambda: methods.book_members(user, book)


@partial(dav_view, write=writes.card_write)
def card(user: User, username: str, book: str, card: str) -> Found:
    """One card of a book, when its contact is in the book for this user."""
    if not _own(user, username) or book not in books.offered_books(user):
        return None
    pk = resources.contact_id(card)
    if pk is None:
        return None
    contacts = books.book_contacts(user, book).filter(pk=pk)
    row = next(books.card_rows(contacts), None)
    return (resources.card(user, book, row), None) if row is not None else None


@csrf_exempt
@login_not_required
def well_known(request: HttpRequest) -> HttpResponse:
    """Send a client looking for the address books to the DAV root (RFC 6764)."""
    return HttpResponsePermanentRedirect("/dav/")
