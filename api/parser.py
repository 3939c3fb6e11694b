"""Request bodies: JSON, whose texts a database can store.

JSON may escape half of a UTF-16 pair ("\\ud800"), which Python reads into a string that
no UTF-8 column takes; nor does PostgreSQL take a NUL character. Such a body is refused
as unreadable (a 400 problem) before any form or service sees it.
"""

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


def check_text(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a text holds a NUL character")
        value.encode("utf-8")  # UnicodeEncodeError, a ValueError, on a lone surrogate
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key)
            check_text(item)
    elif isinstance(value, list):
        for item in value:
            check_text(item)


class StoredTextParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        body = json.loads(request.body)
        check_text(body)
        return body
