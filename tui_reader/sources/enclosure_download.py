"""Save a podcast enclosure (the audio or video file a feed item points at) to a folder.

It streams to `NAME.part`, renamed `NAME` when complete, so a half-written file
never looks finished; a broken or cancelled download resumes from the part
with a Range request (If-Range guarded by the validator in `NAME.part.json`).
An HTML page where the feed promised audio, or a size far from the feed's
length, is refused. An existing file is never overwritten: one the server's
size matches is already there, a different one makes the name `NAME (2).ext`.
Synchronous, for the CLI. Imports `errors`, `sanitize`, the network settings
and `USER_AGENT`, `check_url` and `FetchError` of `sources.http`.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from tui_reader.errors import ShownError, one_line
from tui_reader.network_settings import NetworkSettings
from tui_reader.sanitize import clean_line
from tui_reader.sources.http import USER_AGENT, FetchError, check_url

_CHUNK = 64 * 1024
_MAX_NAME = 150  # characters; and at most 200 bytes in UTF-8, so " (2).part.json" fits in 255
_CHECKED_LENGTH = 1024  # a feed length below this is too rough to judge a size by
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_STARTS = (b"<!doctype html", b"<html")
_HEADERS = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
_UNSAFE = re.compile(r'[/\\<>:"|?*]')
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-\d+/(\d+|\*)", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"bytes\s+\*/(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class DownloadPlan:
    """What the feed said about an enclosure."""

    url: str  # http(s) only
    type: str  # the MIME type the feed gave, e.g. "audio/mpeg"; may be ""
    length: int  # bytes the feed gave, 0 when unknown
    filename: str  # proposed file name; "" derives one from the URL path, else "enclosure"


@dataclass(frozen=True)
class DownloadResult:
    """Where a download ended up."""

    path: Path  # where the file is
    size: int  # bytes
    resumed_from: int  # bytes already there from a partial download (0 if fresh)
    already: bool  # True when the same file was already complete there; nothing fetched


class DownloadError(ShownError):
    """A download failed or was refused; the message is one line for the user."""


class _Discard(DownloadError):
    """The bytes this call wrote must go: they are not what the feed said, or there are none."""


def safe_filename(name: str) -> str:
    """`name` fit to be one file in a folder; "" when nothing is left of it.

    No path separators, `..`, controls or leading dots; at most 150 characters
    (and 200 bytes in UTF-8), cut from the stem so the extension stays.
    """
    name = re.sub(r"\.{2,}", ".", _UNSAFE.sub("_", clean_line(name))).strip(" .")
    stem, suffix = _split(name)
    stem, suffix = (stem[:_MAX_NAME], suffix) if len(suffix) <= 16 else (name[:_MAX_NAME], "")
    while stem and (len(stem + suffix) > _MAX_NAME or len((stem + suffix).encode()) > 200):
        stem = stem[:-1].rstrip(" .")
    return stem + suffix if stem else ""


def enclosure_filename(plan: DownloadPlan) -> str:
    """The file name a download gets before any `(2)`: the feed's, the URL's, else "enclosure".

    A name from the URL path is percent-decoded; one without an extension
    gets the usual one for the feed's MIME type (".mp3" for audio/mpeg).
    """
    if name := safe_filename(plan.filename):
        return name
    path_name = PurePosixPath(urlsplit(plan.url).path).name
    name = safe_filename(unquote(path_name, errors="replace")) or "enclosure"
    if not _split(name)[1] and plan.type:
        extension = mimetypes.guess_extension(plan.type.split(";")[0].strip().lower())
        name = safe_filename(name + extension) if extension else name
    return name


def download_enclosure(
    plan: DownloadPlan,
    directory: Path,
    settings: NetworkSettings,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    cancel: threading.Event | None = None,
) -> DownloadResult:
    """Save `plan`'s enclosure in `directory` (created if missing) and say where.

    `settings` gives connect and read timeouts and redirects (its total time
    and `max_bytes` are for feeds). `progress` hears (bytes so far, total or
    None) per chunk; `cancel` stops the download between chunks, keeping its part.

    Raises:
        DownloadError: Failed, refused or cancelled, with a one-line reason.
    """
    try:
        url = check_url(plan.url)
    except FetchError as exc:
        raise DownloadError(f"cannot download: {exc}") from None
    if cancel is not None and cancel.is_set():
        raise DownloadError("download cancelled; nothing saved")
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    redirects = settings.max_redirects
    with httpx.Client(
        follow_redirects=True, max_redirects=redirects, timeout=timeout, headers=_HEADERS
    ) as client:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            target = _pick_file(client, url, directory, enclosure_filename(plan))
            if isinstance(target, DownloadResult):
                return target
            return _Transfer(client, url, plan, target, settings, progress, cancel).run()
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise DownloadError(f"download failed: {_reason(exc, settings)}") from None
        except OSError as exc:
            raise DownloadError(f"cannot save the download: {one_line(exc)}") from None


def _pick_file(client: httpx.Client, url: str, directory: Path, name: str) -> Path | DownloadResult:
    """The first free `NAME`, `NAME (2).ext`, ...; or the existing one the server's size matches."""
    total: int | None = -1  # not asked yet
    stem, suffix = _split(name)
    for number in range(1, 1000):
        candidate = directory / (name if number == 1 else f"{stem} ({number}){suffix}")
        if not (candidate.exists() or candidate.is_symlink()):
            return candidate
        if candidate.is_file():
            total = _server_total(client, url) if total == -1 else total
            if total is not None and candidate.stat().st_size == total:
                return DownloadResult(candidate, total, resumed_from=0, already=True)
    raise DownloadError(f"download refused: too many files named like {name} in {directory}")


def _server_total(client: httpx.Client, url: str) -> int | None:
    """The enclosure's size from a HEAD, else from a GET's headers (its body unread)."""
    for method in ("HEAD", "GET"):
        with client.stream(method, url) as response:
            if response.status_code == 200 and (total := _length(response)) is not None:
                return total
    return None


@dataclass
class _Transfer:
    """One download into a part file: requests, checks, writes, and cleans up after a refusal."""

    client: httpx.Client
    url: str
    plan: DownloadPlan
    target: Path
    settings: NetworkSettings
    progress: Callable[[int, int | None], None] | None
    cancel: threading.Event | None
    opened_at: int | None = None  # where this call started writing the part, if it did

    def __post_init__(self) -> None:
        self.part = self.target.with_name(self.target.name + ".part")
        self.meta = self.target.with_name(self.target.name + ".part.json")

    def run(self) -> DownloadResult:
        """Resume the part file if there is one, else (or when that fails) start from 0."""
        offset = self.part.stat().st_size if self.part.is_file() else 0
        if self.plan.length >= _CHECKED_LENGTH and offset > 2 * self.plan.length:
            offset = 0  # a part already too big for the feed's length is no start
        try:  # None: nothing to resume, or the server cannot append to it
            result = (self._attempt(offset) if offset else None) or self._attempt(0)
        except _Discard:
            self._drop_written()
            raise
        if result is None:
            raise DownloadError("download failed: the server sent a part not asked for")
        return result

    def _attempt(self, offset: int) -> DownloadResult | None:
        """GET from `offset`; None when the answer cannot continue the part file."""
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        if offset and (validator := self._saved_validator()):
            headers["If-Range"] = validator
        with self.client.stream("GET", self.url, headers=headers) as response:
            if response.url.scheme not in ("http", "https"):  # httpx refuses others too
                raise DownloadError("download refused: redirected to a URL that is not http(s)")
            status, content_range = response.status_code, response.headers.get("content-range", "")
            if offset and status == 416:  # nothing after `offset`: complete if the sizes agree
                found = _UNSATISFIED_RANGE.match(content_range)
                return self._finish(offset, offset) if found and int(found[1]) == offset else None
            if status >= 300:
                reason = clean_line(response.reason_phrase)
                raise DownloadError(f"download failed: HTTP {status} {reason}".rstrip())
            length = _length(response)
            if status == 206:
                span = _CONTENT_RANGE.match(content_range)
                if not span or int(span[1]) != offset:
                    return None
                whole = int(span[2]) if span[2] != "*" else None
                total = whole if whole is not None or length is None else offset + length
                return self._receive(response, offset, total)
            if status != 200:
                raise DownloadError(f"download failed: unexpected HTTP {status}")
            return self._receive(response, 0, length)

    def _receive(self, response: httpx.Response, start: int, total: int | None) -> DownloadResult:
        """Check what the server sends, then write it to the part file from `start`."""
        plan = self.plan
        if total is not None:
            self._check_size(total, "the server has {}")
        chunks = response.iter_bytes(_CHUNK)
        head = next(chunks, b"")  # a whole chunk (or body): enough to tell an HTML page
        html = _is_html(response.headers.get("content-type", "")) or (
            start == 0 and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:16].lower().startswith(_HTML_STARTS)
        )
        if html and plan.type.strip() and not _is_html(plan.type):
            raise _Discard(f"download refused: the server sent a web page, not {plan.type}")
        if start == 0:
            self._save_validator(response)
        done = start
        try:
            with self.part.open("ab" if start else "wb") as out:
                self.opened_at = start
                for chunk in itertools.chain([head], chunks):
                    if self.cancel is not None and self.cancel.is_set():
                        raise self._stopped("download cancelled", done)
                    out.write(chunk)
                    done += len(chunk)
                    if done > 2 * plan.length:
                        self._check_size(done, f"more than {_size(2 * plan.length)} arrived")
                    if self.progress is not None and chunk:
                        self.progress(done, total)
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise self._stopped(f"download failed: {_reason(exc, self.settings)}", done) from None
        if total is not None and done != total:
            raise self._stopped(f"download incomplete: {_size(done)} of {_size(total)}", done)
        self._check_size(done, "only {} arrived")
        return self._finish(done, start)

    def _stopped(self, reason: str, done: int) -> DownloadError:
        """The error for a download stopped midway: the part is kept, unless it is empty."""
        if done:
            return DownloadError(f"{reason}; {self.part.name} kept for resuming")
        return _Discard(f"{reason}; nothing saved")

    def _check_size(self, size: int, what: str) -> None:
        """Refuse a size below half or above twice the feed's length (when it gave one)."""
        length = self.plan.length
        if length >= _CHECKED_LENGTH and not length / 2 <= size <= 2 * length:
            said = what.format(_size(size))
            raise _Discard(f"download refused: {said} but the feed said {_size(length)}")

    def _finish(self, size: int, resumed_from: int) -> DownloadResult:
        """Give the complete part its name, unless a file took that name meanwhile."""
        if self.target.exists() or self.target.is_symlink():
            raise DownloadError(f"download stopped: {self.target.name} appeared meanwhile")
        self.part.replace(self.target)
        self.meta.unlink(missing_ok=True)
        return DownloadResult(self.target, size, resumed_from=resumed_from, already=False)

    def _drop_written(self) -> None:
        """Remove a part this call wrote from the start; cut an appended one back."""
        if self.opened_at == 0:
            self.part.unlink(missing_ok=True)
            self.meta.unlink(missing_ok=True)
        elif self.opened_at is not None:
            os.truncate(self.part, self.opened_at)

    def _saved_validator(self) -> str | None:
        """The If-Range value saved beside the part, if any."""
        try:
            saved = json.loads(self.meta.read_text(encoding="utf-8")).get("if_range")
        except (OSError, ValueError, AttributeError):
            return None
        return saved if isinstance(saved, str) and saved else None

    def _save_validator(self, response: httpx.Response) -> None:
        """Save the answer's strong ETag (If-Range takes no weak one), else its Last-Modified."""
        headers = response.headers
        etag = headers.get("etag", "")
        value = etag if etag and not etag.startswith("W/") else headers.get("last-modified")
        if value:
            self.meta.write_text(json.dumps({"url": self.url, "if_range": value}), encoding="utf-8")
        else:
            self.meta.unlink(missing_ok=True)


def _split(name: str) -> tuple[str, str]:
    """A name's stem and extension ("a.mp3" -> "a", ".mp3"; "Part 2. End" has none)."""
    stem, dot, suffix = name.rpartition(".")
    return (stem, dot + suffix) if stem and suffix and " " not in suffix else (name, "")


def _length(response: httpx.Response) -> int | None:
    """The body's size from Content-Length, when the bytes arrive as they are stored."""
    if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
        return None
    declared = response.headers.get("content-length", "").strip()
    return int(declared) if declared.isdigit() else None


def _is_html(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in _HTML_TYPES


def _size(n: int) -> str:
    """A byte count for people: "800 bytes", "12.5 KB", "41.2 MB"."""
    if n < 1024:
        return f"{n} bytes"
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def _reason(exc: Exception, settings: NetworkSettings) -> str:
    """Say in one line why a request failed (the spirit of `http._explain`, in brief)."""
    text = one_line(exc)
    if isinstance(exc, httpx.TooManyRedirects):
        return f"too many redirects (more than {settings.max_redirects})"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "redirected to a URL that is not http(s)"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection timed out after {settings.connect_timeout:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"the server stopped sending for {settings.read_timeout:g} s (read timeout)"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused" if "refused" in text.lower() else f"cannot connect: {text}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return f"connection broken mid-response: {text}"
    return text
