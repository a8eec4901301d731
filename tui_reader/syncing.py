"""The sync use case: one round with a Google Reader API server, called by
`tui-reader sync`, by `refresh` and by the app's r when an account is set.

A round pushes the outbox first (each change leaves it only once the
server accepted it), then pulls the subscriptions and their folders, the
stories new since the last round, and the read and starred state. It never
lets a pull undo a change still waiting to be pushed. Imports the library,
`sources.greader` and the sync model.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from tui_reader.errors import ShownError
from tui_reader.filter_match import Item, html_words, matches
from tui_reader.filter_settings import IgnoreRule
from tui_reader.library.articles import sort_key
from tui_reader.library.store import Store
from tui_reader.library.sync import FlagChange, MarkAll, SyncedFeed, SyncedItem
from tui_reader.network_settings import NetworkSettings
from tui_reader.round_lock import one_round_at_a_time
from tui_reader.sanitize import clean_line, clean_text
from tui_reader.sources.greader import GReaderClient
from tui_reader.sources.greader_model import (
    READ,
    READING_LIST,
    STARRED,
    GReaderError,
    Quirks,
    RawPage,
    ServerFeed,
    ServerItem,
)
from tui_reader.sources.http import make_client
from tui_reader.sync_settings import SyncSettings

# FreshRSS files every feed without a folder under this label.
NO_FOLDER_LABELS = frozenset({"Uncategorized"})
# Stories per `items/contents` request.
CONTENTS_BATCH = 250
# Stories per `stream/contents` page in a first sync: each page is stored
# while the next downloads, and what arrived before a failure is kept.
FIRST_SYNC_PAGE = 1000

# A page of stories as the server sent it: raw JSON items, or stories.
Page = TypeVar("Page")

# Progress: a stage ("pushing", "stories"), done, total.
Progress = Callable[[str, int, int], None]


class SyncError(ShownError):
    """The round could not run (no password, say): one line, nothing changed."""


@dataclass
class SyncSummary:
    """What moved each way in one round."""

    pushed: dict[str, int] = field(
        default_factory=lambda: {"read": 0, "unread": 0, "starred": 0, "unstarred": 0}
    )
    pushed_mark_all: int = 0
    feeds_added: int = 0
    feeds_removed: int = 0
    stories_new: int = 0
    read_changed: int = 0
    starred_changed: int = 0
    pushed_feeds: int = 0  # subscribe, unsubscribe, move, rename
    pending: int = 0  # local changes still waiting (the push failed for them)
    errors: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # changes the server refused as void
    ignored: int = 0  # stories `drop` rules kept out
    seconds: float = 0.0  # the round, first request to last write (process start apart)

    def to_json(self) -> dict[str, object]:
        """The summary as `sync --json` prints it."""
        return {
            "pushed": {
                **self.pushed,
                "mark_all_read": self.pushed_mark_all,
                "feed_changes": self.pushed_feeds,
            },
            "pulled": {
                "feeds_added": self.feeds_added,
                "feeds_removed": self.feeds_removed,
                "stories": self.stories_new,
                "read_changed": self.read_changed,
                "starred_changed": self.starred_changed,
                "ignored": self.ignored,
            },
            "pending": self.pending,
            "errors": self.errors,
            "dropped": self.dropped,
            "seconds": round(self.seconds, 3),
        }

    def line(self) -> str:
        """One line for people: "Synced: 12 new stories, 3 read on the server; sent 5 changes"."""
        from tui_reader.words import counted

        sent = sum(self.pushed.values()) + self.pushed_mark_all + self.pushed_feeds
        parts = [counted(self.stories_new, "new story", "new stories")]
        if self.read_changed or self.starred_changed:
            parts.append(f"{self.read_changed + self.starred_changed:,} changed on the server")
        if self.ignored:
            parts.append(f"{counted(self.ignored, 'story', 'stories')} ignored by rules")
        if self.feeds_added or self.feeds_removed:
            parts.append(f"feeds +{self.feeds_added} -{self.feeds_removed}")
        line = "Synced: " + ", ".join(parts) + f"; sent {counted(sent, 'change')}"
        if self.pending:
            line += f"; {counted(self.pending, 'change')} still to send"
        return line


def read_password(settings: SyncSettings) -> str:
    """The account's password, from its file or its command (never a shell).

    Raises:
        SyncError: One line naming the file or the command, never the password.
    """
    if settings.password_file is not None:
        path = settings.password_file
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SyncError(f"sync: no password file {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise SyncError(f"sync: cannot read the password file {path} ({reason})") from None
        password = text.splitlines()[0] if text else ""
        if not password:
            raise SyncError(f"sync: the password file {path} is empty")
        return password
    name = settings.password_command[0]
    try:
        done = subprocess.run(
            settings.password_command, capture_output=True, text=True, timeout=30, check=False
        )
    except FileNotFoundError:
        raise SyncError(f"sync: the password command {name!r} was not found") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SyncError(f"sync: the password command {name!r} failed ({exc})") from None
    if done.returncode != 0:
        raise SyncError(f"sync: the password command {name!r} exited {done.returncode}")
    lines = done.stdout.splitlines()
    if not lines or not lines[0]:
        raise SyncError(f"sync: the password command {name!r} printed no password")
    return lines[0]


async def sync(
    store: Store,
    settings: SyncSettings,
    network: NetworkSettings,
    *,
    token_file: Path,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    drop: Sequence[IgnoreRule] = (),
) -> SyncSummary:
    """Run one round: push, then pull.

    Args:
        store: The library.
        settings: The account.
        network: Timeouts and limits.
        token_file: Where the server's auth token is kept between rounds (0600).
        progress: Told of each stage as it goes.
        cancel: Set to stop between requests; what was done is kept.
        drop: Ignore rules whose stories are never stored (`mode = "drop"`).

    Raises:
        SyncError, GReaderError: The round could not run (unreachable, refused).
    """
    password = read_password(settings)  # before any request: a missing file is one line
    tell = progress or (lambda stage, done, total: None)
    summary = SyncSummary()
    miniflux = settings.server == "miniflux"
    quirks = Quirks(
        fullwidth_titles=settings.server == "freshrss",
        long_item_ids=miniflux,
        exclude_ignored=miniflux,
    )

    def stopped() -> bool:
        return cancel is not None and cancel.is_set()

    lock = token_file.with_name("sync.lock")
    waiting = lambda: tell("waiting", 0, 0)  # noqa: E731
    async with one_round_at_a_time(lock, waiting=waiting, stopped=stopped):
        started = time.perf_counter()  # the round itself, not the wait for another
        await _round(
            store, settings, network, password, token_file, quirks, summary, tell, stopped, drop
        )
    summary.seconds = time.perf_counter() - started
    return summary


async def _round(
    store: Store,
    settings: SyncSettings,
    network: NetworkSettings,
    password: str,
    token_file: Path,
    quirks: Quirks,
    summary: SyncSummary,
    tell: Progress,
    stopped: Callable[[], bool],
    drop: Sequence[IgnoreRule],
) -> None:
    """The round `sync` describes, holding the library's round lock."""
    async with make_client(network) as http:
        client = GReaderClient(
            http,
            settings.url,
            settings.user,
            lambda: password,
            token_file=token_file,
            quirks=quirks,
        )
        # No login here: the first request uses the token kept in `token_file`
        # and logs in only without one, or when the server calls it stale.

        # Push: each change leaves the outbox once the server took it.
        await _push_feed_changes(client, store, summary, stopped)
        # Read and starred in the order the changes were made (a mark-all-read
        # sent after a later unread would undo it); after a failure nothing
        # past the next mark-all goes.
        flags, marks = await asyncio.to_thread(store.pending_changes)
        done = 0
        failed = False
        for before, mark in _push_order(flags, marks):
            groups: dict[tuple[str, bool], list[FlagChange]] = {}
            for change in before:
                groups.setdefault((change.flag, change.value), []).append(change)
            for (flag, value), changes in groups.items():
                if stopped():
                    break
                tag = READ if flag == "read" else STARRED
                try:
                    await client.edit_tag(
                        [c.item for c in changes],
                        add=tag if value else None,
                        remove=None if value else tag,
                    )
                except GReaderError as exc:
                    summary.errors.append(str(exc))
                    failed = True
                    continue
                await asyncio.to_thread(store.pushed_flags, changes)
                name = {("read", True): "read", ("read", False): "unread"}.get(
                    (flag, value), "starred" if value else "unstarred"
                )
                summary.pushed[name] += len(changes)
                done += len(changes)
                tell("pushing", done, len(flags))
            if failed or stopped() or mark is None:
                break
            try:
                await client.mark_all_as_read(mark.stream, mark.ts_us)
            except GReaderError as exc:
                summary.errors.append(str(exc))
                break
            await asyncio.to_thread(store.pushed_mark_all, mark)
            summary.pushed_mark_all += 1

        # Pull: subscriptions and folders.
        server_feeds = await client.subscriptions()
        of_stream = {f.stream_id: f for f in server_feeds}

        def kept(items: list[ServerItem]) -> list[ServerItem]:
            """The items no `drop` rule picks (run in the storing thread, one page at a time)."""
            if not drop:
                return items
            now = time.time()
            left = [item for item in items if not _dropped(item, of_stream, drop, now)]
            summary.ignored += len(items) - len(left)
            return left

        mapping, summary.feeds_added, summary.feeds_removed = await asyncio.to_thread(
            store.apply_server_feeds,
            [
                SyncedFeed(
                    f.stream_id,
                    f.url,
                    clean_line(f.title),
                    _folder(f.folders),
                )
                for f in server_feeds
            ],
        )

        # The stories not held yet (and every starred one). The ids are few
        # bytes each; `ot=` would filter on a story's own date (FreshRSS), and
        # miss an old story a feed publishes late. A first sync reads whole
        # pages of the reading list instead: no id round trip.
        starred = await client.item_ids(STARRED)
        first = not await asyncio.to_thread(store.holds_synced)
        reading: list[int] = []  # the reading list's ids (not fetched in a first sync)
        if first:
            pages = client.stream_pages(READING_LIST, count=FIRST_SYNC_PAGE)

            def convert(page: RawPage) -> list[ServerItem]:
                return kept(client.items_of(page))

            await _store_pages(store, pages, convert, mapping, summary, tell, 0, stopped)
            wanted = starred
        else:
            reading = await client.item_ids(READING_LIST)
            wanted = list(dict.fromkeys([*reading, *starred]))
        known = await asyncio.to_thread(store.known_items, wanted)
        missing = [item for item in wanted if item not in known]
        if missing:
            batches = _batches(client, missing)
            await _store_pages(store, batches, kept, mapping, summary, tell, len(missing), stopped)

        # Read and starred state, but never over a change still to be pushed.
        # A first sync's pages carried each story's state: no second look.
        if not stopped() and not first:
            if quirks.exclude_ignored:
                unread = set(reading) - set(await client.item_ids(READING_LIST, include=READ))
            else:
                unread = set(await client.item_ids(READING_LIST, exclude=READ))
            summary.read_changed, summary.starred_changed = await asyncio.to_thread(
                store.apply_server_states, unread, set(starred)
            )
    summary.pending = await asyncio.to_thread(store.pending_count)


async def _batches(client: GReaderClient, ids: list[int]) -> AsyncIterator[list[ServerItem]]:
    """The stories of these ids, a batch of `CONTENTS_BATCH` at a time."""
    for start in range(0, len(ids), CONTENTS_BATCH):
        yield await client.contents(ids[start : start + CONTENTS_BATCH])


async def _store_pages(
    store: Store,
    pages: AsyncIterator[Page],
    convert: Callable[[Page], list[ServerItem]],
    feeds: dict[str, int],
    summary: SyncSummary,
    tell: Progress,
    total: int,
    stopped: Callable[[], bool],
) -> None:
    """Store pages of stories as they come: each page is parsed, cleaned and
    stored in a thread while the next one downloads, so the network and the
    work on this side overlap. (Parsing in a second thread, beside the
    writing, was slower: the two fight over the interpreter.)
    `total` is how many are coming, 0 when unknown (a first sync's pages)."""

    def keep(page: Page) -> tuple[int, int]:
        items = [_synced(item) for item in convert(page)]
        return store.store_synced_items(items, feeds), len(items)

    storing: asyncio.Task[tuple[int, int]] | None = None
    done = 0

    async def stored() -> None:
        nonlocal done
        assert storing is not None
        new, count = await storing
        summary.stories_new += new
        done += count
        tell("stories", done, max(total, done) if total else 0)

    tell("stories", 0, total)
    async for page in pages:
        if storing is not None:
            await stored()
        storing = asyncio.ensure_future(asyncio.to_thread(keep, page))
        if stopped():
            break
    if storing is not None:
        await stored()
    tell("stories", done, done)  # all there: the count is known now


def _push_order(
    flags: list[FlagChange], marks: list[MarkAll]
) -> list[tuple[list[FlagChange], MarkAll | None]]:
    """The outbox as it was written: the flag changes made before each
    mark-all-read, then it; the changes made after the last one, last."""
    steps: list[tuple[list[FlagChange], MarkAll | None]] = []
    rest = flags
    for mark in marks:
        steps.append(([c for c in rest if c.seq < mark.seq], mark))
        rest = [c for c in rest if c.seq > mark.seq]
    steps.append((rest, None))
    return steps


async def _push_feed_changes(
    client: GReaderClient, store: Store, summary: SyncSummary, stopped: Callable[[], bool]
) -> None:
    """Subscribe, unsubscribe, move and rename on the server, in the order made.

    A change the server refuses as void (HTTP 400: the feed is gone there, or
    the subscription exists already) is dropped with a note, not retried forever.
    """
    changes = await asyncio.to_thread(store.pending_feed_changes)
    folders: dict[str, tuple[str, ...]] | None = None
    for change in changes:
        if stopped():
            return
        try:
            if change.kind == "subscribe":
                try:
                    stream = await client.quickadd(change.stream)
                except GReaderError as exc:
                    if "Already subscribed" not in str(exc):
                        raise
                else:
                    if change.label:
                        await client.edit_subscription(
                            stream, action="edit", add_label=change.label
                        )
            elif change.kind == "unsubscribe":
                await client.edit_subscription(change.stream, action="unsubscribe")
            elif change.kind == "rename":
                await client.edit_subscription(change.stream, action="edit", title=change.label)
            elif change.kind == "move":
                if folders is None:
                    folders = {f.stream_id: f.folders for f in await client.subscriptions()}
                for old in folders.get(change.stream, ()):
                    if old != change.label and old not in NO_FOLDER_LABELS:
                        await client.edit_subscription(
                            change.stream, action="edit", remove_label=old
                        )
                if change.label:
                    await client.edit_subscription(
                        change.stream, action="edit", add_label=change.label
                    )
        except GReaderError as exc:
            if "HTTP 400" not in str(exc):
                summary.errors.append(str(exc))
                continue
            summary.dropped.append(f"{change.kind} {change.stream}: {exc}")
        await asyncio.to_thread(store.pushed_entry, change.seq)
        summary.pushed_feeds += 1


def _folder(labels: tuple[str, ...]) -> str:
    """The folder a feed is filed in: its first label, but none for "Uncategorized"."""
    named = [clean_line(label) for label in labels if label not in NO_FOLDER_LABELS]
    return named[0] if named else ""


def _synced(item: ServerItem) -> SyncedItem:
    """A server story as the library stores it, its HTML sanitized like a feed's
    (the one-line fields were cleaned as the answer was read)."""
    return SyncedItem(
        item=item.item_id,
        server_feed=item.stream_id,
        title=item.title or "(untitled)",
        link=item.link,
        author=item.author,
        published=item.published,
        crawled_us=item.crawled_us,
        html=clean_text(item.html),
        read=item.read,
        starred=item.starred,
        enclosures=item.enclosures,
    )


def _dropped(
    item: ServerItem, feeds: dict[str, ServerFeed], rules: Sequence[IgnoreRule], now: float
) -> bool:
    """Whether a `drop` rule picks this server story (seen as it would be stored)."""
    feed = feeds.get(item.stream_id)
    url = feed.url if feed is not None else None
    applying = [rule for rule in rules if rule.applies_to(url)]
    if not applying:
        return False
    stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    seen = Item(
        title=item.title,
        content=html_words(item.html),
        author=item.author,
        link=item.link,
        feedtitle=clean_line(feed.title) if feed is not None else "",
        feedurl=url or "",
        folder=_folder(feed.folders) if feed is not None else "",
        unread=not item.read,
        starred=item.starred,
        when=sort_key(item.published, stamp),
    )
    return any(matches(rule.filter.expression, seen, now) for rule in applying)
