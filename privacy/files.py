"""Read stored text files a line at a time, for the lines that name a person."""

from __future__ import annotations

import codecs
import io
import logging
from collections.abc import Iterable

from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

# The lines kept per file: a file that names the person on more is listed all the same.
MAX_LINES = 1000


def matching_lines(
    name: str, encoding: str, needles: Iterable[str], limit: int = MAX_LINES
) -> list[tuple[int, str]]:
    """Return (line number, line) of the stored file name that hold one of needles.

    needles are lower case; the file is decoded with encoding (UTF-8 when it is not
    one Python knows), a line at a time, so a large import never sits in memory.
    """
    needles = [n for n in needles if n]
    if not needles:
        return []
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    found: list[tuple[int, str]] = []
    try:
        with default_storage.open(name, "rb") as raw:
            stream = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            for number, line in enumerate(stream, 1):
                lowered = line.lower()
                if any(n in lowered for n in needles):
                    found.append((number, line.rstrip("\r\n").lstrip("\ufeff")))
                    if len(found) >= limit:
                        break
    except OSError:
        # Deleted by hand, or storage unreachable: the other places are still listed.
        logger.warning("Stored file %s could not be read", name)
    return found
