"""A webhook receiver on 127.0.0.1 for the tests and the bench: it keeps every POST."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection, as a real receiver would

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, dict(self.headers), body))
        status = self.server.answers.pop(0) if self.server.answers else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Receiver:
    """A web server on 127.0.0.1 that keeps every POST and answers the statuses given."""

    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.received, self.httpd.answers = [], []
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/hooks"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def received(self):
        return self.httpd.received

    def answer(self, *statuses):
        self.httpd.answers.extend(statuses)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def messages(self, secret):
        """Return the JSON of each message received, its signature verified."""
        return [Webhook(secret).verify(body, headers) for _path, headers, body in self.received]
