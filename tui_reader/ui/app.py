"""The Textual app: it holds the library, the meter and the list's view, and runs the workers.

Build it with `make_app`, which takes the config and data dir so tests can
inject both. SQLite work runs in thread workers that post the typed
messages of `ui.messages`; the keypress path does no I/O. The keys belong
to `ReaderScreen`. The use cases themselves (reading, searching, refresh,
subscribe, full text) are the same functions the CLI calls.
Imports the use cases, sources, the library and the UI modules.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import RenderableType
from textual import work
from textual.notifications import SeverityLevel
from textual.worker import get_current_worker

from tui_reader import APP_NAME
from tui_reader.config import Config
from tui_reader.errors import ShownError
from tui_reader.filter_settings import drop_rules, hide_pairs
from tui_reader.library.articles import Flag, Headline
from tui_reader.library.database import StoreError
from tui_reader.library.store import Store
from tui_reader.locations import seeds_directory, styles_directory
from tui_reader.marking import Marked
from tui_reader.meter import Clock, Meter
from tui_reader.pictures import placeholders
from tui_reader.reading import open_for_reading
from tui_reader.render import link_targets, render_article
from tui_reader.searching import index_all, search
from tui_reader.sources.seeds import open_library
from tui_reader.ui.background_app import BackgroundApp
from tui_reader.ui.browser import BrowserApp
from tui_reader.ui.feeds_app import FeedsApp
from tui_reader.ui.list_view import ListView
from tui_reader.ui.messages import (
    ArticleOpened,
    HeadlineChanged,
    HeadlinesLoaded,
    LibraryFailed,
    LibraryProblem,
    MeterChanged,
    PicturesDrawn,
    PicturesFitted,
    RefreshDone,
    RefreshProgress,
    SearchIndexed,
)
from tui_reader.ui.pictures_app import PicturesApp
from tui_reader.ui.player_app import PlayerApp
from tui_reader.ui.reader_screen import ReaderScreen
from tui_reader.ui.widgets.help_screen import key_label
from tui_reader.words import counted

if TYPE_CHECKING:
    from tui_reader.sources.subscribe import FeedOffer

# Headlines loaded before the first paint; more than any terminal is tall.
FIRST_SCREENFUL = 300

# How often the header re-reads the meter (views expire; other instances count).
METER_REFRESH_SECONDS = 60


class ReaderApp(BrowserApp, PlayerApp, PicturesApp, BackgroundApp, FeedsApp):
    """tui-reader's terminal app."""

    TITLE = APP_NAME
    CSS_PATH = str(styles_directory() / "app.tcss")
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        config: Config,
        data_dir: Path,
        *,
        seeds_dir: Path | None,
        clock: Clock = time.time,
        drawn_with: str = "blocks",
    ) -> None:
        super().__init__()
        self.config = config
        self.drawn_with = drawn_with
        self.data_dir = data_dir
        self.seeds_dir = seeds_dir
        self.clock = clock
        self.store: Store | None = None
        self.meter: Meter | None = None
        self.refresh_cancel = threading.Event()
        self.index_cancel = threading.Event()
        self.fetching_full_text: set[str] = set()  # article ids `f` is fetching
        self.error_message: str | None = None
        self.last_marked: Marked | None = None  # what U puts back
        self.list_last_row: int | None = None  # the last story stored when the list loaded
        self.open_first_unread = False  # n moved to another feed: open its first unread
        self.view_size = ""  # "1,204 stories" or "12 matches", in the header
        self.reader_screen = ReaderScreen(clock, text_width=config.text_width)
        self.set_keymap(config.keys)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification; its text is never read as markup.

        Notices carry feed titles, URLs, config values and server errors:
        strangers' text, in which "[/]" would crash Textual's markup parser and
        "[@click=...]" would become an action.
        """
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def action_help_quit(self) -> None:
        """Ctrl+C: say which key quits, in plain words (Textual's own notice is markup)."""
        keys = key_label(self.config.keys_for("quit"))
        self.notify(f"Press {keys} to quit.", title="Do you want to quit?")

    def get_default_screen(self) -> ReaderScreen:
        return self.reader_screen

    def on_mount(self) -> None:
        for warning in self.config.warnings:
            self.notify(warning, title="Config", severity="warning", timeout=10)
        self.load_library()
        self.set_interval(METER_REFRESH_SECONDS, self.refresh_meter)
        self.start_background_refresh()

    def on_unmount(self) -> None:
        self.refresh_cancel.set()
        self.index_cancel.set()
        self.release_pictures()
        if self.store is not None:
            self.store.close()

    def watch_view(self, old: ListView, new: ListView) -> None:
        """Show the new view in the header and load its headlines."""
        self.view_size = ""  # until its headlines arrive
        self._show_view()
        # Unread only, starred only or another order lists the same stories:
        # the cursor stays on its story. Any other change (or choosing the
        # same view again) starts at the top.
        self.load_headlines(keep_cursor=old != new and old.same_list(new))
        if old.order != new.order:
            self.remember_order(new.order)

    def reload_headlines(self) -> None:
        """Load the list again (new stories, changed state), the cursor where it is."""
        self.load_headlines(keep_cursor=True)

    def search_for(self, query: str | None) -> None:
        """Show the articles matching `query` ("" shows the list as before)."""
        if query is not None:
            self.view = self.view.searching(query)

    # Feeds --------------------------------------------------------------------

    def start_refresh(self) -> None:
        """Refresh every feed in the background (keys keep working)."""
        if self.config.offline:
            self.notify("Offline: refreshing needs the network.", severity="warning")
            return
        if self.store is None:
            return
        if any(w.group == "refresh" and w.is_running for w in self.workers):
            self.notify("A refresh is already running.", timeout=2)
            return
        self.refresh_feeds()

    @work(exclusive=True, group="refresh")
    async def refresh_feeds(self) -> None:
        """Fetch all feeds; new headlines appear as it ends, the cursor stays."""
        from tui_reader.sources.refresh import FeedOutcome, refresh_feeds

        assert self.store is not None
        if self.config.sync is not None:  # the server fetches the feeds
            self.sync_round()
            return
        store = self.store
        feeds = await asyncio.to_thread(store.feeds)
        if not feeds:
            self.notify("No feeds yet: press a to add one.", timeout=4)
            return

        def progress(done: int, total: int, _outcome: FeedOutcome) -> None:
            self.post_message(RefreshProgress(done, total))

        self.post_message(RefreshProgress(0, len(feeds)))
        try:
            summary = await refresh_feeds(
                store,
                feeds,
                self.config.network,
                progress=progress,
                cancel=self.refresh_cancel,
                full_text=self.config.full_text_feeds,
                drop=drop_rules(self.config.ignores),
                clock=self.now,
                pictures=self.config.full_text_pictures(store.path.parent),
            )
        except StoreError as exc:
            self.post_message(LibraryProblem(str(exc)))
            self._show_view()  # not "refreshing n/m" forever
            self.reload_headlines()  # what was stored
            return
        self.post_message(RefreshDone(summary.line(), summary.failures()))
        self.index_for_search()

    async def subscribe_to(self, url: str | FeedOffer, pick: int | None = None) -> str | None:
        """Subscribe from the add dialog: a URL, or the `pick`th feed (from 1) of an offer.

        Returns:
            None on success, else the one-line error to show in the dialog.
        """
        from tui_reader.sources.subscribe import subscribe, subscribe_offer

        if self.store is None:
            return "The library is not open yet."
        if self.config.sync is not None:  # the server subscribes; a round brings it here
            return await self.subscribe_on_server(url, pick)
        drop = drop_rules(self.config.ignores)
        try:
            if isinstance(url, str):
                result = await subscribe(self.store, url, self.config.network, pick=pick, drop=drop)
            else:
                result = await subscribe_offer(
                    self.store, url, self.config.network, pick=pick, drop=drop
                )
        except ShownError as exc:  # FetchError, BadPick, StoreError
            return str(exc)
        found = f" (found on the page: {result.found_on_page.url})" if result.found_on_page else ""
        state = "Already subscribed to" if result.already else "Subscribed to"
        self.notify(f"{state} {result.feed.title}: {result.outcome.new} articles{found}", timeout=5)
        self.reload_headlines()
        self.index_for_search()
        return None

    def start_full_text(self, article_id: str) -> None:
        """Fetch an article's full story from its web page, in the background."""
        if self.config.offline:
            self.notify("Offline: fetching the full story needs the network.", severity="warning")
            return
        if self.store is None:
            return
        if article_id in self.fetching_full_text:
            self.notify("Already fetching that story.", timeout=2)
            return
        self.fetching_full_text.add(article_id)
        self.notify("Fetching the full story ...", timeout=2)
        self.fetch_full_text(article_id)

    # Not exclusive: `f` on another story must not cancel the first fetch.
    @work(group="full-text")
    async def fetch_full_text(self, article_id: str) -> None:
        """Replace the summary with the story from the page; reopen it if shown."""
        from tui_reader.sources.pages import NoWebPage, PageError, fetch_full_text

        assert self.store is not None
        try:
            article = await fetch_full_text(self.store, article_id, self.config.network)
        except NoWebPage:
            self.notify("This story has no web page to fetch.", severity="warning", timeout=4)
            return
        except PageError as exc:
            self.notify(f"No full story: {exc}. The summary stays.", severity="warning", timeout=6)
            return
        except StoreError as exc:
            self.post_message(LibraryProblem(str(exc)))
            return
        finally:
            self.fetching_full_text.discard(article_id)
        shown = self.reader_screen.article.article_id == article_id
        words = f"{article.word_count:,} words"
        self.notify(
            f"Full story kept offline ({words})."
            if shown
            else f"Full story kept offline ({words}): press Enter to read it.",
            timeout=4,
        )
        if shown:
            self.open_article(article_id)  # re-reading is free; a teaser stays a teaser

    def _show_view(self, extra: str = "") -> None:
        # No SQLite here: this runs on the UI thread, maybe during a refresh.
        size = f" · {self.view_size}" if self.view_size else ""
        self.reader_screen.header.status(self.view.title() + size + extra)

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        count = f" {message.done:,}/{message.total:,}" if message.total else " …"
        self._show_view(f" · {message.stage}{count}")

    def on_refresh_done(self, message: RefreshDone) -> None:
        self._show_view()
        if not message.failures:
            self.notify(f"{message.done}: {message.summary}", timeout=5)
        else:  # which feeds, and why: the feed list (F) keeps each one's error
            feeds = key_label(self.config.keys_for("feeds"))
            text = f"{message.done}: {message.summary}. {message.failures}"
            if message.done == "Refreshed":
                text += f" (see the feed list: {feeds})"
            self.notify(text, severity="warning", timeout=12)
        self.reload_headlines()

    # Workers: SQLite off the UI thread -------------------------------------

    @work(thread=True, exclusive=True, group="library")
    def load_library(self) -> None:
        """Open the store (importing seeds if needed) and load the headlines."""
        try:
            self.store = open_library(self.data_dir, self.seeds_dir)
            if self.store.notice:
                self.post_message(LibraryProblem(self.store.notice))
            self.store.set_hidden(hide_pairs(self.config.ignores))
            self.meter = Meter(
                self.store,
                limit=self.config.meter_limit,
                period_days=self.config.meter_period_days,
                clock=self.clock,
            )
            self.post_message(MeterChanged(self.meter.state()))
            # The first screenful first, so a large library shows as fast as
            # an empty one; the rest follows while the user reads.
            self.list_last_row = self.store.last_row()
            start = ListView(order=self.remembered_order())
            self.call_from_thread(self.set_reactive, FeedsApp.view, start)
            first = self.store.headlines(order=start.order, limit=FIRST_SCREENFUL)
            self.post_message(HeadlinesLoaded(first, start, keep_cursor=False))
            # The feed list next (tens of milliseconds), so that F shows it at
            # once even while the rest of a large library is still loading.
            self.read_feed_list()
            if len(first) == FIRST_SCREENFUL:
                everything = self.store.headlines(order=start.order)
                self.post_message(HeadlinesLoaded(everything, start, keep_cursor=True))
            if self.config.refresh_on_start and not self.config.offline:
                self.call_from_thread(self.start_refresh)
            else:
                self.call_from_thread(self.index_for_search)
        except StoreError as exc:
            self.post_message(LibraryFailed(str(exc)))

    @work(thread=True, exclusive=True, group="headlines")
    def load_headlines(self, *, keep_cursor: bool) -> None:
        """Load the headlines of the current view."""
        if self.store is None:
            return
        view, now = self.view, self.clock()  # `age` counts back from the app's clock
        with self._store_errors():
            self.list_last_row = self.store.last_row()  # C marks nothing stored after it
            if view.query:
                # The first page at once; every other match follows (a common
                # word matches 100,000 stories: about a second to list).
                results = search(
                    self.store,
                    view.query,
                    cancel=self.index_cancel,
                    limit=FIRST_SCREENFUL,
                    filter=view.filter,
                    now=now,
                )
                if results.still_pending:
                    # Answered from what is indexed; the background pass
                    # searches again when it ends (on_search_indexed). The
                    # articles may have come from another process: start it.
                    pending = results.still_pending
                    self.call_from_thread(self.index_for_search)
                    self.call_from_thread(
                        self.notify,
                        f"Still indexing {pending:,} article{'s' * (pending != 1)} for search:"
                        " these are the results so far; they update when it ends.",
                        timeout=6,
                    )
                headlines = results.headlines
                if len(headlines) == FIRST_SCREENFUL:
                    first = [h for h in headlines if _shown_in(view, h)]
                    self.post_message(HeadlinesLoaded(first, view, keep_cursor, more=True))
                    headlines = self.store.search(view.query, filter=view.filter, now=now)
                    keep_cursor = True
                headlines = [h for h in headlines if _shown_in(view, h)]
            else:
                headlines = self.store.headlines(
                    unread_only=view.unread_only,
                    starred_only=view.starred_only,
                    feed_id=view.feed_id,
                    folder=view.folder,
                    order=view.order,
                    filter=view.filter,
                    now=now,
                )
            # A newer load (a reload after indexing, say) replaced this one:
            # its older answer must not land after the newer one.
            if not get_current_worker().is_cancelled:
                self.post_message(HeadlinesLoaded(headlines, view, keep_cursor))

    def index_for_search(self) -> None:
        """Start the deferred search-index pass, unless one is running."""
        if not any(w.group == "index" and w.is_running for w in self.workers):
            self._index_for_search()

    @work(thread=True, group="index")
    def _index_for_search(self) -> None:
        # Refreshes leave indexing to this pass, so fetching stays fast.
        if self.store is None:
            return
        with self._store_errors():
            count = index_all(self.store, self.index_cancel)
            if count and not self.index_cancel.is_set():
                self.post_message(SearchIndexed(count))

    @work(thread=True, exclusive=True, group="open")
    def open_article(self, article_id: str, feed_version: bool = False) -> None:
        """Open an article through the meter and render it (its feed version if asked)."""
        if self.store is None or self.meter is None:
            return
        with self._store_errors():
            reading = open_for_reading(
                self.store,
                self.meter,
                article_id,
                exempt_feeds=self.config.exempt_feeds,
                feed_version=feed_version,
            )
            if reading is None:
                return
            notice = (
                f"Press {key_label(self.config.keys_for('subscribe'))} to subscribe"
                " (a local switch: nothing is bought)."
            )
            shown = reading.article
            cached, missing = ({}, []) if reading.withheld else self.cached_pictures(shown)

            def draw(pictures: Mapping[str, RenderableType]) -> RenderableType:
                return render_article(
                    shown, teaser=reading.withheld, notice=notice, pictures=pictures
                )

            # Placeholders of the pictures' size first; the pictures follow.
            text = draw(placeholders(cached))
            # The article first: the header and the row can follow a frame later.
            self.post_message(
                ArticleOpened(
                    article_id,
                    text,
                    withheld=reading.withheld,
                    url=reading.article.url,
                    feed_version=reading.feed_version,
                    has_both=reading.has_both,
                    links=tuple(link_targets(reading.article, teaser=reading.withheld)),
                )
            )
            self.post_message(MeterChanged(reading.access.state))
            headline = self.store.headline(article_id)
            if headline is not None:
                self.post_message(HeadlineChanged(headline))
            if cached or missing:
                room = self.reader_screen.article.text_room
                self.draw_pictures(article_id, cached, missing, draw, room)

    @work(thread=True, group="flags")
    def set_flag(self, article_id: str, flag: Flag, value: bool) -> None:
        """Mark read/unread or star/unstar, then refresh that row."""
        if self.store is None:
            return
        with self._store_errors():
            self.store.set_flag(article_id, flag, value)
            headline = self.store.headline(article_id)
            if headline is not None:
                self.post_message(HeadlineChanged(headline))

    @work(thread=True, exclusive=True, group="meter")
    def toggle_subscription(self) -> None:
        """Flip the local subscription; a withheld article then reads in full."""
        if self.meter is None:
            return
        with self._store_errors():
            self.meter.set_subscribed(not self.meter.subscribed)
            state = self.meter.state()
            self.post_message(MeterChanged(state))
            self.call_from_thread(
                self.notify,
                "Subscribed: every article reads in full." if state.subscribed else "Unsubscribed.",
                timeout=3,
            )
            shown, withheld = self.call_from_thread(self._shown_article)
            # Only a teaser gains from reopening; reopening a full article
            # after unsubscribing would count it.
            if state.subscribed and withheld and shown is not None:
                self.call_from_thread(self.open_article, shown)

    def _shown_article(self) -> tuple[str | None, bool]:
        view = self.reader_screen.article
        return view.article_id, view.withheld

    @work(thread=True, exclusive=True, group="meter-refresh")
    def refresh_meter(self) -> None:
        """Re-read the meter: views expire, and other instances count too."""
        if self.meter is not None:
            with self._store_errors():
                self.post_message(MeterChanged(self.meter.state()))

    # Results ----------------------------------------------------------------

    def on_library_failed(self, message: LibraryFailed) -> None:
        # Printed after the terminal is restored, as the CLI prints its errors.
        self.error_message = f"{APP_NAME}: error: {message.error}"
        self.exit(return_code=1, message=self.error_message)

    def on_library_problem(self, message: LibraryProblem) -> None:
        self.notify(message.error, title="Library", severity="error", timeout=8)

    def on_headlines_loaded(self, message: HeadlinesLoaded) -> None:
        if message.view != self.view:
            return  # loaded for a filter the user has since changed
        headlines = self.reader_screen.headlines
        keep_id = headlines.current.id if message.keep_cursor and headlines.current else None
        headlines.set_headlines(message.headlines, keep_id)
        count = len(message.headlines)
        query = message.view.query
        size = counted(count, "match", "matches") if query else counted(count, "story", "stories")
        self.view_size = size.replace(" ", "+ ", 1) if message.more else size  # "300+ matches"
        self._show_view()
        if query and not count and not message.more:
            self.notify(f"No matches for {query!r}.", timeout=4)
        if self.open_first_unread:  # n went on to this feed
            self.open_first_unread = False
            self.reader_screen.open_first_unread()

    def on_search_indexed(self, message: SearchIndexed) -> None:
        filtered = self.view.filter
        # Results shown so far may have missed some (content: the index's text).
        if self.view.query or (filtered is not None and filtered.uses_content):
            self.reload_headlines()

    def on_headline_changed(self, message: HeadlineChanged) -> None:
        self.reader_screen.headlines.update_headline(message.headline)

    def on_meter_changed(self, message: MeterChanged) -> None:
        self.reader_screen.header.show(message.state)

    def on_pictures_drawn(self, message: PicturesDrawn) -> None:
        self.reader_screen.article.redraw(message.article_id, message.text)

    def on_pictures_fitted(self, message: PicturesFitted) -> None:
        self.reader_screen.article.refit(message.article_id)

    def on_article_opened(self, message: ArticleOpened) -> None:
        screen = self.reader_screen
        screen.article.show(message.article_id, message.text, withheld=message.withheld)
        screen.article.feed_version = message.feed_version
        screen.article.has_both = message.has_both
        screen.article.links = message.links
        screen.headlines.set_open(message.article_id)
        screen.article_shown()


def _shown_in(view: ListView, headline: Headline) -> bool:
    """Whether a search match passes the view's unread-only and starred-only switches."""
    return not (view.unread_only and headline.read) and not (
        view.starred_only and not headline.starred
    )


def make_app(
    config: Config,
    data_dir: Path,
    *,
    seeds_dir: Path | None = None,
    clock: Clock = time.time,
    drawn_with: str = "blocks",
) -> ReaderApp:
    """Build the app.

    Args:
        config: The loaded config (its warnings are shown on start).
        data_dir: The data directory holding the library.
        seeds_dir: Where the seed articles are; defaults to the bundled ones.
        clock: Seconds since the epoch, for the meter; tests inject one.
        drawn_with: What pictures are drawn with: "kitty", "sixel" or "blocks"
            (`pictures.detect` asks the terminal, before the app starts).

    Returns:
        The app, ready to `run()` or `run_test()`.
    """
    return ReaderApp(
        config,
        data_dir,
        seeds_dir=seeds_dir if seeds_dir is not None else seeds_directory(),
        clock=clock,
        drawn_with=drawn_with,
    )
