"""The offline cache of articles' pictures: fetched once, checked, kept on disk, shown later.

An article's picture is a `Block(kind=IMAGE)` whose one link is its URL; the
reader shows it from here, with no network. `fetch` (`fetch_all` for an
article) downloads it over http(s) with a cap that stops reading, checks it
with Pillow (PNG, JPEG, GIF, WebP or BMP; pixels counted from the header
before decoding; no tracking pixel; a real decode) and stores it; `get` reads
it back. A failure is remembered with its reason for `RETRY_AFTER_SECONDS`,
so a broken picture costs no request each time its article opens; the least
recently used pictures go when the cache outgrows its bound.

In one folder: `KEY.png` (KEY a hash of the URL) and its sidecar `KEY.json`
(url, width, height, format, size, fetched), or for a failure that alone (url,
reason, at), each written to a `.tmp-*` file renamed into place: neither a
crash nor a second process sharing the folder sees half a file, and a picture
whose size is not its sidecar's is never served. A picture's file time is its
last use. Imports `errors` and `sanitize`; Pillow, httpx and `sources.http`
(`USER_AGENT`, `check_url`, `FetchError`) only when a picture is fetched or
checked, so reading the cache costs neither their time nor their memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import os
import re
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_reader.errors import ShownError, one_line, unexpected
from tui_reader.sanitize import clean_line

if TYPE_CHECKING:  # httpx and Pillow are imported when a picture is fetched or checked:
    # reading the cache (a story's placeholders) does without them (16 MB, 100 ms)
    import httpx

MAX_TOTAL_BYTES = 200 * 1024 * 1024  # the cache's default bound
MAX_IMAGE_BYTES = 10 * 1024 * 1024  # one picture
MAX_PIXELS = 40_000_000  # width * height from the header, before decoding
RETRY_AFTER_SECONDS = 7 * 24 * 3600  # a failed picture is not tried again before this
# ... unless the server was never reached (no network, a timeout): then after an hour,
# so a reader who opened stories on a train sees their pictures once back online.
UNREACHED_RETRY_SECONDS = 3600
TOTAL_TIMEOUT = 30.0  # seconds for one download, however slowly its bytes trickle in

# Pillow's format -> the file's extension; MPO (a camera's multi-picture JPEG) counts as JPEG.
_EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp", "BMP": ".bmp"}
_PLUGINS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")  # the only parsers Pillow may try
_ACCEPT = "image/webp,image/png,image/jpeg,image/gif,image/bmp;q=0.9,*/*;q=0.1"
_PICTURE = re.compile(r"[0-9a-f]{32}(?:\.png|\.jpg|\.gif|\.webp|\.bmp)")
_TEMPORARY = ".tmp-"
_STALE_TEMPORARY = 3600.0  # seconds: a temporary file this old was left by a crash
_LONGEST_MESSAGE = 200  # characters: a data: URL may be 100 KB long
_TRACKING_SIDE = 2  # a picture no wider and no taller than this is a tracking pixel
_DRAFT_SIDE = 256  # a JPEG decodes at about this size (1/2 to 1/8 scale) to prove it whole
# One picture is checked at a time: that bounds memory (40 million pixels decode
# to 160 MB) and keeps the process-wide `warnings` filter set there unraced.
_CHECKING = threading.Lock()


@dataclass(frozen=True)
class CachedImage:
    """A picture in the cache, checked and complete."""

    url: str  # as the caller gave it
    path: Path  # the image file in the cache
    width: int  # pixels
    height: int
    format: str  # "PNG", "JPEG", "GIF", "WEBP" or "BMP"


class ImageError(ShownError):
    """A picture could not be had or was refused; the message is one line for the user."""


class _Unreached(ImageError):
    """No answer came (no network, refused, a timeout): tried again sooner."""


class _Passing(ImageError):
    """A failure that says nothing about the picture (cancelled, disk full): not remembered."""


class ImageCache:
    """Pictures kept in `directory` (made when the first one is stored), at most `max_total` bytes.

    `max_image` caps a download, `max_pixels` a picture's width * height (Pillow
    refuses above 179 million itself), `total_timeout` a download's time;
    `clock` dates uses, downloads and failures."""

    def __init__(
        self,
        directory: Path,
        *,
        max_total: int = MAX_TOTAL_BYTES,
        max_image: int = MAX_IMAGE_BYTES,
        max_pixels: int = MAX_PIXELS,
        total_timeout: float = TOTAL_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.max_total, self.max_image, self.max_pixels = max_total, max_image, max_pixels
        self.total_timeout, self._clock = total_timeout, clock
        self._too_large = f"image larger than {_size(max_image)}"
        if max_image > max_total:
            self._too_large = f"image larger than the whole image cache ({_size(max_total)})"

    def get(self, url: str) -> CachedImage | None:
        """The cached picture of `url`, marked used; None when there is none. No network."""
        key = _key(url)
        if (entry := self._read_json(key) or {}).get("url") != url:
            return None
        try:
            kind, size = str(entry["format"]), int(entry["size"])
            width, height = int(entry["width"]), int(entry["height"])
            path = self.directory / (key + _EXTENSIONS[kind])
            if path.stat().st_size != size:  # cut short by a crash or by someone else
                return None
        except (KeyError, TypeError, ValueError, OSError):
            return None
        with contextlib.suppress(OSError):  # a read-only cache still serves
            os.utime(path, (self._clock(),) * 2)
        return CachedImage(url, path, width, height, kind)

    def split(self, urls: Sequence[str]) -> tuple[dict[str, CachedImage], list[str]]:
        """The pictures of `urls` already cached (by address), and the addresses
        still worth fetching (not cached, no recent failure). No network."""
        cached: dict[str, CachedImage] = {}
        missing: list[str] = []
        for url in urls:
            if (found := self.get(url)) is not None:
                cached[url] = found
            elif self.failure(url) is None:
                missing.append(url)
        return cached, missing

    def failure(self, url: str) -> str | None:
        """Why `url` will not be fetched now: a recorded failure younger than
        `RETRY_AFTER_SECONDS`, or the refusal of a URL that is not http(s); else None."""
        try:
            _checked(url)
        except ImageError as exc:
            return str(exc)
        record = self._read_json(_key(url)) or {}
        at = record.get("at")
        if record.get("url") != url or "reason" not in record or not isinstance(at, int | float):
            return None
        wait = UNREACHED_RETRY_SECONDS if record.get("unreached") else RETRY_AFTER_SECONDS
        if self._clock() - at >= wait:
            return None
        return clean_line(str(record.get("reason")))[:_LONGEST_MESSAGE] or "failed"

    async def fetch(
        self, client: httpx.AsyncClient, url: str, *, cancel: threading.Event | None = None
    ) -> CachedImage:
        """The picture of `url`: from the cache, else downloaded, checked, stored (then `prune`).

        A recorded failure raises again, with no request, until it is
        `RETRY_AFTER_SECONDS` old. A new one is recorded, unless the download
        was cancelled (`cancel` is looked at before it and between chunks) or
        the cache cannot be written. Raises `ImageError`, with a one-line reason.
        """
        if (cached := self.get(url)) is not None:
            return cached
        if (reason := self.failure(url)) is not None:
            raise ImageError(reason)
        if cancel is not None and cancel.is_set():
            raise _Passing("image download cancelled")
        try:
            data = await self._download(client, _checked(url), cancel)
            image = await asyncio.to_thread(self._store, url, data)
        except _Passing:
            raise
        except ImageError as exc:
            self._record(url, str(exc), unreached=isinstance(exc, _Unreached))
            raise
        await asyncio.to_thread(self._prune, image.path)
        return image

    async def fetch_all(
        self,
        client: httpx.AsyncClient,
        urls: Sequence[str],
        *,
        concurrency: int = 4,
        cancel: threading.Event | None = None,
    ) -> dict[str, CachedImage | str]:
        """Each URL's picture or one-line failure, in the order given; never raises for one.

        Cached pictures and recorded failures are answered first, with no
        network; then at most `concurrency` downloads run at once. Once
        `cancel` is set no download starts and those under way stop: their
        URLs are missing from the result, and nothing is recorded for them."""
        order = list(dict.fromkeys(urls))
        results: dict[str, CachedImage | str] = {}
        waiting: list[str] = []
        for url in order:
            if (known := self.get(url) or self.failure(url)) is not None:
                results[url] = known
            else:
                waiting.append(url)
        queue = iter(waiting)  # shared by the workers: each takes the next URL

        async def work() -> None:
            for url in queue:
                if cancel is not None and cancel.is_set():
                    return
                try:
                    results[url] = await self.fetch(client, url, cancel=cancel)
                except ImageError as exc:
                    if isinstance(exc, _Passing) and cancel is not None and cancel.is_set():
                        return
                    results[url] = str(exc)
                except Exception as exc:  # one bad picture never spoils the article's others
                    results[url] = unexpected(exc)

        await asyncio.gather(*(work() for _ in range(max(1, min(concurrency, len(waiting))))))
        return {url: results[url] for url in order if url in results}

    def prune(self) -> int:
        """Drop the least recently used pictures until they total at most `max_total`;
        and temporary files an hour old, and failures or orphaned sidecars a week old.
        Returns the bytes of pictures removed."""
        return self._prune(None)

    def total_bytes(self) -> int:
        """The size of the cached picture files (their small sidecars not counted)."""
        return sum(size for _, size, _ in self._pictures())

    async def _download(
        self, client: httpx.AsyncClient, url: str, cancel: threading.Event | None
    ) -> bytes:
        """GET `url` (redirects followed), reading at most the cap, in `total_timeout`."""
        import httpx

        from tui_reader.sources.http import USER_AGENT

        headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT}
        request = client.stream("GET", url, headers=headers, follow_redirects=True)
        try:
            async with asyncio.timeout(self.total_timeout), request as response:
                return await self._read(response, cancel)
        except TimeoutError:
            raise _Unreached(f"took longer than {self.total_timeout:g} s in all") from None
        except (httpx.HTTPError, OSError) as exc:
            raise _Unreached(_reason(exc)) from None
        except (UnicodeError, ValueError) as exc:  # e.g. an invalid IDN host ("xn--zz")
            raise ImageError(f"invalid URL ({one_line(exc)})") from None
        except httpx.InvalidURL:  # `check_url` passed the URL asked for: a redirect's, "data:x"
            raise ImageError("redirected to an invalid URL") from None

    async def _read(self, response: httpx.Response, cancel: threading.Event | None) -> bytes:
        """The body of a 200 answer from an http(s) URL, stopping past the cap."""
        if response.url.scheme not in ("http", "https"):
            raise ImageError("redirected to a URL that is not http(s)")
        status = response.status_code
        if status >= 400:
            raise ImageError(f"HTTP {status} {clean_line(response.reason_phrase)}".rstrip())
        if status not in (200, 203):
            raise ImageError(f"unexpected HTTP {status}")
        cap = min(self.max_image, self.max_total)
        declared = response.headers.get("content-length", "").strip()
        if declared.isdecimal() and int(declared) > cap:
            raise ImageError(self._too_large)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():  # decoded: a gzip bomb meets the cap too
            if cancel is not None and cancel.is_set():
                raise _Passing("image download cancelled")
            size += len(chunk)
            if size > cap:
                raise ImageError(self._too_large)
            chunks.append(chunk)
        return b"".join(chunks)

    def _store(self, url: str, data: bytes) -> CachedImage:
        """Check `data` is a picture we show, then write it and its sidecar (in a thread)."""
        width, height, kind = _inspect(data, self.max_pixels)
        key, now = _key(url), self._clock()
        path = self.directory / (key + _EXTENSIONS[kind])
        entry = {"url": url, "width": width, "height": height, "format": kind}
        entry |= {"size": len(data), "fetched": now}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write(path, data, now)  # the picture first: a sidecar never names a part
            _write(self.directory / (key + ".json"), json.dumps(entry).encode(), now)
            for extension in set(_EXTENSIONS.values()) - {path.suffix}:  # an older format's
                (self.directory / (key + extension)).unlink(missing_ok=True)
        except OSError as exc:
            raise _Passing(f"cannot save the image: {one_line(exc)}") from None
        return CachedImage(url, path, width, height, kind)

    def _record(self, url: str, reason: str, *, unreached: bool = False) -> None:
        """Remember in `url`'s sidecar that it failed, when, and why."""
        now = self._clock()
        fields = {"url": url, "reason": reason, "at": now, "unreached": unreached}
        record = json.dumps(fields).encode()
        with contextlib.suppress(OSError):  # no record: it will be tried again, no worse
            self.directory.mkdir(parents=True, exist_ok=True)
            _write(self.directory / (_key(url) + ".json"), record, now)

    def _prune(self, keep: Path | None) -> int:
        """`prune`, never dropping `keep` (the picture just stored)."""
        pictures = sorted(self._pictures(), key=lambda p: (p[0], p[2].name))
        total, freed = sum(size for _, size, _ in pictures), 0
        for _, size, path in pictures:
            if total <= self.max_total:
                break
            if path == keep:
                continue
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)  # missing: another process pruned it first
                freed += size
                path.with_suffix(".json").unlink(missing_ok=True)
            total -= size
        self._tidy({path.stem for _, _, path in pictures})
        return freed

    def _pictures(self) -> list[tuple[float, int, Path]]:
        """(last used, size, path) of every picture file in the folder."""
        found: list[tuple[float, int, Path]] = []
        with contextlib.suppress(OSError), os.scandir(self.directory) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if _PICTURE.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                        stat = entry.stat(follow_symlinks=False)
                        found.append((stat.st_mtime, stat.st_size, Path(entry.path)))
        return found

    def _tidy(self, pictures: set[str]) -> None:
        """Remove temporary files an hour old and sidecars a week old with no picture."""
        now, wall = self._clock(), time.time()  # temporary files carry the real time
        with contextlib.suppress(OSError), os.scandir(self.directory) as entries:
            for entry in entries:
                key, _, extension = entry.name.partition(".")
                with contextlib.suppress(OSError):
                    if entry.name.startswith(_TEMPORARY):
                        stale = wall - entry.stat().st_mtime > _STALE_TEMPORARY
                    elif extension == "json" and key not in pictures:  # a failure, or gone
                        stale = now - entry.stat().st_mtime >= RETRY_AFTER_SECONDS
                    else:
                        continue
                    if stale:
                        os.unlink(entry.path)

    def _read_json(self, key: str) -> dict[str, Any] | None:
        """`KEY.json`, a sidecar or a failure, as a dict; None when missing or unreadable."""
        try:
            value = json.loads((self.directory / (key + ".json")).read_bytes())
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None


def _key(url: str) -> str:
    """The file name's stem for `url`: 128 bits of its SHA-256."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _checked(url: str) -> str:
    """`url` checked by `check_url` (http or https only), else an `ImageError` saying why."""
    from tui_reader.sources.http import FetchError, check_url

    try:
        return check_url(url)
    except FetchError as exc:  # one clean line: `check_url` quotes the URL cleaned
        raise ImageError(str(exc)[:_LONGEST_MESSAGE]) from None


def _write(path: Path, data: bytes, used: float) -> None:
    """Write a temporary file beside `path`, dated `used`, then rename it over `path`."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=_TEMPORARY)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())  # the bytes on disk before the name points at them
        os.utime(temporary, (used, used))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _inspect(data: bytes, max_pixels: int) -> tuple[int, int, str]:
    """Width, height and format of a picture we show; else an `ImageError` saying why not.

    The size comes from the header and is judged before anything decodes;
    then `verify` checks the file's structure (a PNG's checksums) and a real
    decode, of a reopened copy, proves the data whole.
    """
    from PIL import Image, UnidentifiedImageError

    broken = ImageError("broken image file (truncated or corrupt)")
    with _CHECKING, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's warnings would land on the terminal
        try:
            with Image.open(io.BytesIO(data), formats=_PLUGINS) as image:
                (width, height), kind = image.size, image.format
        except Image.DecompressionBombError:  # Pillow's own bound, above ours by default
            bound = Image.MAX_IMAGE_PIXELS
            limit = min(max_pixels, 2 * bound) if bound else max_pixels
            raise ImageError(f"image too large (more than {limit:,} pixels)") from None
        except UnidentifiedImageError:
            raise ImageError(_not_an_image(data)) from None
        except Exception:  # Pillow raises OSError, SyntaxError, ValueError, struct.error...
            raise broken from None
        kind = "JPEG" if kind == "MPO" else kind
        if kind not in _EXTENSIONS:
            raise ImageError("not an image in PNG, JPEG, GIF, WebP or BMP")
        if width * height > max_pixels:
            raise ImageError(f"image too large: {width}x{height} pixels (more than {max_pixels:,})")
        if max(width, height) <= _TRACKING_SIDE:
            raise ImageError(f"a tracking pixel ({width}x{height}), not a picture")
        try:
            with Image.open(io.BytesIO(data), formats=_PLUGINS) as image:
                image.verify()
            with Image.open(io.BytesIO(data), formats=_PLUGINS) as image:
                image.draft(None, (_DRAFT_SIDE, _DRAFT_SIDE))  # JPEG only; others decode whole
                image.load()
        except Exception:
            raise broken from None
    return width, height, str(kind)


def _not_an_image(data: bytes) -> str:
    """Say what a file Pillow could not read as a picture seems to be."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "not an image: a web page"
    if b"<svg" in head:
        return "not an image the terminal can show: SVG"
    return "not an image in PNG, JPEG, GIF, WebP or BMP" if head else "no image: an empty answer"


def _size(n: int) -> str:
    """A byte count for people: "200 KB", "10 MB"."""
    return f"{n / 1024 / 1024:.3g} MB" if n >= 1024 * 1024 else f"{n / 1024:.3g} KB"


def _reason(exc: Exception) -> str:
    """Say in one line why a request failed (the spirit of `http.fetch`'s words, in brief)."""
    import httpx

    plain: tuple[tuple[type[Exception], str], ...] = (
        (httpx.UnsupportedProtocol, "redirected to a URL that is not http(s)"),  # http(s) asked
        (httpx.TooManyRedirects, "too many redirects"),
        (httpx.ConnectTimeout, "connection timed out"),
        (httpx.ReadTimeout, "the server stopped sending (read timeout)"),
        (httpx.TimeoutException, "timed out"),
    )
    for kind, reason in plain:
        if isinstance(exc, kind):
            return reason
    text = one_line(exc)[:_LONGEST_MESSAGE]
    if isinstance(exc, httpx.ConnectError):
        cause: BaseException | None = exc
        for _ in range(10):  # httpx wraps the OS's error
            if isinstance(cause, ConnectionRefusedError):
                return "connection refused"
            cause = cause.__cause__ or cause.__context__ if cause is not None else None
        return f"cannot connect: {text}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return f"connection broken mid-response: {text}"
    return text
