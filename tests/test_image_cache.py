"""The offline image cache over real HTTP: a server on 127.0.0.1 serves pictures and traps."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import random
import socket
import struct
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.conftest import FakeClock
from tui_reader.network_settings import NetworkSettings
from tui_reader.sources.http import make_client
from tui_reader.sources.image_cache import (
    MAX_IMAGE_BYTES,
    MAX_PIXELS,
    MAX_TOTAL_BYTES,
    RETRY_AFTER_SECONDS,
    CachedImage,
    ImageCache,
    ImageError,
)

ROOT = Path(__file__).resolve().parent.parent
QUICK = NetworkSettings(connect_timeout=2, read_timeout=2, total_timeout=5)
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp", "BMP": ".bmp"}

Route = Callable[["Handler"], None]


def picture(kind: str, size: tuple[int, int] = (64, 48), seed: int = 1) -> bytes:
    """A picture of noise (no format squeezes it to nothing), saved as `kind`."""
    noise = random.Random(seed).randbytes(size[0] * size[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", size, noise).save(out, kind)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: PictureServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.hits[self.path] += 1
        route = self.server.routes.get(self.path)
        if route is None:
            self.body(b"", "text/plain", status=404)
        else:
            route(self)

    def body(self, data: bytes, content_type: str = "image/png", status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream(self, chunk: bytes, *, pause: float = 0.0, length: str | None = None) -> None:
        """Send `chunk` over and over until the client hangs up (or 64 MB, or 5 s went by)."""
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        if length is not None:
            self.send_header("Content-Length", length)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent, deadline = 0, time.monotonic() + 5
        with contextlib.suppress(OSError):  # the client hung up
            while sent < 64 * 1024 * 1024 and time.monotonic() < deadline:
                self.wfile.write(chunk)
                self.wfile.flush()
                sent += len(chunk)
                time.sleep(pause)


class PictureServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-body (as refusals do) is no error here

    def url(self, path: str) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def serve(self, path: str, data: bytes, content_type: str = "image/png") -> None:
        self.routes[path] = lambda handler: handler.body(data, content_type)


@pytest.fixture
def server() -> Iterator[PictureServer]:
    server = PictureServer()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(QUICK) as client:
        yield client


@pytest.fixture
def cache(tmp_path: Path, clock: FakeClock) -> ImageCache:
    return ImageCache(tmp_path / "images", clock=clock)


def test_the_bounds_are_the_documented_ones():
    """The cache holds 200 MB, a picture at most 10 MB and 40 million pixels; failures a week."""
    assert (MAX_TOTAL_BYTES, MAX_IMAGE_BYTES) == (200 * 1024 * 1024, 10 * 1024 * 1024)
    assert (MAX_PIXELS, RETRY_AFTER_SECONDS) == (40_000_000, 7 * 24 * 3600)


@pytest.mark.parametrize("kind", list(EXTENSIONS))
async def test_a_picture_is_fetched_once_then_shown_with_no_network(
    server: PictureServer,
    client: httpx.AsyncClient,
    cache: ImageCache,
    tmp_path: Path,
    clock: FakeClock,
    kind: str,
):
    """A PNG, JPEG, GIF, WebP or BMP picture downloads once; afterwards it shows offline."""
    data = picture(kind)
    server.serve("/p", data, f"image/{kind.lower()}")
    url = server.url("/p")
    image = await cache.fetch(client, url)
    assert (image.url, image.width, image.height, image.format) == (url, 64, 48, kind)
    assert image.path.parent == tmp_path / "images" and image.path.suffix == EXTENSIONS[kind]
    assert image.path.read_bytes() == data
    assert await cache.fetch(client, url) == image
    server.shutdown()  # no network from here on
    assert ImageCache(tmp_path / "images", clock=clock).get(url) == image
    with Image.open(image.path) as shown:
        shown.load()
        assert shown.size == (64, 48)
    sidecar = json.loads(image.path.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar == {
        **{"url": url, "width": 64, "height": 48, "format": kind},
        **{"size": len(data), "fetched": clock.now},
    }
    assert server.hits["/p"] == 1
    assert cache.total_bytes() == len(data)


@pytest.mark.parametrize(
    "url",
    [
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://example.com/a.png",
    ],
)
async def test_only_http_pictures_are_fetched(
    server: PictureServer, client: httpx.AsyncClient, cache: ImageCache, url: str
):
    """A data:, file:, javascript: or ftp: picture is refused with a reason, and nothing is read."""
    with pytest.raises(ImageError, match=r"^not an http\(s\) URL: "):
        await cache.fetch(client, url)
    assert (cache.failure(url) or "").startswith("not an http(s) URL: ")
    assert cache.get(url) is None and cache.total_bytes() == 0
    assert not cache.directory.exists() and not server.hits


async def test_redirects_are_followed_but_only_to_http(
    server: PictureServer, client: httpx.AsyncClient, cache: ImageCache
):
    """A picture moved elsewhere on the web still arrives; one "moved" to a local file does not."""
    server.serve("/real.png", picture("PNG"))
    server.routes["/moved"] = lambda handler: handler.redirect("/real.png")
    server.routes["/to-file"] = lambda handler: handler.redirect("file:///etc/passwd")
    server.routes["/to-data"] = lambda handler: handler.redirect("data:image/png;base64,iVBO")
    image = await cache.fetch(client, server.url("/moved"))
    assert image.url == server.url("/moved") and image.format == "PNG"
    with pytest.raises(ImageError, match=r"^redirected to a URL that is not http\(s\)$"):
        await cache.fetch(client, server.url("/to-file"))
    with pytest.raises(ImageError, match=r"^redirected to an invalid URL$"):
        await cache.fetch(client, server.url("/to-data"))
    assert cache.total_bytes() == image.path.stat().st_size  # the two failures stored nothing


async def test_a_picture_over_the_cap_stops_downloading(
    server: PictureServer, client: httpx.AsyncClient, tmp_path: Path, clock: FakeClock
):
    """An endless picture is cut off as "larger than 1 MB"; a lying length reads no further."""
    cache = ImageCache(tmp_path, max_image=1024 * 1024, clock=clock)
    server.routes["/endless"] = lambda handler: handler.stream(b"\x89PNG" + bytes(65532))
    server.routes["/lying"] = lambda handler: handler.stream(bytes(65536), length="1000")
    started = time.monotonic()
    with pytest.raises(ImageError, match=r"^image larger than 1 MB$"):
        await cache.fetch(client, server.url("/endless"))
    with pytest.raises(ImageError, match=r"^not an image in PNG, JPEG, GIF, WebP or BMP$"):
        await cache.fetch(client, server.url("/lying"))  # the 1000 bytes it announced
    assert time.monotonic() - started < 3
    assert cache.total_bytes() == 0


async def test_a_picture_announced_over_10_mb_is_refused_before_reading(
    server: PictureServer, client: httpx.AsyncClient, cache: ImageCache
):
    """A picture whose server announces 50 MB is refused at once as "image larger than 10 MB"."""
    server.routes["/big"] = lambda handler: handler.stream(bytes(65536), length=str(50 << 20))
    with pytest.raises(ImageError, match=r"^image larger than 10 MB$"):
        await cache.fetch(client, server.url("/big"))
    assert cache.failure(server.url("/big")) == "image larger than 10 MB"


JPEG = picture("JPEG", (200, 150))
PNG = picture("PNG", (100, 80))
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (SVG, "image/svg+xml", "not an image the terminal can show: SVG"),
        (b"<!DOCTYPE html><html><body>Gone</body></html>", "text/html", "not an image: a web page"),
        (b"just some text\n", "text/plain", "not an image in PNG, JPEG, GIF, WebP or BMP"),
        (picture("TIFF"), "image/tiff", "not an image in PNG, JPEG, GIF, WebP or BMP"),
        (b"", "image/png", "no image: an empty answer"),
        (JPEG[: len(JPEG) // 2], "image/jpeg", "broken image file (truncated or corrupt)"),
        (
            PNG[:-60] + bytes(b ^ 0xFF for b in PNG[-60:-20]) + PNG[-20:],  # checksum fails
            "image/png",
            "broken image file (truncated or corrupt)",
        ),
    ],
    ids=["svg", "html", "text", "tiff", "empty", "truncated-jpeg", "corrupt-png"],
)
async def test_what_is_not_a_whole_picture_is_refused(
    server: PictureServer,
    client: httpx.AsyncClient,
    cache: ImageCache,
    body: bytes,
    content_type: str,
    reason: str,
):
    """An SVG, a web page, text, a TIFF, nothing, or a cut or damaged file shows its reason."""
    server.serve("/x", body, content_type)
    with pytest.raises(ImageError) as raised:
        await cache.fetch(client, server.url("/x"))
    assert str(raised.value) == reason
    assert cache.total_bytes() == 0


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (7_000, 7_000)])
async def test_a_picture_with_too_many_pixels_is_refused_from_its_header(
    server: PictureServer, client: httpx.AsyncClient, cache: ImageCache, width: int, height: int
):
    """A picture claiming 20000x20000 (or 7000x7000) pixels is refused at once, not decoded."""
    server.serve("/bomb.png", png_claiming(width, height))  # its pixel data would not decode
    started = time.monotonic()
    with pytest.raises(ImageError, match=r"^image too large"):
        await cache.fetch(client, server.url("/bomb.png"))
    assert time.monotonic() - started < 1


async def test_the_pixel_bound_is_the_cache_s_own(
    server: PictureServer, client: httpx.AsyncClient, tmp_path: Path
):
    """A cache told to take at most 1000 pixels says so for a 64x48 picture."""
    server.serve("/p.png", picture("PNG"))
    with pytest.raises(ImageError, match=r"^image too large: 64x48 pixels \(more than 1,000\)$"):
        await ImageCache(tmp_path, max_pixels=1000).fetch(client, server.url("/p.png"))


@pytest.mark.parametrize(("kind", "side"), [("GIF", 1), ("PNG", 2)])
async def test_tracking_pixels_are_refused(
    server: PictureServer, client: httpx.AsyncClient, cache: ImageCache, kind: str, side: int
):
    """A 1x1 GIF or 2x2 PNG (a tracking pixel) is not shown as a picture."""
    server.serve("/t", picture(kind, (side, side)), f"image/{kind.lower()}")
    with pytest.raises(ImageError, match=rf"^a tracking pixel \({side}x{side}\), not a picture$"):
        await cache.fetch(client, server.url("/t"))


async def test_a_missing_picture_is_not_asked_for_again_for_a_week(
    server: PictureServer, client: httpx.AsyncClient, tmp_path: Path, clock: FakeClock
):
    """A missing picture costs one request, not one per opening; a week later it is tried again."""
    cache = ImageCache(tmp_path, clock=clock)
    url = server.url("/later.png")
    for _ in range(3):
        with pytest.raises(ImageError, match=r"^HTTP 404 Not Found$"):
            await cache.fetch(client, url)
    assert server.hits["/later.png"] == 1
    server.serve("/later.png", picture("PNG"))
    clock.advance(days=6.9)
    assert ImageCache(tmp_path, clock=clock).failure(url) == "HTTP 404 Not Found"  # a restart
    with pytest.raises(ImageError, match=r"^HTTP 404 Not Found$"):
        await cache.fetch(client, url)
    assert server.hits["/later.png"] == 1
    clock.advance(days=0.2)  # a week and a bit since the failure
    assert cache.failure(url) is None
    assert (await cache.fetch(client, url)).format == "PNG"
    assert server.hits["/later.png"] == 2 and cache.failure(url) is None


async def test_server_errors_timeouts_and_refusals_are_remembered(
    server: PictureServer, client: httpx.AsyncClient, tmp_path: Path, clock: FakeClock
):
    """A server error, a picture trickling in too slowly, a refused connection: each said once
    (the unanswered ones tried again after an hour)."""
    cache = ImageCache(tmp_path, total_timeout=0.5, clock=clock)
    server.routes["/error"] = lambda handler: handler.body(b"oops", "text/plain", status=500)
    server.routes["/slow"] = lambda handler: handler.stream(b"\0", pause=0.05)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    reasons = {
        server.url("/error"): "HTTP 500 Internal Server Error",
        server.url("/slow"): "took longer than 0.5 s in all",
        f"http://127.0.0.1:{port}/a.png": "connection refused",
    }
    for url, reason in reasons.items():
        with pytest.raises(ImageError) as raised:
            await cache.fetch(client, url)
        assert str(raised.value) == reason
        assert cache.failure(url) == reason
    hits = server.hits.copy()
    assert await cache.fetch_all(client, list(reasons)) == reasons
    assert server.hits == hits
    # No answer at all (a refusal, a timeout) is tried again after an hour, a 500 not yet.
    clock.advance(seconds=3601)
    assert cache.failure(server.url("/error")) == "HTTP 500 Internal Server Error"
    assert cache.failure(server.url("/slow")) is None
    assert cache.failure(f"http://127.0.0.1:{port}/a.png") is None
    clock.advance(days=8)
    cache.prune()
    assert not list(tmp_path.glob("*.json"))  # old failures are forgotten, not kept forever


async def test_a_picture_deleted_behind_the_cache_s_back_is_fetched_again(
    server: PictureServer, client: httpx.AsyncClient, cache: ImageCache
):
    """A picture file someone deleted is not offered to the screen; the next fetch restores it."""
    server.serve("/p.png", picture("PNG"))
    image = await cache.fetch(client, server.url("/p.png"))
    image.path.unlink()
    assert cache.get(image.url) is None
    assert (await cache.fetch(client, image.url)).path.exists()
    assert server.hits["/p.png"] == 2


async def test_a_half_written_picture_is_never_served(
    server: PictureServer, client: httpx.AsyncClient, cache: ImageCache
):
    """After a crash mid-write the reader shows no half picture: it is fetched again instead."""
    data = picture("JPEG", (120, 90))
    server.serve("/p.jpg", data, "image/jpeg")
    image = await cache.fetch(client, server.url("/p.jpg"))
    folder = cache.directory
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [image.path.name, image.path.with_suffix(".json").name]
    )  # no temporary file left
    crashed = folder / ".tmp-crashed"  # a crash while writing: the temporary file holds half
    crashed.write_bytes(data[: len(data) // 2])
    assert cache.get(image.url) == image and cache.total_bytes() == len(data)
    image.path.write_bytes(data[: len(data) // 2])  # a power cut: the file itself cut short
    assert cache.get(image.url) is None
    image.path.write_bytes(data)
    image.path.with_suffix(".json").write_text('{"url": "ht', encoding="utf-8")  # or its sidecar
    assert cache.get(image.url) is None
    assert (await cache.fetch(client, image.url)).path.read_bytes() == data
    an_hour_ago = time.time() - 3601
    os.utime(crashed, (an_hour_ago, an_hour_ago))
    cache.prune()
    assert not crashed.exists()


async def test_the_least_recently_used_pictures_go_when_the_cache_is_full(
    server: PictureServer, client: httpx.AsyncClient, tmp_path: Path, clock: FakeClock
):
    """A full cache forgets the pictures not looked at for longest and keeps those just viewed."""
    bodies = {name: picture("PNG", (100, 100), seed=seed) for seed, name in enumerate("abc")}
    url = {name: server.url(f"/{name}.png") for name in bodies}
    for name, body in bodies.items():
        server.serve(f"/{name}.png", body)
    size = max(len(body) for body in bodies.values())
    cache = ImageCache(tmp_path, max_total=size * 5 // 2, clock=clock)
    await cache.fetch(client, url["a"])
    clock.advance(seconds=60)
    await cache.fetch(client, url["b"])
    clock.advance(seconds=60)
    assert cache.get(url["a"]) is not None  # viewed again: "b" is now the least recently used
    clock.advance(seconds=60)
    await cache.fetch(client, url["c"])  # three do not fit
    assert cache.get(url["b"]) is None
    assert cache.get(url["a"]) is not None and cache.get(url["c"]) is not None
    assert cache.total_bytes() == len(bodies["a"]) + len(bodies["c"]) <= cache.max_total
    clock.advance(seconds=60)
    assert cache.get(url["c"]) is not None
    smaller = ImageCache(tmp_path, max_total=size, clock=clock)
    assert smaller.prune() == len(bodies["a"])
    assert smaller.get(url["a"]) is None and smaller.get(url["c"]) is not None
    assert len(list(tmp_path.glob("*.json"))) == 1  # the sidecars went with their pictures


async def test_a_picture_larger_than_the_whole_cache_is_refused(
    server: PictureServer, client: httpx.AsyncClient, tmp_path: Path, clock: FakeClock
):
    """A cache set smaller than one picture says so instead of storing it and evicting the rest."""
    server.serve("/p.png", picture("PNG", (100, 100)))
    cache = ImageCache(tmp_path, max_total=20_000, clock=clock)
    with pytest.raises(ImageError, match=r"^image larger than the whole image cache \(19.5 KB\)$"):
        await cache.fetch(client, server.url("/p.png"))
    assert cache.total_bytes() == 0


async def test_cancel_stops_starting_downloads(
    server: PictureServer, client: httpx.AsyncClient, cache: ImageCache
):
    """Leaving an article stops its picture downloads at once; cached ones still show; no error."""
    for number in range(6):
        server.serve(f"/{number}.png", picture("PNG", seed=number))
    urls = [server.url(f"/{number}.png") for number in range(6)]
    first = await cache.fetch(client, urls[0])
    cancel = threading.Event()
    cancel.set()
    assert await cache.fetch_all(client, urls, cancel=cancel) == {urls[0]: first}
    with pytest.raises(ImageError, match="cancelled"):
        await cache.fetch(client, urls[2], cancel=cancel)
    assert sum(server.hits.values()) == 1
    cancel.clear()

    def answer_then_cancel(handler: Handler) -> None:
        cancel.set()  # the user leaves while this picture is on its way
        handler.body(picture("PNG", seed=9))

    server.routes["/1.png"] = answer_then_cancel
    assert await cache.fetch_all(client, urls, concurrency=1, cancel=cancel) == {urls[0]: first}
    assert server.hits["/1.png"] == 1
    assert [server.hits[f"/{number}.png"] for number in range(2, 6)] == [0, 0, 0, 0]
    assert cache.failure(urls[1]) is None  # a cancelled download is no failure


async def test_fetch_all_answers_for_every_picture_of_an_article(
    server: PictureServer, client: httpx.AsyncClient, cache: ImageCache
):
    """An article's good, missing and invalid pictures each get a picture or a reason."""
    server.serve("/a.png", picture("PNG"))
    server.serve("/b.jpg", picture("JPEG"), "image/jpeg")
    server.serve("/pixel.gif", picture("GIF", (1, 1)), "image/gif")
    urls = [
        server.url("/a.png"),
        server.url("/missing.png"),
        "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        server.url("/b.jpg"),
        server.url("/pixel.gif"),
        server.url("/a.png"),
    ]
    results = await cache.fetch_all(client, urls, concurrency=2)
    assert list(results) == list(dict.fromkeys(urls))
    good, missing, data, other, pixel = (results[url] for url in urls[:5])
    assert isinstance(good, CachedImage) and good.format == "PNG"
    assert isinstance(other, CachedImage) and other.format == "JPEG"
    assert missing == "HTTP 404 Not Found"
    assert isinstance(data, str) and data.startswith("not an http(s) URL: data:")
    assert pixel == "a tracking pixel (1x1), not a picture"
    assert server.hits["/a.png"] == 1


async def test_escape_sequences_in_a_picture_url_never_reach_the_screen(
    server: PictureServer, client: httpx.AsyncClient, cache: ImageCache
):
    """A hostile picture URL cannot recolour, retitle or clear the terminal through its reason."""
    hostile = [
        "javascript:\x1b]0;owned\x07alert(1)\x1b[2J",
        "data:\x9b31mred,\x1b[5m" + "A" * 100_000,
        "http://127.0.0.1:99999\x1b[31m/a.png",
        server.url("/missing\x1b[31m.png\r\nX-Injected: 1"),
        "ht\x1btp://example.com/\x07\u202e",
    ]
    results = await cache.fetch_all(client, hostile)
    assert len(results) == len(hostile)
    for url in hostile:
        for message in (results[url], cache.failure(url)):
            assert isinstance(message, str) and message.isprintable(), repr(message)
            assert 0 < len(message) <= 200
            assert "\x1b" not in message and "\x9b" not in message


OTHER_READER = """
import asyncio, sys
from pathlib import Path
from tui_reader.network_settings import NetworkSettings
from tui_reader.sources.http import make_client
from tui_reader.sources.image_cache import CachedImage, ImageCache

async def main() -> None:
    cache = ImageCache(Path(sys.argv[1]), max_total=int(sys.argv[2]))
    async with make_client(NetworkSettings()) as client:
        results = await cache.fetch_all(client, sys.argv[3:])
    print(sum(isinstance(result, CachedImage) for result in results.values()))

asyncio.run(main())
"""


async def test_two_readers_share_one_cache_folder(
    server: PictureServer, client: httpx.AsyncClient, tmp_path: Path
):
    """Two tui-reader windows filling one cache at once never show or leave a broken picture."""
    bodies = [picture("PNG", (100, 100), seed=seed) for seed in range(8)]

    def slowly(body: bytes) -> Route:
        def route(handler: Handler) -> None:
            time.sleep(0.1)  # slow enough for both readers' downloads to overlap
            handler.body(body)

        return route

    for number, body in enumerate(bodies):
        server.routes[f"/{number}.png"] = slowly(body)
    urls = [server.url(f"/{number}.png") for number in range(len(bodies))]
    folder, max_total = tmp_path / "shared", 5 * len(bodies[0])
    other = await asyncio.create_subprocess_exec(
        *(sys.executable, "-c", OTHER_READER, str(folder), str(max_total), *urls),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    for _ in range(500):  # start once the other reader has (it takes a moment to start)
        if server.hits or other.returncode is not None:
            break
        await asyncio.sleep(0.01)
    mine = ImageCache(folder, max_total=max_total)
    results = await mine.fetch_all(client, urls[::-1])
    out, err = await other.communicate()
    assert other.returncode == 0, err.decode()[-2000:]
    assert int(out) == len(urls)
    assert sum(server.hits.values()) > len(urls)  # both readers downloaded, at the same time
    assert all(isinstance(result, CachedImage) for result in results.values())
    shown = [image for image in map(mine.get, urls) if image is not None]
    assert shown
    for image in shown:
        assert image.path.read_bytes() == bodies[urls.index(image.url)]
    assert mine.total_bytes() <= max_total
    assert not list(folder.glob(".tmp-*"))
