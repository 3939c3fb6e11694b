"""The photo fetcher's guard: only public addresses, each hop checked, limited size and time."""

import socket

import pytest

from contacts.photos import remote as remote_photos
from contacts.photos.remote import FetchRefused, check_address, fetch, site_icon_urls
from contacts.photos.sources import fetched_photo
from tests.picture_server import PictureServer, ico

PRIVATE = "This address leads to a private network: it is not fetched."

NOT_PUBLIC = [
    "10.1.2.3",  # private
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "127.0.0.1",  # loopback
    "169.254.169.254",  # link-local: a cloud's metadata service
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "0.0.0.0",  # noqa: S104 - unspecified
    "::1",
    "fe80::1",
    "fc00::1",  # unique local
    "ff02::1",
    "::",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
]


@pytest.fixture(autouse=True)
def _nothing_private(settings):
    settings.PHOTO_FETCH_ALLOW_PRIVATE = []
    settings.PHOTO_FETCH_TIMEOUT = 2


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_each_kind_of_non_public_address_is_refused(address):
    with pytest.raises(FetchRefused, match=PRIVATE):
        check_address(address)
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(FetchRefused, match=PRIVATE):
        fetch(f"http://{host}/photo.png")


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_a_public_address_passes_the_check(address):
    assert str(check_address(address)) == address


def test_a_host_name_of_the_machine_itself_is_refused_before_any_request():
    server = PictureServer()
    try:
        server.image("/photo.png")
        with pytest.raises(FetchRefused, match=PRIVATE):
            fetch(server.url.replace("127.0.0.1", "localhost") + "/photo.png")
        assert server.requests == []
    finally:
        server.stop()


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/a.png", "file:///etc/passwd", "gopher://x/", "http://", "javascript:1"],
)
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchRefused, match="starts with http:// or https://"):
        fetch(url)


def test_an_address_with_a_password_is_refused():
    with pytest.raises(FetchRefused, match="user name or password"):
        fetch("http://user:secret@example.com/a.png")


def test_a_private_address_allowed_in_the_settings_is_fetched(picture_server):
    picture_server.image("/photo.png", b"PNGDATA")
    fetched = fetch(picture_server.url + "/photo.png")
    assert fetched.body == b"PNGDATA"
    assert fetched.content_type == "image/png"


def test_a_redirect_to_a_private_address_is_refused(picture_server):
    inside = PictureServer(host="127.0.0.2")  # loopback too, and not in the allowed network
    try:
        inside.image("/secret.png")
        picture_server.redirect("/photo.png", inside.url + "/secret.png")
        with pytest.raises(FetchRefused, match=PRIVATE):
            fetch(picture_server.url + "/photo.png")
        assert picture_server.requests == ["/photo.png"]
        assert inside.requests == []
    finally:
        inside.stop()


def test_redirects_are_followed_three_times_at_most(picture_server):
    picture_server.image("/end.png", b"END")
    for n in range(4):
        picture_server.redirect(f"/r{n}", f"/r{n + 1}" if n < 3 else "/end.png")
    assert fetch(picture_server.url + "/r1").body == b"END"  # r1, r2, r3: three redirects
    with pytest.raises(FetchRefused, match="redirects too many times"):
        fetch(picture_server.url + "/r0")


def test_a_body_larger_than_the_limit_is_refused(settings, picture_server):
    settings.PHOTO_MAX_BYTES = 1000
    picture_server.image("/big.png", b"x" * 1001)
    picture_server.endless("/endless.png")  # no Content-Length: counted while read
    picture_server.image("/fits.png", b"x" * 1000)
    with pytest.raises(FetchRefused, match="too large"):
        fetch(picture_server.url + "/big.png")
    with pytest.raises(FetchRefused, match="too large"):
        fetch(picture_server.url + "/endless.png")
    assert len(fetch(picture_server.url + "/fits.png").body) == 1000


def test_a_site_that_does_not_answer_in_time_is_given_up(settings, picture_server):
    settings.PHOTO_FETCH_TIMEOUT = 0.3
    picture_server.slow("/slow.png", seconds=2)
    with pytest.raises(FetchRefused, match="took too long"):
        fetch(picture_server.url + "/slow.png")


def test_something_that_is_not_an_image_is_refused(picture_server):
    picture_server.page("/page.png", "<html><body>Not a picture</body></html>")
    with pytest.raises(FetchRefused, match="not a JPEG, PNG, GIF or WebP image"):
        fetched_photo(picture_server.url + "/page.png")


def test_a_web_site_icon_is_re_encoded_as_a_png(picture_server):
    picture_server.image("/favicon.ico", ico(), content_type="image/x-icon")
    photo, thumb = fetched_photo(picture_server.url + "/favicon.ico")
    assert photo.name == "photo.png" and thumb.name == "t.png"
    assert photo.read().startswith(b"\x89PNG")


def test_the_host_is_looked_up_once_and_the_checked_address_is_the_one_reached(
    monkeypatch, picture_server
):
    """A second lookup could answer an inside address (DNS rebinding): there is none."""
    real = socket.getaddrinfo
    asked = []

    def rebinding(host, port, *args, **kwargs):
        if host == "pictures.test":
            asked.append(host)
            # First the public face the guard checks, then the inside address.
            address = "127.0.0.1" if len(asked) == 1 else "169.254.169.254"
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(remote_photos.socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    picture_server.image("/photo.png", b"OK")
    port = picture_server.url.rsplit(":", 1)[1]
    assert fetch(f"http://pictures.test:{port}/photo.png").body == b"OK"
    assert asked == ["pictures.test"]


def test_a_home_page_names_its_largest_icon_first():
    html = """<html><head>
      <link rel="icon" href="/favicon-32.png" sizes="32x32">
      <link rel="apple-touch-icon" href="/touch.png">
      <link rel="icon" href="https://cdn.example.com/icon-192.png" sizes="192x192">
      <link rel="stylesheet" href="/site.css">
    </head><body><link rel="icon" href="/late.png"></body></html>"""
    assert site_icon_urls("https://example.com/", html) == [
        "https://cdn.example.com/icon-192.png",
        "https://example.com/touch.png",
        "https://example.com/favicon-32.png",
    ]
