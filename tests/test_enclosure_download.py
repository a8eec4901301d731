"""Saving podcast enclosures over real HTTP: a server on 127.0.0.1 serves, resumes, misbehaves."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tui_reader.network_settings import NetworkSettings
from tui_reader.sources.enclosure_download import (
    DownloadError,
    DownloadPlan,
    DownloadResult,
    download_enclosure,
    enclosure_filename,
    safe_filename,
)

QUICK = NetworkSettings(connect_timeout=2, read_timeout=2, total_timeout=5)
BODY = os.urandom(300_000)  # several 64 KiB chunks
ETAG = '"v1"'

Route = Callable[["Handler", bool], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EnclosureServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.answer(head=False)

    def do_HEAD(self) -> None:
        self.answer(head=True)

    def answer(self, *, head: bool) -> None:
        self.server.requests.append((self.command, self.path, dict(self.headers)))
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        route(self, head)

    def send(self, status: int, headers: dict[str, str], body: bytes, *, head: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class EnclosureServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.aborted = threading.Event()  # a client hung up on a body being sent

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-body (as refusals do) is no error here

    def url(self, path: str) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{path}"

    def methods(self) -> list[str]:
        return [method for method, _, _ in self.requests]


def file_route(
    body: bytes = BODY,
    content_type: str = "audio/mpeg",
    *,
    ranges: bool = True,
    stop_after: int | None = None,
    head_allowed: bool = True,
) -> Route:
    """Serve `body` like a file server: ETag, HEAD, Range and If-Range; maybe cut it short."""

    def route(handler: Handler, head: bool) -> None:
        if head and not head_allowed:
            handler.send(405, {"Content-Length": "0"}, b"", head=True)
            return
        headers = {"Content-Type": content_type, "ETag": ETAG}
        asked = re.fullmatch(r"bytes=(\d+)-", handler.headers.get("Range", ""))
        if_range = handler.headers.get("If-Range")
        if asked and ranges and if_range in (None, ETAG):
            start = int(asked[1])
            if start >= len(body):
                gone = {"Content-Range": f"bytes */{len(body)}", "Content-Length": "0"}
                handler.send(416, gone, b"", head=head)
                return
            headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
            headers["Content-Length"] = str(len(body) - start)
            status, rest = 206, body[start:]
        else:
            headers["Content-Length"] = str(len(body))
            status, rest = 200, body
        if stop_after is not None:
            rest = rest[:stop_after]
            handler.close_connection = True
        handler.send(status, headers, rest, head=head)

    return route


def unsized_route(body: bytes, content_type: str = "audio/mpeg") -> Route:
    """Send `body` with no Content-Length, ending it by closing the connection."""

    def route(handler: Handler, head: bool) -> None:
        handler.close_connection = True
        handler.send(200, {"Content-Type": content_type, "Connection": "close"}, body, head=head)

    return route


def endless_route(handler: Handler, head: bool) -> None:
    """Audio without end (nor Content-Length); notes when the client hangs up."""
    handler.close_connection = True
    handler.send(200, {"Content-Type": "audio/mpeg", "Connection": "close"}, b"", head=head)
    try:
        for _ in range(3000):  # 200 MB at most
            handler.wfile.write(b"\0" * 65536)
    except OSError:
        handler.server.aborted.set()


@pytest.fixture
def server() -> Iterator[EnclosureServer]:
    httpd = EnclosureServer()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def plan_for(url: str, *, length: int = len(BODY), type: str = "audio/mpeg", filename: str = ""):
    return DownloadPlan(url=url, type=type, length=length, filename=filename)


def refused(plan: DownloadPlan, directory: Path, **kwargs) -> str:
    """The one-line message of the DownloadError that `plan` raises."""
    with pytest.raises(DownloadError) as caught:
        download_enclosure(plan, directory, QUICK, **kwargs)
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def files_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


def test_saves_the_file_in_a_new_folder_and_reports_progress(server, tmp_path):
    """An episode lands, whole, in a folder made for it, with progress along the way."""
    server.routes["/ep.mp3"] = file_route()
    folder = tmp_path / "podcasts" / "show"
    seen: list[tuple[int, int | None]] = []
    result = download_enclosure(
        plan_for(server.url("/ep.mp3")), folder, QUICK, progress=lambda n, t: seen.append((n, t))
    )
    assert result == DownloadResult(folder / "ep.mp3", len(BODY), resumed_from=0, already=False)
    assert (folder / "ep.mp3").read_bytes() == BODY
    assert files_in(folder) == ["ep.mp3"]
    assert len(seen) > 1 and seen[-1] == (len(BODY), len(BODY))
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)


def test_only_a_part_file_exists_while_downloading(server, tmp_path):
    """A half-done download is NAME.part, never a NAME that looks finished."""
    server.routes["/ep.mp3"] = file_route()
    during: list[list[str]] = []
    plan = plan_for(server.url("/ep.mp3"))
    download_enclosure(
        plan, tmp_path, QUICK, progress=lambda n, t: during.append(files_in(tmp_path))
    )
    assert during[0] == ["ep.mp3.part", "ep.mp3.part.json"]
    assert files_in(tmp_path) == ["ep.mp3"]


def test_a_broken_download_resumes_with_a_range_request(server, tmp_path):
    """A download cut off midway keeps its part and picks up where it stopped."""
    server.routes["/ep.mp3"] = file_route(stop_after=150_000)
    message = refused(plan_for(server.url("/ep.mp3")), tmp_path)
    assert "connection broken" in message and "ep.mp3.part kept for resuming" in message
    kept = (tmp_path / "ep.mp3.part").stat().st_size
    assert 0 < kept < len(BODY)
    assert json.loads((tmp_path / "ep.mp3.part.json").read_text())["if_range"] == ETAG

    server.routes["/ep.mp3"] = file_route()
    result = download_enclosure(plan_for(server.url("/ep.mp3")), tmp_path, QUICK)
    assert result.resumed_from == kept and result.size == len(BODY)
    assert (tmp_path / "ep.mp3").read_bytes() == BODY
    assert files_in(tmp_path) == ["ep.mp3"]
    last = server.requests[-1][2]
    assert last["Range"] == f"bytes={kept}-" and last["If-Range"] == ETAG


def test_a_server_that_ignores_the_range_starts_the_file_over(server, tmp_path):
    """When the server sends the whole file again, the part is replaced, not appended to."""
    (tmp_path / "ep.mp3.part").write_bytes(b"stale bytes from another version")
    server.routes["/ep.mp3"] = file_route(ranges=False)
    result = download_enclosure(plan_for(server.url("/ep.mp3")), tmp_path, QUICK)
    assert result.resumed_from == 0
    assert (tmp_path / "ep.mp3").read_bytes() == BODY
    assert server.requests[0][2]["Range"] == "bytes=32-"


def test_a_changed_file_on_the_server_is_fetched_anew(server, tmp_path):
    """A part saved for an older version (other ETag) is not glued to the new one."""
    (tmp_path / "ep.mp3.part").write_bytes(b"x" * 1000)
    (tmp_path / "ep.mp3.part.json").write_text(json.dumps({"if_range": '"v0"'}))
    server.routes["/ep.mp3"] = file_route()
    result = download_enclosure(plan_for(server.url("/ep.mp3")), tmp_path, QUICK)
    assert result.resumed_from == 0
    assert (tmp_path / "ep.mp3").read_bytes() == BODY
    assert server.requests[0][2]["If-Range"] == '"v0"'


def test_a_range_answer_from_the_wrong_place_starts_over(server, tmp_path):
    """A 206 that does not continue the part is not appended; the file comes whole."""
    (tmp_path / "ep.mp3.part").write_bytes(BODY[:5000])

    def from_zero(handler: Handler, head: bool) -> None:
        if "Range" in handler.headers:
            headers = {"Content-Range": f"bytes 0-99/{len(BODY)}", "Content-Length": "100"}
            handler.send(206, headers, BODY[:100], head=head)
        else:
            file_route()(handler, head)

    server.routes["/ep.mp3"] = from_zero
    result = download_enclosure(plan_for(server.url("/ep.mp3")), tmp_path, QUICK)
    assert result.resumed_from == 0
    assert (tmp_path / "ep.mp3").read_bytes() == BODY


def test_a_part_that_is_already_complete_is_just_finished(server, tmp_path):
    """A whole part (the server answers 416 to the rest) becomes the file without refetching."""
    (tmp_path / "ep.mp3.part").write_bytes(BODY)
    server.routes["/ep.mp3"] = file_route()
    result = download_enclosure(plan_for(server.url("/ep.mp3")), tmp_path, QUICK)
    assert (result.resumed_from, result.size) == (len(BODY), len(BODY))
    assert (tmp_path / "ep.mp3").read_bytes() == BODY
    assert files_in(tmp_path) == ["ep.mp3"]


def test_cancelling_keeps_the_part_for_a_later_resume(server, tmp_path):
    """Cancel stops the download at once; the next try resumes from what was saved."""
    server.routes["/ep.mp3"] = file_route()
    cancel = threading.Event()
    message = refused(
        plan_for(server.url("/ep.mp3")), tmp_path, cancel=cancel, progress=lambda n, t: cancel.set()
    )
    assert message == "download cancelled; ep.mp3.part kept for resuming"
    kept = (tmp_path / "ep.mp3.part").stat().st_size
    assert 0 < kept < len(BODY) and not (tmp_path / "ep.mp3").exists()

    result = download_enclosure(plan_for(server.url("/ep.mp3")), tmp_path, QUICK)
    assert result.resumed_from == kept
    assert (tmp_path / "ep.mp3").read_bytes() == BODY


def test_an_html_page_instead_of_audio_is_refused(server, tmp_path):
    """A login or error page served as text/html is not saved as the episode."""
    server.routes["/ep.mp3"] = file_route(
        b"<p>Please log in</p>" * 1000, "text/html; charset=utf-8"
    )
    message = refused(plan_for(server.url("/ep.mp3"), length=20_000), tmp_path)
    assert message == "download refused: the server sent a web page, not audio/mpeg"
    assert files_in(tmp_path) == []


def test_an_html_page_in_disguise_is_refused(server, tmp_path):
    """A page whose first bytes are <!DOCTYPE html> is refused whatever its Content-Type."""
    page = b"\n  <!DOCTYPE html><html><body>Not found</body></html>" + b" " * 20_000
    server.routes["/ep.mp3"] = file_route(page, "application/octet-stream")
    assert "web page" in refused(plan_for(server.url("/ep.mp3"), length=len(page)), tmp_path)
    assert files_in(tmp_path) == []


def test_a_refusal_keeps_a_valid_part_from_before(server, tmp_path):
    """An earlier, good part survives when the server now answers with an HTML page."""
    (tmp_path / "ep.mp3.part").write_bytes(BODY[:70_000])
    server.routes["/ep.mp3"] = file_route(b"<html>maintenance</html>" * 20_000, "text/html")
    assert "web page" in refused(plan_for(server.url("/ep.mp3")), tmp_path)
    assert (tmp_path / "ep.mp3.part").read_bytes() == BODY[:70_000]
    assert not (tmp_path / "ep.mp3").exists()


def test_a_feed_without_a_type_takes_what_comes(server, tmp_path):
    """When the feed gave no MIME type, an HTML enclosure is saved like any file."""
    page = b"<html>" + b"a" * 5000 + b"</html>"
    server.routes["/notes.html"] = file_route(page, "text/html")
    result = download_enclosure(
        plan_for(server.url("/notes.html"), type="", length=0), tmp_path, QUICK
    )
    assert result.path.read_bytes() == page


def test_a_file_far_smaller_than_the_feed_said_is_refused(server, tmp_path):
    """A server that announces a tenth of the feed's length is refused before any byte is kept."""
    server.routes["/ep.mp3"] = file_route(BODY[:30_000])
    message = refused(plan_for(server.url("/ep.mp3"), length=len(BODY)), tmp_path)
    assert message == "download refused: the server has 29.3 KB but the feed said 293.0 KB"
    assert files_in(tmp_path) == []


def test_a_short_body_without_a_length_is_refused(server, tmp_path):
    """Bytes that stop far below the feed's length (no Content-Length to tell) are dropped."""
    server.routes["/ep.mp3"] = unsized_route(BODY[:20_000])
    message = refused(plan_for(server.url("/ep.mp3"), length=len(BODY)), tmp_path)
    assert message.startswith("download refused: only 19.5 KB arrived")
    assert files_in(tmp_path) == []


def test_a_body_far_beyond_the_feed_length_is_cut_off(server, tmp_path):
    """An endless stream stops being read once it passes twice the feed's length."""
    server.routes["/live.mp3"] = endless_route
    message = refused(plan_for(server.url("/live.mp3"), length=100_000), tmp_path)
    assert message.startswith("download refused: more than") and "195.3 KB" in message
    assert files_in(tmp_path) == []
    assert server.aborted.wait(3)


def test_a_rough_or_missing_feed_length_does_not_block(server, tmp_path):
    """Lengths of 0 (unknown) or under 1 KiB, and ones off by less than half, are not judged."""
    server.routes["/ep.mp3"] = file_route()
    for number, length in enumerate((0, 500, len(BODY) // 2 + 1, len(BODY) * 2), start=1):
        plan = plan_for(server.url("/ep.mp3"), length=length, filename=f"{number}.mp3")
        result = download_enclosure(plan, tmp_path, QUICK)
        assert result.size == len(BODY)


def test_a_server_error_is_one_line_and_leaves_nothing(server, tmp_path):
    """A 500 answer says so in one line and saves no file."""

    def broken(handler: Handler, head: bool) -> None:
        handler.send(500, {"Content-Length": "5"}, b"oops!", head=head)

    server.routes["/ep.mp3"] = broken
    assert refused(plan_for(server.url("/ep.mp3")), tmp_path) == (
        "download failed: HTTP 500 Internal Server Error"
    )
    assert files_in(tmp_path) == []


def test_a_closed_port_says_connection_refused(tmp_path):
    """Nothing listening at the address is a one-line 'connection refused'."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = refused(plan_for(f"http://127.0.0.1:{port}/ep.mp3"), tmp_path)
    assert message == "download failed: connection refused"


def test_only_http_urls_are_downloaded(tmp_path):
    """An ftp: or file: enclosure URL is refused before any connection."""
    assert "not an http(s) URL" in refused(plan_for("ftp://example.com/ep.mp3"), tmp_path)
    assert "not an http(s) URL" in refused(plan_for("file:///etc/passwd"), tmp_path)
    assert files_in(tmp_path) == []


def test_a_redirect_is_followed(server, tmp_path):
    """A tracking redirect leads to the file, which is saved under the feed's name."""

    def moved(handler: Handler, head: bool) -> None:
        handler.send(302, {"Location": "/cdn/ep.mp3", "Content-Length": "0"}, b"", head=head)

    server.routes["/track/ep.mp3"] = moved
    server.routes["/cdn/ep.mp3"] = file_route()
    result = download_enclosure(plan_for(server.url("/track/ep.mp3")), tmp_path, QUICK)
    assert result.path == tmp_path / "ep.mp3" and result.path.read_bytes() == BODY


def test_a_redirect_away_from_http_is_refused(server, tmp_path):
    """A redirect to ftp: ends the download with a one-line reason."""

    def moved(handler: Handler, head: bool) -> None:
        headers = {"Location": "ftp://example.com/ep.mp3", "Content-Length": "0"}
        handler.send(302, headers, b"", head=head)

    server.routes["/ep.mp3"] = moved
    message = refused(plan_for(server.url("/ep.mp3")), tmp_path)
    assert message == "download failed: redirected to a URL that is not http(s)"
    assert files_in(tmp_path) == []


def test_the_same_file_already_there_is_not_fetched_again(server, tmp_path):
    """An episode already saved (same size as the server's) is reported, not downloaded."""
    (tmp_path / "ep.mp3").write_bytes(BODY)
    server.routes["/ep.mp3"] = file_route()
    result = download_enclosure(plan_for(server.url("/ep.mp3")), tmp_path, QUICK)
    assert result == DownloadResult(tmp_path / "ep.mp3", len(BODY), resumed_from=0, already=True)
    assert server.methods() == ["HEAD"]


def test_without_head_the_size_comes_from_a_get_left_unread(server, tmp_path):
    """A server that refuses HEAD still lets an existing file count as already there."""
    (tmp_path / "ep.mp3").write_bytes(BODY)
    server.routes["/ep.mp3"] = file_route(head_allowed=False)
    result = download_enclosure(plan_for(server.url("/ep.mp3")), tmp_path, QUICK)
    assert result.already and server.methods() == ["HEAD", "GET"]


def test_a_different_file_of_that_name_is_never_overwritten(server, tmp_path):
    """An unrelated file keeps its name; the episode becomes NAME (2).ext, found again later."""
    (tmp_path / "ep.mp3").write_bytes(b"my own recording")
    server.routes["/ep.mp3"] = file_route()
    result = download_enclosure(plan_for(server.url("/ep.mp3")), tmp_path, QUICK)
    assert result.path == tmp_path / "ep (2).mp3" and result.path.read_bytes() == BODY
    assert (tmp_path / "ep.mp3").read_bytes() == b"my own recording"

    again = download_enclosure(plan_for(server.url("/ep.mp3")), tmp_path, QUICK)
    assert again.already and again.path == tmp_path / "ep (2).mp3"


def test_a_hostile_file_name_stays_inside_the_folder(server, tmp_path):
    """A feed's name with ../, slashes or control characters cannot escape the folder."""
    server.routes["/ep.mp3"] = file_route()
    folder = tmp_path / "in"
    plan = plan_for(server.url("/ep.mp3"), filename="../../\x1b[31mevil/..\\name\x07.mp3")
    result = download_enclosure(plan, folder, QUICK)
    assert result.path.parent == folder and files_in(tmp_path) == ["in"]
    assert "/" not in result.path.name and ".." not in result.path.name
    assert result.path.name.isprintable()


def test_file_names_are_cleaned_and_kept_short():
    """Names lose separators, '..', controls and leading dots, and keep their extension."""
    assert safe_filename("../../etc/passwd") == "_._etc_passwd"
    assert safe_filename("a/b\\c\x00d\x1b[2Je.mp3") == "a_b_cde.mp3"
    assert safe_filename(".hidden") == "hidden"
    assert safe_filename("") == safe_filename("..") == safe_filename(" . ") == ""
    long = safe_filename("x" * 400 + ".mp3")
    assert len(long) <= 150 and long.endswith(".mp3")
    assert len(safe_filename("é" * 300 + ".mp3").encode()) <= 200


def test_a_name_comes_from_the_url_when_the_feed_gives_none():
    """No file name: the URL's last segment, percent-decoded; else 'enclosure' with an extension."""
    assert enclosure_filename(plan_for("https://h.example/a/My%20Show%20%231.mp3?x=1")) == (
        "My Show #1.mp3"
    )
    assert enclosure_filename(plan_for("https://h.example/a/%2e%2e%2Fetc")) == "_etc.mp3"
    assert enclosure_filename(plan_for("https://h.example/episode/42")) == "42.mp3"
    assert enclosure_filename(plan_for("https://h.example/", type="")) == "enclosure"
    assert enclosure_filename(plan_for("https://h.example/", type="video/mp4")) == "enclosure.mp4"
    assert (
        enclosure_filename(plan_for("https://h.example/x.mp3", filename="Ep 1.mp3")) == "Ep 1.mp3"
    )
