"""WebDAV's XML: reading a client's body safely, writing multistatus answers and errors.

Bodies are parsed by defusedxml: a DTD or an entity is refused before anything is
expanded (a "billion laughs" body cannot blow the memory up). Answers are written as
text, a <response> at a time, so that a long address book streams.
"""

from collections.abc import Iterable, Iterator
from xml.etree.ElementTree import Element  # noqa: S405 - only the type; parsing is defused
from xml.sax.saxutils import escape, quoteattr  # noqa: S406 - writing, not parsing

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.http import HttpResponse

DAV = "DAV:"
CARDDAV = "urn:ietf:params:xml:ns:carddav"
CALENDARSERVER = "http://calendarserver.org/ns/"
# Where the CRM's own words go in an error body: a reason a person can read.
CRM = "urn:crm:dav"
PREFIXES = {DAV: "d", CARDDAV: "card", CALENDARSERVER: "cs", CRM: "crm"}
XMLNS = " ".join(f"xmlns:{prefix}={quoteattr(uri)}" for uri, prefix in PREFIXES.items())
XML_TYPE = "application/xml; charset=utf-8"


class BadRequestBody(Exception):
    """The client's body is not the XML the method expects."""


def parse(body: bytes) -> Element | None:
    """Return the body's root element, None for an empty body; raise BadRequestBody."""
    if not body.strip():
        return None
    try:
        return fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise BadRequestBody(str(exc)) from exc


def tag(namespace: str, name: str) -> str:
    """Return ElementTree's name of an element: {namespace}name."""
    return f"{{{namespace}}}{name}"


def split(name: str) -> tuple[str, str]:
    """Return (namespace, local name) of an ElementTree name."""
    if name.startswith("{"):
        namespace, _brace, local = name[1:].partition("}")
        return namespace, local
    return "", name


def element(name: str, inner: str = "") -> str:
    """Write an element of any namespace, declaring the namespace when it is not ours."""
    namespace, local = split(name)
    prefix = PREFIXES.get(namespace)
    if prefix is not None:
        qualified, declaration = f"{prefix}:{local}", ""
    else:
        qualified, declaration = f"x:{local}", f" xmlns:x={quoteattr(namespace)}"
    if not inner:
        return f"<{qualified}{declaration}/>"
    return f"<{qualified}{declaration}>{inner}</{qualified}>"


def text(value: str) -> str:
    return escape(value)


def href(path: str) -> str:
    return f"<d:href>{escape(path)}</d:href>"


def response(path: str, found: dict[str, str], missing: Iterable[str] = ()) -> str:
    """Write one <response>: the properties found (name: inner XML), those not (404)."""
    parts = [f"<d:response>{href(path)}"]
    if found:
        props = "".join(element(name, inner) for name, inner in found.items())
        parts.append(f"<d:propstat><d:prop>{props}</d:prop>{status(200)}</d:propstat>")
    missing = list(missing)
    if missing:
        props = "".join(element(name) for name in missing)
        parts.append(f"<d:propstat><d:prop>{props}</d:prop>{status(404)}</d:propstat>")
    parts.append("</d:response>")
    return "".join(parts)


def gone(path: str) -> str:
    """Write the <response> of a member that is not there (any more): a 404."""
    return f"<d:response>{href(path)}{status(404)}</d:response>"


def truncated(path: str, count: int) -> str:
    """Write the <response> saying a result was cut at count members (RFC 6352, 8.6.1)."""
    return (
        f"<d:response>{href(path)}<d:status>HTTP/1.1 507 Insufficient Storage</d:status>"
        "<d:error><d:number-of-matches-within-limits/></d:error>"
        f"<d:responsedescription>Only {count} matching cards were returned.</d:responsedescription>"
        "</d:response>"
    )


def status(code: int) -> str:
    reason = {200: "OK", 404: "Not Found"}[code]
    return f"<d:status>HTTP/1.1 {code} {reason}</d:status>"


def multistatus(responses: Iterable[str], tail: str = "") -> Iterator[str]:
    """Yield a multistatus document a piece at a time: its responses, then tail."""
    yield f'<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus {XMLNS}>'
    yield from responses
    yield f"{tail}</d:multistatus>\n"


def error(code: int, condition: str, message: str) -> HttpResponse:
    """Answer a DAV error: the precondition's element (DAV: or CardDAV) and a reason."""
    body = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<d:error {XMLNS}>{element(condition)}'
        f"<crm:message>{escape(message)}</crm:message></d:error>\n"
    )
    return HttpResponse(body, status=code, content_type=XML_TYPE)
