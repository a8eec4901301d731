"""Fetch feeds over HTTP: subscribe, and refresh many feeds at once.

One `httpx.AsyncClient` serves a whole refresh: bounded concurrency, a limit
per host, keep-alive, connect/read/total timeouts and a cap on response size
that stops reading. Conditional GET (ETag, Last-Modified) makes an unchanged
feed cost one short request and no parsing. Parsing runs off the event loop
(in a process pool for large refreshes, so both cores work), and SQLite writes
in a thread. Every failure is recorded on its feed as one line; the other
feeds go on. Domain code: takes a cancellation event, never a Textual worker.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import ssl
import sys
import threading
import warnings
from collections import defaultdict
from collections.abc import Callable, Collection
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from tui_reader import APP_NAME, __version__
from tui_reader.feeds import FeedLink, FeedParseError, ParsedFeed, discover_feeds, parse_feed
from tui_reader.fetch_settings import NetworkSettings
from tui_reader.sanitize import clean_line
from tui_reader.store import Feed, Store, StoreError

USER_AGENT = f"{APP_NAME}/{__version__} (terminal news reader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.8, text/xml;q=0.8, text/html;q=0.5, */*;q=0.1"
)
# Below this many feeds, starting worker processes costs more than it saves.
PROCESS_POOL_MIN_FEEDS = 8


class FetchError(Exception):
    """A fetch failed; the message is one line for the user."""


@dataclass
class Fetched:
    """A response worth looking at (2xx or 304)."""

    status: int
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    final_url: str
    permanent_redirect: bool


def check_url(url: str) -> str:
    """Accept an http(s) URL; a bare host name gets https://.

    Raises:
        FetchError: For anything that is not an http or https URL.
    """
    url = clean_line(url)
    if "://" not in url and "." in url.split("/")[0] and " " not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        raise FetchError(f"not a valid URL: {url}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url}")
    return url


def make_client(settings: NetworkSettings) -> httpx.AsyncClient:
    """The one client a refresh shares (keep-alive across feeds of a host)."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        timeout=httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.total_timeout,
        ),
        limits=httpx.Limits(
            max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
        ),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
    )


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it, innermost last (httpx wraps OS errors)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _explain(exc: Exception, settings: NetworkSettings) -> str:
    """Say in one line why a request failed."""
    text = clean_line(str(exc))
    if isinstance(exc, httpx.TooManyRedirects):
        return f"too many redirects (more than {settings.max_redirects})"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection timed out after {settings.connect_timeout:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"server stopped sending for {settings.read_timeout:g} s (read timeout)"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out: {text}"
    if isinstance(exc, httpx.ConnectError):
        for cause in _causes(exc):
            if isinstance(cause, ConnectionRefusedError):
                return "connection refused"
            if isinstance(cause, ssl.SSLError):
                return f"TLS error: {clean_line(str(cause))}"
            if isinstance(cause, socket.gaierror):
                return "host name not found (DNS)"
        lowered = text.lower()
        if "ssl" in lowered or "certificate" in lowered:
            return f"TLS error: {text}"
        if "name or service not known" in lowered or "nodename" in lowered or "resolve" in lowered:
            return "host name not found (DNS)"
        if "refused" in lowered:
            return "connection refused"
        return f"cannot connect: {text}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return f"connection broken mid-response: {text or 'reset by the server'}"
    if isinstance(exc, httpx.HTTPError):
        return f"network error: {text}"
    return f"{type(exc).__name__}: {text}"


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    settings: NetworkSettings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
) -> Fetched:
    """GET a URL conditionally, reading at most `settings.max_bytes`.

    Args:
        client: The shared client.
        url: What to get.
        settings: Limits and timeouts.
        etag: Sent as If-None-Match.
        last_modified: Sent as If-Modified-Since.
        accept: An Accept header in place of the client's (feeds first).

    Returns:
        The response (2xx, or 304 with an empty body).

    Raises:
        FetchError: For any failure, with a one-line reason.
    """
    headers = {"Accept": accept} if accept else {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(settings.total_timeout):
            async with client.stream("GET", url, headers=headers) as response:
                return await _read(response, settings)
    except FetchError:
        raise
    except TimeoutError:
        raise FetchError(f"took longer than {settings.total_timeout:g} s in all") from None
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        raise FetchError(_explain(exc, settings)) from None
    except (UnicodeError, ValueError) as exc:  # e.g. an invalid IDN host ("xn--zz")
        raise FetchError(f"invalid URL ({clean_line(str(exc)) or type(exc).__name__})") from None


async def _read(response: httpx.Response, settings: NetworkSettings) -> Fetched:
    history = response.history
    permanent = bool(history) and all(r.status_code in (301, 308) for r in history)
    status = response.status_code
    if status >= 400:
        raise FetchError(f"HTTP {status} {clean_line(response.reason_phrase)}".rstrip())
    if status != 304 and not 200 <= status < 300:
        raise FetchError(f"unexpected HTTP {status}")
    cap = settings.max_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchError(f"response too large ({_megabytes(int(declared))}, cap {_megabytes(cap)})")
    chunks: list[bytes] = []
    size = 0
    if status != 304:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(f"response larger than {_megabytes(cap)}; stopped reading")
            chunks.append(chunk)
    return Fetched(
        status=status,
        body=b"".join(chunks),
        content_type=response.headers.get("content-type", ""),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        final_url=str(response.url),
        permanent_redirect=permanent,
    )


@dataclass
class FeedOutcome:
    """How one feed's refresh went."""

    feed: Feed
    status: Literal["updated", "unchanged", "failed"]
    new: int = 0
    updated: int = 0
    error: str | None = None
    note: str | None = None  # a remark on a success, e.g. a feed cut to size
    full_texts: int = 0  # stories fetched from their pages (feeds.full_text)
    full_text_failures: int = 0


@dataclass
class RefreshSummary:
    """How a whole refresh went."""

    outcomes: list[FeedOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Feeds that ended with `status`."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def new(self) -> int:
        """New articles across all feeds."""
        return sum(o.new for o in self.outcomes)

    def line(self) -> str:
        """The one-line summary the CLI ends with."""
        line = (
            f"{self.count('updated')} feeds updated, {self.new} new articles,"
            f" {self.count('unchanged')} unchanged, {self.count('failed')} failed"
        )
        fetched = sum(o.full_texts for o in self.outcomes)
        failed = sum(o.full_text_failures for o in self.outcomes)
        if fetched or failed:
            line += f"; full text fetched for {fetched} articles ({failed} kept their summary)"
        return line


Progress = Callable[[int, int, FeedOutcome], None]


def _parse_job(body: bytes, url: str, content_type: str) -> ParsedFeed | str:
    """Parse in a worker; any error comes back as its message (picklable).

    Warnings are silenced: in a worker process they would be written straight
    to the terminal, over the app's screen.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return parse_feed(body, url, content_type)
        except FeedParseError as exc:
            return str(exc)
        except (RecursionError, ValueError, OverflowError, UnicodeError) as exc:
            return f"unreadable feed ({type(exc).__name__}: {clean_line(str(exc))})"


Stored = tuple[int, int, str | None]  # new articles, updated articles, note


def _parse_and_store(
    store: Store,
    feed: Feed,
    body: bytes,
    url: str,
    content_type: str,
    etag: str | None,
    last_modified: str | None,
    new_url: str | None,
) -> Stored | str:
    """Parse a fetched feed and store it; a feed's own fault comes back as a message."""
    parsed = _parse_job(body, url, content_type)
    if isinstance(parsed, str):
        return parsed
    new, updated = store.store_feed(
        feed, parsed, etag=etag, last_modified=last_modified, new_url=new_url
    )
    return new, updated, parsed.note


# Each worker process's own connection to the library, opened on first use.
_worker_store: Store | None = None


def _parse_and_store_job(db_path: str, feed: Feed, *job: Any) -> Stored | str:
    """`_parse_and_store` in a worker process, with the worker's own connection.

    Storing there as well as parsing keeps the app's process free of both:
    handing 1,000 parsed entries back to it cost the UI tens of milliseconds
    a feed (unpickling holds the GIL), and keys lagged. SQLite in WAL mode
    lets the workers write one after another; a StoreError comes back raised.
    """
    global _worker_store
    if _worker_store is None or str(_worker_store.path) != db_path:
        _worker_store = Store(Path(db_path))
    return _parse_and_store(_worker_store, feed, *job)


def _quiet_worker() -> None:
    warnings.simplefilter("ignore")
    # Parsing is background work: on a busy machine the app's UI (or the
    # refresh's own event loop) goes first, so keys stay quick mid-refresh.
    with suppress(OSError):
        os.nice(10)


def make_parse_pool() -> Executor:
    """Worker processes for parsing (spawned: safe beside the app's threads)."""
    _start_resource_tracker()
    return ProcessPoolExecutor(
        max_workers=2, mp_context=multiprocessing.get_context("spawn"), initializer=_quiet_worker
    )


def _start_resource_tracker() -> None:
    # Spawning starts multiprocessing's resource tracker, which hands it
    # sys.stderr's file descriptor. Inside the app, Textual has replaced
    # sys.stderr with a capture whose fileno() is -1, and the spawn fails
    # ("bad value(s) in fds_to_keep"). Start the tracker once with the real
    # stderr; later spawns reuse it.
    from multiprocessing import resource_tracker

    try:
        if sys.stderr is not None and sys.stderr.fileno() >= 0:
            return
    except (AttributeError, OSError, ValueError):
        pass
    with _TRACKER_LOCK:
        captured, sys.stderr = sys.stderr, sys.__stderr__
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = captured


_TRACKER_LOCK = threading.Lock()


async def refresh_feeds(
    store: Store,
    feeds: list[Feed],
    settings: NetworkSettings,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    full_text: Collection[str] = (),
) -> RefreshSummary:
    """Refresh feeds concurrently; each failure is recorded on its feed.

    Args:
        store: The library.
        feeds: The feeds to refresh.
        settings: Limits and timeouts.
        progress: Called with (done, total, outcome) after each feed.
        cancel: When set, feeds not yet started are skipped.
        full_text: Feed URLs whose new articles get their full story
            fetched from their pages (the config's `feeds.full_text`).

    Returns:
        The outcome of every feed.
    """
    summary = RefreshSummary()
    if not feeds:
        return summary
    executor: Executor | None = None
    if len(feeds) >= PROCESS_POOL_MIN_FEEDS:
        executor = make_parse_pool()
    everyone = asyncio.Semaphore(settings.concurrency)
    per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(
        lambda: asyncio.Semaphore(settings.per_host)
    )
    loop = asyncio.get_running_loop()

    async def with_full_texts(
        client: httpx.AsyncClient, outcome: FeedOutcome, new_url: str | None
    ) -> FeedOutcome:
        # Articles never tried (new ones, or older ones from before the feed
        # was named in feeds.full_text) get their story from their pages.
        if outcome.feed.url in full_text or (new_url is not None and new_url in full_text):
            from tui_reader.pages import fill_full_texts

            try:
                outcome.full_texts, outcome.full_text_failures = await fill_full_texts(
                    store, client, outcome.feed, settings, executor=executor, cancel=cancel
                )
            except StoreError:
                raise
            except Exception as exc:  # the feed itself is stored: it did not fail
                outcome.note = f"full text not fetched ({type(exc).__name__})"
        return outcome

    async def one(client: httpx.AsyncClient, feed: Feed) -> FeedOutcome:
        if cancel is not None and cancel.is_set():
            return FeedOutcome(feed, "failed", error="cancelled")
        host = urlsplit(feed.url).hostname or ""
        try:
            # The slot is held until the feed is stored, not only fetched:
            # feeds in memory (bodies, parsed entries) stay at `concurrency`
            # however fast the server answers.
            async with everyone:
                async with per_host[host]:
                    fetched = await fetch(
                        client, feed.url, settings, etag=feed.etag, last_modified=feed.last_modified
                    )
                new_url = fetched.final_url if fetched.permanent_redirect else None
                if fetched.status == 304:
                    # A moved feed can answer 304 at its new address: still move it.
                    await asyncio.to_thread(store.record_feed_unchanged, feed.id, new_url)
                    return await with_full_texts(client, FeedOutcome(feed, "unchanged"), new_url)
                job = (
                    str(store.path),
                    feed,
                    fetched.body,
                    fetched.final_url,
                    fetched.content_type,
                    fetched.etag,
                    fetched.last_modified,
                    new_url,
                )
                if executor is not None:
                    stored = await loop.run_in_executor(executor, _parse_and_store_job, *job)
                else:
                    stored = await asyncio.to_thread(_parse_and_store, store, *job[1:])
                if isinstance(stored, str):
                    raise FetchError(stored)
                new, updated, note = stored
                outcome = FeedOutcome(feed, "updated", new=new, updated=updated, note=note)
                return await with_full_texts(client, outcome, new_url)
        except FetchError as exc:
            error = str(exc)
        except StoreError:
            raise  # the library itself failed: not this feed's fault
        except Exception as exc:  # a bad URL or document must not stop the other feeds
            error = f"unexpected {type(exc).__name__}: {clean_line(str(exc))}"
        await asyncio.to_thread(store.record_feed_error, feed.id, error)
        return FeedOutcome(feed, "failed", error=error)

    async def tracked(client: httpx.AsyncClient, feed: Feed) -> None:
        outcome = await one(client, feed)
        summary.outcomes.append(outcome)
        if progress is not None:
            progress(len(summary.outcomes), len(feeds), outcome)

    try:
        async with make_client(settings) as client:
            await asyncio.gather(*(tracked(client, feed) for feed in feeds))
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    return summary


@dataclass
class Subscription:
    """The result of `subscribe`."""

    feed: Feed
    already: bool  # the URL was subscribed before
    found_on_page: FeedLink | None  # the feed chosen from a web page's links
    alternatives: list[FeedLink]  # the page's other feeds
    outcome: FeedOutcome


async def subscribe(store: Store, url: str, settings: NetworkSettings) -> Subscription:
    """Subscribe to a feed URL, or to the first feed a web page links to.

    Args:
        store: The library.
        url: A feed URL or a web page URL.
        settings: Limits and timeouts.

    Returns:
        The subscription and its first refresh.

    Raises:
        FetchError: When nothing could be fetched or no feed was found; then
            nothing is subscribed.
    """
    try:
        return await _subscribe(store, check_url(url), settings)
    except (FetchError, StoreError):
        raise
    except Exception as exc:  # a malformed URL or document: one line, nothing subscribed
        raise FetchError(f"unexpected {type(exc).__name__}: {clean_line(str(exc))}") from None


async def _subscribe(store: Store, url: str, settings: NetworkSettings) -> Subscription:
    found: FeedLink | None = None
    alternatives: list[FeedLink] = []
    async with make_client(settings) as client:
        fetched = await fetch(client, url, settings)
        try:
            parsed = await asyncio.to_thread(
                parse_feed, fetched.body, fetched.final_url, fetched.content_type
            )
        except FeedParseError as exc:
            links = await asyncio.to_thread(discover_feeds, fetched.body, fetched.final_url)
            if not links:
                raise FetchError(f"no feed at {url}: {exc}") from None
            found, *alternatives = links
            fetched = await fetch(client, found.url, settings)
            try:
                parsed = await asyncio.to_thread(
                    parse_feed, fetched.body, fetched.final_url, fetched.content_type
                )
            except FeedParseError as inner:
                raise FetchError(f"the page's feed {found.url}: {inner}") from None
    feed_url = fetched.final_url if (fetched.permanent_redirect or found) else url
    if found and not fetched.permanent_redirect:
        feed_url = found.url
    feed, is_new = await asyncio.to_thread(store.add_feed, feed_url, title=parsed.title)
    new, updated = await asyncio.to_thread(
        store.store_feed, feed, parsed, etag=fetched.etag, last_modified=fetched.last_modified
    )
    stored = await asyncio.to_thread(store.feed, feed.id)
    assert stored is not None
    return Subscription(
        stored, not is_new, found, alternatives, FeedOutcome(stored, "updated", new, updated)
    )
