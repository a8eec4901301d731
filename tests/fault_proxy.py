"""An HTTP proxy in front of the real FreshRSS that can fail on cue, for the sync fault tests.

FreshRSS itself cannot be made to answer 500 to one batch, to answer late,
or to stop in the middle of an answer and come back with its data; a proxy
between the client and the real server can. Every request is relayed
unchanged except the ones a `Fault` picks:

- "500": answered `500 Internal Server Error` without reaching the server;
- "drop": the connection is closed with no answer (the server never sees it);
- "delay": relayed after `seconds` (the server still does what was asked,
  the client may have given up by then);
- "cut": relayed, then half of the answer is sent and the proxy stops:
  the server went away mid-answer, and refuses connections until `start()`.

`stop()` and `start()` take the proxy down and back up on the same port
(connection refused meanwhile), while the server behind it keeps its data.
`on_request`/`on_answer` are called with (method, path) before a request is
relayed and after its answer was sent: the kill -9 test kills there.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Hook = Callable[[str, str], None]

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
}


@dataclass
class Fault:
    """Fail the `skip`+1-th request whose path contains `path` (and `times` after it)."""

    path: str
    action: str  # "500" | "drop" | "delay" | "cut"
    seconds: float = 0.0
    skip: int = 0
    times: int = 1
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return self.path in path and (self.method is None or self.method == method)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: FaultProxy


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        with self.server.proxy.lock:
            self.server.proxy.connections.add(self.connection)

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # a client killed mid-connection
            super().handle()

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        with self.server.proxy.lock:
            self.server.proxy.connections.discard(self.connection)

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def _relay(self) -> None:
        proxy = self.server.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = proxy.take_fault(self.command, self.path)
        if proxy.on_request is not None:
            proxy.on_request(self.command, self.path)
        action = fault.action if fault else None
        if action == "drop":
            self._hang_up()
            return
        if action == "500":
            self._send(500, [("Content-Type", "text/plain")], b"Internal Server Error")
        else:
            if action == "delay" and fault is not None:
                time.sleep(fault.seconds)
            try:
                status, headers, data = proxy.forward(self.command, self.path, self.headers, body)
            except OSError:  # the server behind is gone (the test is ending)
                self._hang_up()
                return
            if action == "cut":
                self._send_half(status, headers, data)
                proxy.stop()
                return
            self._send(status, headers, data)
        if proxy.on_answer is not None:
            proxy.on_answer(self.command, self.path)

    def _send(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # the client gave up (a read timeout)
            self.close_connection = True

    def _send_half(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
        except OSError:
            pass
        self._hang_up()

    def _hang_up(self) -> None:
        """Reset the connection (RST, not FIN): a server that died."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class FaultProxy:
    """A proxy on 127.0.0.1 in front of `upstream` (http://127.0.0.1:PORT)."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.lock = threading.Lock()
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []
        self.connections: set[socket.socket] = set()
        self.on_request: Hook | None = None
        self.on_answer: Hook | None = None
        self.port = 0
        self._server: _Server | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        """Listen (again, on the same port after a `stop()`)."""
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.proxy = self
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening and reset every open connection: the server is gone."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()  # handlers run in threads of their own, never the serving one
        server.server_close()
        with self.lock:
            open_connections = list(self.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Log the request; the fault it triggers, if any."""
        with self.lock:
            self.requests.append((method, path))
            for fault in self.faults:
                if not fault.matches(method, path):
                    continue
                if fault.skip:
                    fault.skip -= 1
                    continue
                if fault.times:
                    fault.times -= 1
                    return fault
        return None

    def count(self, path: str) -> int:
        """How many requests so far had `path` in theirs."""
        with self.lock:
            return sum(path in seen for _, seen in self.requests)

    def forward(
        self, method: str, path: str, headers: http.client.HTTPMessage, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=120)
        try:
            sent = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            data = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            return response.status, kept, data
        finally:
            connection.close()
