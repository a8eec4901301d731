"""Refresh many feeds at once: the pool, the limits per host, the outcomes.

Bounded concurrency and a limit per host over one client. Parsing runs off
the event loop (in worker processes for large refreshes, so both cores
work), and so does storing. Every failure is recorded on its feed as one
line; the other feeds go on. Domain code: takes a cancellation event, never
a Textual worker. Imports `http`, `feed_parser`, `pages` and the library.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import httpx

from tui_reader.errors import described, unexpected
from tui_reader.filter_match import Item, html_words, matches
from tui_reader.filter_settings import IgnoreRule
from tui_reader.library.articles import sort_key
from tui_reader.library.database import StoreError
from tui_reader.library.feeds import Feed
from tui_reader.library.store import Store
from tui_reader.network_settings import NetworkSettings
from tui_reader.parsed_feed import ParsedFeed
from tui_reader.sanitize import clean_line
from tui_reader.sources.feed_parser import FeedParseError, parse_feed
from tui_reader.sources.http import FetchError, fetch, make_client
from tui_reader.sources.pages import fill_full_texts

if TYPE_CHECKING:  # the picture cache brings Pillow, wanted only when it fetches
    from tui_reader.sources.image_cache import ImageCache
from tui_reader.sources.politeness import (
    after_failure,
    after_success,
    feed_hint,
    max_age,
    retry_after,
)
from tui_reader.words import counted

# How one feed's refresh ended; "waiting": not tried, the feed is left
# alone for now (see `politeness`: the server asked, or an automatic
# refresh found it fresh or backing off).
FeedStatus = Literal["updated", "unchanged", "failed", "waiting"]

DAY = timedelta(days=1)

# Below this many feeds, starting worker processes costs more than it saves.
PROCESS_POOL_MIN_FEEDS = 8


@dataclass
class FeedOutcome:
    """How one feed's refresh went."""

    feed: Feed
    status: FeedStatus
    new: int = 0
    updated: int = 0
    error: str | None = None
    note: str | None = None  # a remark on a success, e.g. a feed cut to size
    full_texts: int = 0  # stories fetched from their pages (feeds.full_text)
    full_text_failures: int = 0
    ignored: int = 0  # entries `drop` rules left out
    hint: timedelta | None = None  # the feed's own update hint (ttl, sy:updatePeriod)
    cache_control: str | None = None  # the answer's Cache-Control
    retry_after: str | None = None  # a failed answer's Retry-After

    @property
    def name(self) -> str:
        """The feed as people know it: its title, else its URL (cleaned: strangers' text)."""
        return clean_line(self.feed.title) or clean_line(self.feed.url)


@dataclass
class RefreshSummary:
    """How a whole refresh went."""

    outcomes: list[FeedOutcome] = field(default_factory=list)

    def count(self, status: FeedStatus) -> int:
        """Feeds that ended with `status`."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def new(self) -> int:
        """New articles across all feeds."""
        return sum(o.new for o in self.outcomes)

    def failures(self, shown: int = 3) -> str:
        """The failed feeds and why, on one line: "A: HTTP 404; B: timed out; and 2 more".

        At most `shown` are named, by name (they finish in any order), so a
        notice stays short; "" when none failed.
        """
        failed = sorted(
            (o for o in self.outcomes if o.status == "failed"), key=lambda o: o.name.casefold()
        )
        named = [f"{_cut(o.name, 40)}: {_cut(o.error or 'failed', 80)}" for o in failed[:shown]]
        if len(failed) > shown:
            named.append(f"and {len(failed) - shown} more")
        return "; ".join(named)

    def waits(self) -> str:
        """Why feeds were left alone, on one line: "2 feeds wait: A until 14:05 (the
        server asked to wait (HTTP 429))"; "" when none did."""
        waiting = [o for o in self.outcomes if o.status == "waiting"]
        if not waiting:
            return ""
        first = waiting[0]
        more = f"; and {len(waiting) - 1} more" if len(waiting) > 1 else ""
        named = f"{_cut(first.name, 40)} {first.note}"
        return f"{counted(len(waiting), 'feed')} left alone: {named}{more}"

    def line(self) -> str:
        """The one-line summary the CLI ends with."""
        line = (
            f"{counted(self.count('updated'), 'feed')} updated,"
            f" {counted(self.new, 'new article')},"
            f" {self.count('unchanged')} unchanged, {self.count('failed')} failed"
        )
        if self.count("waiting"):
            line += f", {self.count('waiting')} left alone"
        if ignored := sum(o.ignored for o in self.outcomes):
            line += f", {counted(ignored, 'story', 'stories')} ignored by rules"
        fetched = sum(o.full_texts for o in self.outcomes)
        failed = sum(o.full_text_failures for o in self.outcomes)
        if fetched or failed:
            line += (
                f"; full text fetched for {counted(fetched, 'article')}"
                f" ({failed} kept {'its' if failed == 1 else 'their'} summary)"
            )
        return line


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, an ellipsis marking a cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


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
            return f"unreadable feed ({described(exc)})"


Stored = tuple[int, int, str | None, int]  # new articles, updated ones, note, dropped


def _parse_and_store(
    store: Store,
    feed: Feed,
    body: bytes,
    url: str,
    content_type: str,
    etag: str | None,
    last_modified: str | None,
    new_url: str | None,
    drop: Sequence[IgnoreRule] = (),
) -> Stored | str:
    """Parse a fetched feed, leave out what `drop` rules pick, and store the rest;
    a feed's own fault comes back as a message."""
    parsed = _parse_job(body, url, content_type)
    if isinstance(parsed, str):
        return parsed
    dropped = drop_ignored(parsed, feed, drop, time.time())
    new, updated = store.store_feed(
        feed, parsed, etag=etag, last_modified=last_modified, new_url=new_url
    )
    return new, updated, parsed.note, dropped


def drop_ignored(parsed: ParsedFeed, feed: Feed, rules: Sequence[IgnoreRule], now: float) -> int:
    """Take the entries `drop` rules pick out of a parsed feed; how many went.

    The rules see an entry as the library would store it: unread, not
    starred, dated as it would sort, its content the text of its HTML.
    """
    applying = [rule for rule in rules if rule.applies_to(feed.url)]
    if not applying:
        return 0
    stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    kept = []
    for entry in parsed.entries:
        item = Item(
            title=entry.title,
            content=html_words(entry.html),
            author=entry.author,
            link=entry.link,
            feedtitle=feed.title or parsed.title,
            feedurl=feed.url,
            folder=feed.folder,
            unread=True,
            starred=False,
            when=sort_key(entry.published, stamp),
        )
        if not any(matches(rule.filter.expression, item, now) for rule in applying):
            kept.append(entry)
    dropped = len(parsed.entries) - len(kept)
    parsed.entries = kept
    return dropped


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
    automatic: bool = False,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    drop: Sequence[IgnoreRule] = (),
    pictures: ImageCache | None = None,
) -> RefreshSummary:
    """Refresh feeds concurrently; each failure is recorded on its feed.

    Each try is recorded too, with how long the feed is to be left alone
    (`politeness`): a feed under a server's Retry-After is not asked again
    before it ends; an automatic refresh also leaves alone a feed still
    fresh by its own hint or max-age, or backing off after failures.

    Args:
        store: The library.
        feeds: The feeds to refresh.
        settings: Limits and timeouts.
        progress: Called with (done, total, outcome) after each feed.
        cancel: When set, feeds not yet started are skipped.
        full_text: Feed URLs whose new articles get their full story
            fetched from their pages (the config's `feeds.full_text`).
        automatic: A refresh nobody asked for just now (the app's timer).
        clock: The time now, in UTC.
        drop: Ignore rules whose stories are never stored (`mode = "drop"`).
        pictures: The picture cache that full stories' pictures go to (None: none).

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
            try:
                outcome.full_texts, outcome.full_text_failures = await fill_full_texts(
                    store,
                    client,
                    outcome.feed,
                    settings,
                    executor=executor,
                    cancel=cancel,
                    pictures=pictures,
                )
            except StoreError:
                raise
            except Exception as exc:  # the feed itself is stored: it did not fail
                outcome.note = f"full text not fetched ({type(exc).__name__})"
        return outcome

    honoured = {"retry-after", "fresh", "backoff"} if automatic else {"retry-after"}

    async def one(client: httpx.AsyncClient, feed: Feed) -> FeedOutcome:
        if cancel is not None and cancel.is_set():
            return FeedOutcome(feed, "failed", error="cancelled")
        now = clock()
        until = parse_iso(feed.wait_until)
        if until is not None and until > now and feed.wait_kind in honoured:
            when = until.astimezone().strftime("%H:%M" if until - now < DAY else "%a %H:%M")
            return FeedOutcome(feed, "waiting", note=f"until {when} ({feed.wait_reason})")
        outcome = await tried(client, feed)
        if outcome.status == "failed":
            failures = feed.failures + 1
            asked = retry_after(outcome.retry_after, now)
            wait = after_failure(now, failures, asked, _status_of(outcome.error))
        else:
            failures = 0
            wait = after_success(now, outcome.hint, max_age(outcome.cache_control))
        kept = (wait.until.isoformat(timespec="seconds"), wait.kind, wait.reason) if wait else None
        await asyncio.to_thread(
            store.record_check, feed.id, now.isoformat(timespec="seconds"), failures, kept
        )
        return outcome

    async def tried(client: httpx.AsyncClient, feed: Feed) -> FeedOutcome:
        host = urlsplit(feed.url).hostname or ""
        asked: str | None = None  # a 429's or 503's Retry-After
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
                    unchanged = FeedOutcome(feed, "unchanged", cache_control=fetched.cache_control)
                    return await with_full_texts(client, unchanged, new_url)
                job = (
                    str(store.path),
                    feed,
                    fetched.body,
                    fetched.final_url,
                    fetched.content_type,
                    fetched.etag,
                    fetched.last_modified,
                    new_url,
                    tuple(drop),
                )
                if executor is not None:
                    stored = await loop.run_in_executor(executor, _parse_and_store_job, *job)
                else:
                    stored = await asyncio.to_thread(_parse_and_store, store, *job[1:])
                if isinstance(stored, str):
                    raise FetchError(stored)
                new, updated, note, dropped = stored
                outcome = FeedOutcome(
                    feed,
                    "updated",
                    new=new,
                    updated=updated,
                    note=note,
                    ignored=dropped,
                    hint=feed_hint(fetched.body),
                    cache_control=fetched.cache_control,
                )
                return await with_full_texts(client, outcome, new_url)
        except FetchError as exc:
            error = str(exc)
            asked = exc.retry_after
        except StoreError:
            raise  # the library itself failed: not this feed's fault
        except Exception as exc:  # a bad URL or document must not stop the other feeds
            error = unexpected(exc)
        await asyncio.to_thread(store.record_feed_error, feed.id, error)
        return FeedOutcome(feed, "failed", error=error, retry_after=asked)

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


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 time from the library (UTC when it names no zone), or None."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _status_of(error: str | None) -> str | None:
    """ "HTTP 429" out of "HTTP 429 Too Many Requests", for the wait's reason."""
    if error and error.startswith("HTTP "):
        return " ".join(error.split()[:2])
    return None


def due_feeds(feeds: list[Feed], minutes_for: Callable[[str], int], now: datetime) -> list[Feed]:
    """The feeds an automatic refresh should try now: each with an interval
    (`minutes_for` its URL; 0 is never), last tried at least that long ago,
    and not left alone (`wait_until`) past now."""
    due = []
    for feed in feeds:
        minutes = minutes_for(feed.url)
        if minutes <= 0:
            continue
        checked = parse_iso(feed.checked)
        if checked is not None and now - checked < timedelta(minutes=minutes):
            continue
        until = parse_iso(feed.wait_until)
        if until is not None and until > now:
            continue
        due.append(feed)
    return due
