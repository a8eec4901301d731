"""A real HTTP server on 127.0.0.1 for the feed tests, with misbehaving routes."""

from __future__ import annotations

import hashlib
import io
import socket
import struct
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.shared_data import CORPORA, FEEDS

# The corpus folders are exported too: tests import them from here.
__all__ = ["CORPORA", "FEEDS", "FeedServer", "Handler", "drip", "endless", "reset_mid_body", "rss"]

Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FeedServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None and self.path.startswith("/corpora/"):
            route = serve_corpus_file
        if route is None:
            self.send_plain(404, b"not found")
            return
        route(self)

    def send_plain(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_feed(self, body: bytes, content_type: str = "application/rss+xml") -> None:
        """Send a body with an ETag, answering 304 when the client has it."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def serve_corpus_file(handler: Handler) -> None:
    path = (FEEDS / handler.path.removeprefix("/corpora/").split("?")[0]).resolve()
    if not path.is_file() or FEEDS.resolve() not in path.parents:
        handler.send_plain(404, b"not found")
        return
    content_type = "application/feed+json" if path.suffix == ".json" else "application/xml"
    handler.send_feed(path.read_bytes(), content_type)


class FeedServer(ThreadingHTTPServer):
    """Serves `routes` (path -> function of the handler) and the feed corpus."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str) -> Callable[[Route], Route]:
        def register(function: Route) -> Route:
            self.routes[path] = function
            return function

        return register

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def rss(title: str, items: list[tuple[str, str]], link: str = "http://example.com/") -> bytes:
    """A small RSS 2.0 document: items are (guid, title)."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{item_title}</title>"
        f"<link>http://example.com/{guid}</link>"
        f"<description>&lt;p&gt;Body of {item_title}.&lt;/p&gt;</description></item>"
        for guid, item_title in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{link}</link>{entries}</channel></rss>"
    ).encode()


def drip(handler: Handler, pause: float, chunks: int = 5) -> None:
    """Send headers, then a byte now and then, slower than the read timeout."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", str(chunks))
    handler.end_headers()
    try:
        for _ in range(chunks):
            handler.wfile.write(b"<")
            handler.wfile.flush()
            time.sleep(pause)
    except OSError:
        pass


def reset_mid_body(handler: Handler) -> None:
    """Promise 10,000 bytes, send 100, then reset the connection."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", "10000")
    handler.end_headers()
    handler.wfile.write(b"<rss>" + b" " * 95)
    handler.wfile.flush()
    sock = handler.connection
    # Linger on with a zero timeout: close() sends RST instead of FIN. The
    # file objects hold the socket open, so they are closed first.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.wfile.close()
    handler.rfile.close()
    sock.close()
    # The handler flushes and closes its files after this returns.
    handler.wfile = io.BytesIO()
    handler.rfile = io.BytesIO()


def endless(handler: Handler) -> None:
    """Stream without a length until the client gives up."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"<!-- " + b"x" * 65_000 + b" -->"
    try:
        for _ in range(10_000):
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    except OSError:
        pass
