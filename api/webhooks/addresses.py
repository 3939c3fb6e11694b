"""Where a webhook may be sent: never into the server's own network.

The CRM, not the admin's browser, sends the messages: an address could point at the
machines around the server (a database, a cloud's metadata service). An address is
checked when it is subscribed and again at each sending, on the addresses its host has
then (DNS may have changed); the message goes to the checked address itself.
WEBHOOK_ALLOW_PRIVATE lets private addresses, and plain http, through (tests, a local
receiver).
"""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from contacts.photos.remote import IPAddress, is_public


class UrlRefused(Exception):
    """The address may not receive webhooks; str() says why, for the admin."""


def split(url: str) -> tuple[SplitResult, str, int]:
    """Return url's parts, host and port, or raise UrlRefused."""
    allow_http = settings.WEBHOOK_ALLOW_PRIVATE
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(_("Enter a web address that starts with https://.")) from exc
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise UrlRefused(_("Enter a web address that starts with https://."))
    if parts.username or parts.password:
        raise UrlRefused(_("A web address with a user name or password is refused."))
    return parts, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[IPAddress]:
    """Return host's addresses; refuse them all if one of them is private."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UrlRefused(_("This address could not be found.")) from exc
    addresses = []
    for text in dict.fromkeys(str(info[4][0]) for info in infos):
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        if ip.version == 6 and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not (is_public(ip) or settings.WEBHOOK_ALLOW_PRIVATE):
            raise UrlRefused(_("This address leads to a private network: it is refused."))
        addresses.append(ip)
    if not addresses:
        raise UrlRefused(_("This address could not be found."))
    return addresses


def url_check(url: str) -> list[IPAddress]:
    """Return the addresses url may be sent to now, or raise UrlRefused."""
    _parts, host, port = split(url)
    return resolve(host, port)
