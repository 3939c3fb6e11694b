"""Turn stored contact information into links a browser can follow."""

import re
from typing import Protocol

from django.conf import settings

SOCIAL_URLS = {
    "linkedin": "https://www.linkedin.com/in/{}",
    "twitter": "https://x.com/{}",
    "facebook": "https://www.facebook.com/{}",
    "instagram": "https://www.instagram.com/{}",
    "github": "https://github.com/{}",
    "telegram": "https://t.me/{}",
    "skype": "skype:{}?chat",
    "whatsapp": "https://wa.me/{}",
}


class Info(Protocol):
    """A ContactInfo, as a link reads it (the model imports this module: no import back)."""

    @property
    def kind(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def normalized(self) -> str: ...


def web_href(category: str, value: str) -> str:
    """Return a link for a web site or a social network handle."""
    value = value.strip()
    if re.match(r"^https?://", value, re.IGNORECASE):
        return value
    if category == "whatsapp":
        return SOCIAL_URLS["whatsapp"].format(re.sub(r"\D", "", value))
    if category in SOCIAL_URLS and "." not in value.split("/")[0]:
        return SOCIAL_URLS[category].format(value.lstrip("@"))
    return "https://" + value


def info_href(info: Info) -> str:
    if info.kind == "email":
        return f"mailto:{info.value}"
    if info.kind == "phone":
        return "tel:" + (info.normalized or re.sub(r"[^\d+]", "", info.value))
    return web_href(info.category, info.value)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
