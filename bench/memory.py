"""The memory case's tools: a browser-like HTTP client, and a gunicorn worker's peak RSS.

Browser keeps the cookies the server sets (the session, CSRF and messages cookies), as a
browser does, over one HTTP/1.1 connection to 127.0.0.1 that it opens again whenever the
server closed it (gunicorn's sync workers close it after every response).
"""

import http.client
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode


class Browser:
    def __init__(self, port, cookies):
        self.port = port
        self.cookies = dict(cookies)
        self.connection = None

    def get(self, path):
        """Return (status, body) of GET path."""
        return self._request("GET", path)

    def post(self, path, pairs):
        """Return (status, body) of a form posted to path, pairs [(name, value)]."""
        body = urlencode(pairs).encode()
        return self._request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _request(self, method, path, body=None, headers=None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers = {"Host": "127.0.0.1", "Cookie": cookie, **(headers or {})}
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return None, b""
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        return response.status, content


def children(pid):
    """Return the ids of the processes whose parent is pid (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        # The command name, in parentheses, may hold spaces: the fields follow its last ")".
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def peak_rss_mb(pid):
    """Return the peak resident memory (VmHWM) of process pid, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # in kB
    raise ValueError(f"No VmHWM for process {pid}")
