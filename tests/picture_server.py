"""A local web site for the photo fetcher's tests: routes answer what a test sets."""

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


def png(color="teal", size=(60, 60)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def ico(color="orange"):
    out = io.BytesIO()
    Image.new("RGBA", (32, 32), color).save(out, "ICO")
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        server.requests.append(self.path)
        route = server.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, headers, body = route
        if callable(body):
            body(self)
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class PictureServer:
    def __init__(self, host="127.0.0.1"):
        self.httpd = ThreadingHTTPServer((host, 0), _Handler)
        self.httpd.routes = {}
        self.httpd.requests = []
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def requests(self):
        return self.httpd.requests

    def image(self, path, body=None, content_type="image/png"):
        self.httpd.routes[path] = (200, {"Content-Type": content_type}, body or png())

    def page(self, path, html):
        self.httpd.routes[path] = (200, {"Content-Type": "text/html"}, html.encode())

    def redirect(self, path, location, status=302):
        self.httpd.routes[path] = (status, {"Location": location}, b"")

    def slow(self, path, seconds):
        def answer(handler):
            time.sleep(seconds)
            handler.send_response(200)
            handler.send_header("Content-Type", "image/png")
            handler.end_headers()

        self.httpd.routes[path] = (200, {}, answer)

    def endless(self, path):
        """Send a body without a length that goes on past any size limit."""

        def answer(handler):
            handler.send_response(200)
            handler.send_header("Content-Type", "image/png")
            handler.end_headers()
            try:
                for _ in range(2000):
                    handler.wfile.write(b"\0" * 65536)
            except OSError:
                pass

        self.httpd.routes[path] = (200, {}, answer)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def serve_pictures(settings):
    """Yield a site on 127.0.0.1 that the fetcher may reach: the only private address allowed.

    The Gravatar and GitHub addresses lead there. For a fixture: `yield from`.
    """
    server = PictureServer()
    settings.PHOTO_FETCH_ALLOW_PRIVATE = ["127.0.0.1/32"]
    settings.PHOTO_GRAVATAR_URL = server.url + "/avatar/{hash}?d=404&s=200"
    settings.PHOTO_GITHUB_URL = server.url + "/gh/{user}.png"
    yield server
    server.stop()
