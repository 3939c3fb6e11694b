"""The user guide: the Markdown files of docs/, shown as a page of the app."""

import functools
import re
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from markdown_it import MarkdownIt

DOCS = Path(settings.BASE_DIR) / "docs"
GUIDES = {"en": "user-guide.md", "fr": "guide-utilisateur.md"}
LANGUAGE_OF_FILE = {name: language for language, name in GUIDES.items()}
# Where docs/screenshots is served from: a static folder of its own (crm/settings.py).
SCREENSHOTS = "screenshots/"
STATIC_SCREENSHOTS = "guide/"
# Headings the size of the app's own pages: their title is an h1 shown as h3.
HEADING_CLASSES = {"h1": "h3 mb-3", "h2": "h4 mt-5", "h3": "h5 mt-4"}
# Table cells aligned in Markdown get a style attribute, which the CSP refuses.
ALIGN = {"text-align:right": "text-end", "text-align:center": "text-center"}

# CommonMark with tables; raw HTML is written out as text, and markdown-it refuses
# javascript:, vbscript:, file: and data: links (but data: images) by itself.
markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def heading_id(text):
    """Return the anchor GitHub gives a heading, so that links work there and here."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def render_guide(source):
    """Return the guide's Markdown as HTML, its links and pictures pointed at the app."""
    tokens = markdown.parse(source)
    for n, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("id", heading_id(tokens[n + 1].content))
            token.attrSet("class", HEADING_CLASSES.get(token.tag, ""))
        elif token.type == "table_open":
            token.attrSet("class", "table table-sm w-auto")
        elif token.type in ("th_open", "td_open") and token.attrGet("style"):
            token.attrSet("class", ALIGN.get(token.attrs.pop("style"), ""))
        for child in token.children or ():
            if child.type == "image":
                src = child.attrGet("src") or ""
                if src.startswith(SCREENSHOTS):
                    child.attrSet("src", static(STATIC_SCREENSHOTS + src[len(SCREENSHOTS) :]))
                child.attrSet("class", "img-fluid border rounded")
                child.attrSet("loading", "lazy")
            elif child.type == "link_open":
                other = LANGUAGE_OF_FILE.get(child.attrGet("href"))
                if other:
                    child.attrSet("href", reverse("guide_in", args=[other]))
    return markdown.renderer.render(tokens, markdown.options, {})


@functools.lru_cache(maxsize=8)
def guide_html(path, mtime_ns):
    """Return the guide at path as HTML, rendered once per version of the file."""
    # html is off: markdown-it escapes whatever HTML the file holds.
    return mark_safe(render_guide(path.read_text(encoding="utf-8")))  # noqa: S308


@require_safe
def user_guide(request, language=None):
    """Show the user guide, in the reader's language unless one is named."""
    if language is None:
        language = get_language() if get_language() in GUIDES else "en"
    elif language not in GUIDES:
        raise Http404
    path = DOCS / GUIDES[language]
    body = guide_html(path, path.stat().st_mtime_ns)
    return render(request, "guide.html", {"body": body, "guide_language": language})
