"""Fetch pictures from other sites for a contact's photo, without reaching the inside network.

The server, not the browser, fetches them: an address a user types, or one built from a
contact's e-mail or web site, could point at the machines around the server (a router,
a database, a cloud's metadata service). So the host name is resolved once, every
address it gives is checked, and the connection goes to the checked address itself: a
second lookup could answer differently (DNS rebinding). Redirects are followed by hand,
each hop checked again; the body is read up to a size limit, within a time limit.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TypedDict
from urllib.parse import SplitResult, urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _

MAX_REDIRECTS = 3
PAGE_MAX_BYTES = 512 * 1024  # a home page read for its icon links
USER_AGENT = "CRM-photo-fetcher/1.0"
# IPv6 ranges that carry an IPv4 address: the address inside is what is reached.
NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class FetchRefused(Exception):
    """The picture could not be fetched, or was refused; str() says why, for the user."""


class _PoolOptions(TypedDict):
    port: int
    maxsize: int
    retries: bool
    timeout: urllib3.Timeout


@dataclass
class Fetched:
    url: str  # where the body came from, after redirects
    content_type: str
    body: bytes


def _allowed_networks() -> list[IPNetwork]:
    allowed = settings.PHOTO_FETCH_ALLOW_PRIVATE
    if allowed is True:
        return [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
    return [ipaddress.ip_network(n, strict=False) for n in allowed or ()]


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 address stands for, if it stands for one."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """Return whether ip is an address of the public internet."""
    inner = _embedded_ipv4(ip)
    if inner is not None and not is_public(inner):
        return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (ip.version == 6 and ip.is_site_local)
    )


def check_address(address: str) -> IPAddress:
    """Return address as an ip_address, or raise FetchRefused if it may not be reached."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if is_public(ip) or any(ip in network for network in _allowed_networks()):
        return ip
    raise FetchRefused(_("This address leads to a private network: it is not fetched."))


def resolve(host: str, port: int) -> list[IPAddress]:
    """Return the checked addresses of host; refuse them all if one may not be reached."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchRefused(_("This site could not be reached.")) from exc
    # A host name resolves to IPv4 and IPv6 addresses, which getaddrinfo gives as text.
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchRefused(_("This site could not be reached."))
    return [check_address(a) for a in addresses]


def _split(url: str) -> tuple[SplitResult, str, int]:
    """Return url's parts, its host name and its port, or raise FetchRefused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(_("Enter a web address that starts with http:// or https://.")) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(_("Enter a web address that starts with http:// or https://."))
    if parts.username or parts.password:
        raise FetchRefused(_("A web address with a user name or password is not fetched."))
    return parts, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _timeout(deadline: float) -> urllib3.Timeout:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused(_("The site took too long to answer."))
    each = min(settings.PHOTO_FETCH_TIMEOUT, left)
    return urllib3.Timeout(connect=each, read=each)


def _request(
    parts: SplitResult, hostname: str, port: int, ip: IPAddress, accept: str, deadline: float
) -> tuple[urllib3.HTTPConnectionPool, urllib3.BaseHTTPResponse]:
    """Send one GET to the checked address ip; return its one-request pool and the
    response, its body unread."""
    try:
        host = hostname.encode("idna").decode("ascii")  # an accented domain name
    except UnicodeError as exc:
        raise FetchRefused(_("This site could not be reached.")) from exc
    host_header = f"[{host}]" if ":" in host else host
    if parts.port:
        host_header += f":{parts.port}"
    options: _PoolOptions = {
        "port": port,
        "maxsize": 1,
        "retries": False,
        "timeout": _timeout(deadline),
    }
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        # TLS is checked against the host name, though the socket goes to the address.
        pool = urllib3.HTTPSConnectionPool(
            str(ip),
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(str(ip), **options)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        response = pool.urlopen(
            "GET",
            path,
            headers={
                "Host": host_header,
                "User-Agent": USER_AGENT,
                "Accept": accept,
                "Accept-Encoding": "identity",
            },
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
        )
    except BaseException:
        pool.close()
        raise
    return pool, response


def _connect(
    parts: SplitResult, hostname: str, port: int, accept: str, deadline: float
) -> tuple[urllib3.HTTPConnectionPool, urllib3.BaseHTTPResponse]:
    addresses = resolve(hostname, port)
    for n, ip in enumerate(addresses[:2]):
        try:
            return _request(parts, hostname, port, ip, accept, deadline)
        except urllib3.exceptions.TimeoutError as exc:
            raise FetchRefused(_("The site took too long to answer.")) from exc
        except urllib3.exceptions.HTTPError as exc:
            if n == min(len(addresses), 2) - 1:
                raise FetchRefused(_("This site could not be reached.")) from exc
    raise FetchRefused(_("This site could not be reached."))


def _read(response: urllib3.BaseHTTPResponse, max_bytes: int, deadline: float) -> bytes:
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchRefused(_("This picture is too large."))
    body = bytearray()
    try:
        for chunk in response.stream(64 * 1024, decode_content=False):
            body += chunk
            if len(body) > max_bytes:
                raise FetchRefused(_("This picture is too large."))
            if time.monotonic() > deadline:
                raise FetchRefused(_("The site took too long to answer."))
    except urllib3.exceptions.TimeoutError as exc:
        raise FetchRefused(_("The site took too long to answer.")) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise FetchRefused(_("This site could not be reached.")) from exc
    return bytes(body)


def fetch(url: str, *, accept: str = "image/*", max_bytes: int | None = None) -> Fetched:
    """Return what url holds, or raise FetchRefused: only public addresses, checked at
    each redirect, within the size and time limits."""
    max_bytes = settings.PHOTO_MAX_BYTES if max_bytes is None else max_bytes
    # Every hop and the body share one allowance: a slow drip cannot hold a worker long.
    deadline = time.monotonic() + 2 * settings.PHOTO_FETCH_TIMEOUT
    for _hop in range(MAX_REDIRECTS + 1):
        parts, hostname, port = _split(url)
        pool, response = _connect(parts, hostname, port, accept, deadline)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise FetchRefused(_("No picture was found at this address."))
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchRefused(_("No picture was found at this address."))
            body = _read(response, max_bytes, deadline)
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            return Fetched(url=url, content_type=content_type.lower(), body=body)
        finally:
            response.release_conn()
            response.close()
    raise FetchRefused(_("This address redirects too many times."))


class _IconLinks(HTMLParser):
    """Collect the icons a page's <head> names: (rel, href, largest declared size)."""

    def __init__(self) -> None:
        super().__init__()
        self.icons: list[tuple[list[str], str, int]] = []
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.done = True
        if self.done or tag != "link":
            return
        named = {k: v or "" for k, v in attrs}
        rel = named.get("rel", "").lower().split()
        if named.get("href") and ("icon" in rel or "apple-touch-icon" in rel):
            self.icons.append((rel, named["href"].strip(), _largest(named.get("sizes", ""))))


def _largest(sizes: str) -> int:
    best = 0
    for size in sizes.lower().split():
        width = size.split("x")[0]
        if width.isdigit():
            best = max(best, int(width))
    return best


def site_icon_urls(page_url: str, html: str) -> list[str]:
    """Return the icon addresses a home page names, the likely largest first."""
    parser = _IconLinks()
    try:
        parser.feed(html[:PAGE_MAX_BYTES])
    except Exception:  # noqa: BLE001 - a broken page names no icon
        return []

    def rank(icon: tuple[list[str], str, int]) -> int:
        rel, _href, size = icon
        touch = "apple-touch-icon" in rel
        # A touch icon is 180 pixels when it says nothing; an icon says nothing when it is
        # the browser's 16 or 32.
        return -(size or (180 if touch else 16))

    return [urljoin(page_url, href) for _rel, href, _size in sorted(parser.icons, key=rank)]
