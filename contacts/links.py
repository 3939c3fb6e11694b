"""Turn stored contact information into links a browser can follow."""

import re

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


def web_href(category, value):
    """Return a link for a web site or a social network handle."""
    value = value.strip()
    if re.match(r"^https?://", value, re.IGNORECASE):
        return value
    if category == "whatsapp":
        return SOCIAL_URLS["whatsapp"].format(re.sub(r"\D", "", value))
    if category in SOCIAL_URLS and "." not in value.split("/")[0]:
        return SOCIAL_URLS[category].format(value.lstrip("@"))
    return "https://" + value


def info_href(info):
    if info.kind == "email":
        return f"mailto:{info.value}"
    if info.kind == "phone":
        return "tel:" + (info.normalized or re.sub(r"[^\d+]", "", info.value))
    return web_href(info.category, info.value)


def absolute_url(path):
    return settings.SITE_URL.rstrip("/") + path
