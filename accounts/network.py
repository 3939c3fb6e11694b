"""Where a request comes from, as every throttle counts it."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the visitor's address: REMOTE_ADDR, or the proxy's header when one is set.

    Behind one reverse proxy, CLIENT_IP_HEADER names the header it appends the client's
    address to (e.g. HTTP_X_FORWARDED_FOR); the last address is the one it saw.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        addresses = [a.strip() for a in request.META.get(header, "").split(",") if a.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR", "")
