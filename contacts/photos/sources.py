"""The pictures a contact's own details point to: the photo dialog's suggestions.

The Gravatar of each e-mail, the avatar of a GitHub profile, the icon of a web site (a
company's logo, often). Social networks that publish no avatar without their own API
(LinkedIn, X, Facebook...) offer nothing: their icon is their logo, not the contact.
"""

import base64
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from contacts.links import web_href
from contacts.models import Contact, ContactInfo
from contacts.photos.files import ALLOWED_FORMATS, process_photo
from contacts.photos.remote import PAGE_MAX_BYTES, FetchRefused, fetch, site_icon_urls

MAX_CANDIDATES = 8
# A web site's icon may be an ICO file; it is stored re-encoded, as every photo.
FETCHED_FORMATS = ALLOWED_FORMATS | {"ICO"}
GITHUB_HOSTS = {"github.com", "www.github.com"}
GITHUB_USER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
# Hosts whose pages are profiles on a network, not the contact's own site.
NETWORK_HOSTS = {
    "linkedin.com",
    "x.com",
    "twitter.com",
    "facebook.com",
    "fb.com",
    "instagram.com",
    "t.me",
    "wa.me",
    "youtube.com",
    "tiktok.com",
}


@dataclass
class Source:
    """Where a picture may be: what the dialog says about it, and how to fetch it."""

    label: str
    url: str  # the picture's address; for a site, its home page
    site: bool = False  # a home page, whose icon is looked for


@dataclass
class Candidate:
    label: str
    url: str  # the picture's own address, posted back when it is chosen
    preview: str  # a data: URL of the picture as it would be stored


def gravatar_url(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return settings.PHOTO_GRAVATAR_URL.format(hash=digest)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") if host.startswith("www.") else host


def sources_for(contact: Contact) -> list[Source]:
    """Return where pictures of contact may be, from its e-mails and web links."""
    sources: list[Source] = []
    seen: set[str] = set()

    def add(source: Source) -> None:
        if source.url not in seen:
            seen.add(source.url)
            sources.append(source)

    infos = sorted(contact.infos.all(), key=lambda i: (not i.is_primary, i.position, i.pk))
    for info in infos:
        if info.kind == ContactInfo.Kind.EMAIL:
            add(
                Source(_("Gravatar of %(email)s") % {"email": info.value}, gravatar_url(info.value))
            )
    for info in infos:
        if info.kind != ContactInfo.Kind.WEB:
            continue
        url = web_href(info.category, info.value)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        host = parts.hostname.lower()
        segments = [s for s in parts.path.split("/") if s]
        if host in GITHUB_HOSTS:
            if len(segments) == 1 and GITHUB_USER.fullmatch(segments[0]):
                add(
                    Source(
                        _("GitHub profile %(user)s") % {"user": segments[0]},
                        settings.PHOTO_GITHUB_URL.format(user=segments[0]),
                    )
                )
            continue
        if _host(url) in NETWORK_HOSTS or any(host.endswith("." + h) for h in NETWORK_HOSTS):
            continue
        home = f"{parts.scheme}://{parts.netloc}/"
        add(Source(_("Icon of %(site)s") % {"site": parts.hostname}, home, site=True))
    return sources[:MAX_CANDIDATES]


def fetched_photo(url: str) -> tuple[ContentFile[bytes], ContentFile[bytes]]:
    """Return (photo, thumbnail) files of the picture at url, or raise FetchRefused."""
    fetched = fetch(url)
    try:
        return process_photo(ContentFile(fetched.body, name="fetched"), FETCHED_FORMATS)
    except ValidationError as exc:
        raise FetchRefused(" ".join(exc.messages)) from exc


def _preview(photo: ContentFile[bytes]) -> str:
    photo.seek(0)
    kind = "png" if (photo.name or "").endswith(".png") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(photo.read()).decode()}"


def _candidate(source: Source) -> Candidate:
    if not source.site:
        photo, _thumb = fetched_photo(source.url)
        return Candidate(source.label, source.url, _preview(photo))
    try:
        page = fetch(source.url, accept="text/html", max_bytes=PAGE_MAX_BYTES)
        icons = site_icon_urls(page.url, page.body.decode("utf-8", "replace"))
    except FetchRefused:
        icons = []
    base = urlsplit(source.url)
    for url in [*icons[:2], f"{base.scheme}://{base.netloc}/favicon.ico"]:
        try:
            photo, _thumb = fetched_photo(url)
        except FetchRefused:
            continue
        return Candidate(source.label, url, _preview(photo))
    raise FetchRefused(_("No picture was found at this address."))


def _found(source: Source) -> Candidate | None:
    try:
        return _candidate(source)
    except FetchRefused:
        return None


def candidates_for(contact: Contact) -> list[Candidate]:
    """Return the pictures found from contact's details, fetched side by side; those that
    could not be fetched (no network, none published) are left out without a word."""
    sources = sources_for(contact)
    if not sources or not settings.PHOTO_FETCH_ENABLED:
        return []
    with ThreadPoolExecutor(max_workers=min(4, len(sources))) as pool:
        found = list(pool.map(_found, sources))
    return [c for c in found if c is not None]
