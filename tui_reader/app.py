"""The Textual app: headline list, article pane, meter header, key hints.

Build it with `make_app`, which takes the config and data dir so tests can
inject both. SQLite work runs in thread workers that post the typed messages
of `tui_reader.messages`; the keypress path does no I/O.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import DescendantFocus
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui_reader import APP_NAME
from tui_reader.config import KEY_ACTIONS, Config
from tui_reader.html_convert import with_body
from tui_reader.locations import seeds_directory, styles_directory
from tui_reader.messages import (
    ArticleOpened,
    HeadlineChanged,
    HeadlinesLoaded,
    LibraryFailed,
    LibraryProblem,
    MeterChanged,
    RefreshDone,
    RefreshProgress,
    SearchIndexed,
)
from tui_reader.meter import Clock, Meter, MeterState
from tui_reader.render import render_article, safe_link
from tui_reader.store import Store, StoreError, open_library
from tui_reader.widgets.article_view import ArticleView
from tui_reader.widgets.dialogs import ALL_FEEDS, AddFeedDialog, FeedPicker, SearchDialog
from tui_reader.widgets.headline_list import HeadlineList
from tui_reader.widgets.help_screen import HelpScreen, key_label

# Headlines loaded before the first paint; more than any terminal is tall.
FIRST_SCREENFUL = 300
# HeadlinesLoaded.keep_id value: keep the cursor on whatever it is on now.
KEEP_CURSOR = "\0keep"

# How often the header re-reads the meter (views expire; other instances count).
METER_REFRESH_SECONDS = 60
# A search indexes up to this many waiting articles first (about 0.2 s); with
# more waiting it answers from the index as it is and searches again later.
SEARCH_CATCH_UP = 2_000

# Below this width the panes take turns instead of squeezing side by side.
NARROW_WIDTH = 80

# Shown in the footer; the rest are listed by `?`.
_FOOTER_ACTIONS = {
    "open",
    "next_article",
    "toggle_read",
    "toggle_star",
    "unread_only",
    "refresh",
    "help",
    "quit",
}
_FOOTER_LABELS = {
    "open": "Open",
    "next_article": "Next",
    "toggle_read": "Read",
    "toggle_star": "Star",
    "unread_only": "Unread",
    "refresh": "Refresh",
    "help": "Help",
    "quit": "Quit",
}


def _bindings() -> list[Binding]:
    return [
        Binding(
            action.keys,
            action.action,
            _FOOTER_LABELS.get(action.id, action.description),
            show=action.id in _FOOTER_ACTIONS,
            id=action.id,
        )
        for action in KEY_ACTIONS
    ]


class MeterHeader(Horizontal):
    """The top line: the app's name and the free-article meter."""

    DEFAULT_CSS = """
    MeterHeader {
        dock: top;
        height: 1;
        background: $primary;
        color: $text;
    }
    MeterHeader > .meter-header--name {
        width: auto;
        padding: 0 1;
        text-style: bold;
    }
    MeterHeader > .meter-header--status {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    MeterHeader > .meter-header--meter {
        width: 1fr;
        padding: 0 1;
        text-align: right;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(APP_NAME, classes="meter-header--name")
        yield Static("", id="status", classes="meter-header--status")
        yield Static("", id="meter", classes="meter-header--meter")

    def show(self, state: MeterState) -> None:
        """Show the meter's message."""
        self.query_one("#meter", Static).update(Text(state.message()))

    def status(self, text: str) -> None:
        """Show what is going on (the view, a refresh's progress)."""
        self.query_one("#status", Static).update(Text(text))


class ReaderScreen(Screen[None]):
    """The main screen. Its bindings drive both panes."""

    BINDINGS = _bindings()

    def compose(self) -> ComposeResult:
        yield MeterHeader()
        with Horizontal(id="panes"):
            yield HeadlineList(id="headlines")
            yield ArticleView(id="article")
        yield Footer()

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one(HeadlineList)

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def reader(self) -> ReaderApp:
        app = self.app
        assert isinstance(app, ReaderApp)
        return app

    def on_mount(self) -> None:
        self.headlines.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")

    # Panes ----------------------------------------------------------------

    @property
    def reading(self) -> bool:
        """Whether the article pane has the keyboard.

        Kept here rather than read from focus: `focus()` takes effect after
        the current message, and keys typed quickly (or pasted) must already
        go to the pane that Tab chose.
        """
        return self.has_class("-reading")

    def show_pane(self, article: bool) -> None:
        """Give the keyboard (and, when narrow, the screen) to one pane."""
        self.set_class(article, "-reading")
        (self.article if article else self.headlines).focus()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # A click can move focus too; follow it.
        if event.widget in (self.article, self.headlines):
            self.set_class(event.widget is self.article, "-reading")

    def action_switch_pane(self) -> None:
        self.show_pane(not self.reading)

    def action_back(self) -> None:
        self.show_pane(False)

    # Moving ---------------------------------------------------------------

    def action_cursor_down(self) -> None:
        if self.reading:
            self.article.scroll_down(animate=False)
        else:
            self.headlines.move_cursor(1)

    def action_cursor_up(self) -> None:
        if self.reading:
            self.article.scroll_up(animate=False)
        else:
            self.headlines.move_cursor(-1)

    def action_first(self) -> None:
        if self.reading:
            self.article.scroll_home(animate=False)
        else:
            self.headlines.cursor = 0

    def action_last(self) -> None:
        if self.reading:
            self.article.scroll_end(animate=False)
        else:
            self.headlines.cursor = len(self.headlines.headlines) - 1

    def action_page_down(self) -> None:
        self.article.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.article.scroll_page_up(animate=False)

    # Opening --------------------------------------------------------------

    def action_open(self) -> None:
        headline = self.headlines.current
        if headline is not None:
            self.reader.open_article(headline.id)
            if self.has_class("-narrow"):
                self.show_pane(True)

    def _open_relative(self, delta: int) -> None:
        before = self.headlines.cursor
        self.headlines.move_cursor(delta)
        if self.headlines.cursor == before:
            self.notify("No more stories that way.", timeout=2)
            return
        self.action_open()

    def action_next_article(self) -> None:
        self._open_relative(1)

    def action_previous_article(self) -> None:
        self._open_relative(-1)

    @on(HeadlineList.Clicked)
    def _clicked(self, _event: HeadlineList.Clicked) -> None:
        self.action_open()

    # Marking --------------------------------------------------------------

    def action_toggle_read(self) -> None:
        headline = self.headlines.current
        if headline is not None:
            self.reader.set_flag(headline.id, "read", not headline.read)

    def action_toggle_star(self) -> None:
        headline = self.headlines.current
        if headline is not None:
            self.reader.set_flag(headline.id, "starred", not headline.starred)

    def action_unread_only(self) -> None:
        self.reader.unread_only = not self.reader.unread_only
        current = self.headlines.current
        self.reader.load_headlines(current.id if current else None)
        self.reader._show_view()
        self.notify("Showing unread only" if self.reader.unread_only else "Showing all", timeout=2)

    def action_open_browser(self) -> None:
        headline = self.headlines.current
        if headline is None:
            return
        url = safe_link(headline.url) if headline.url else None
        if url is None:
            self.notify("This story has no web link.", severity="warning", timeout=3)
            return
        self.app.open_url(url)

    def action_subscribe(self) -> None:
        self.reader.toggle_subscription()

    def action_refresh(self) -> None:
        self.reader.start_refresh()

    def action_add_feed(self) -> None:
        if self.reader.config.offline:
            self.notify("Offline: adding a feed needs the network.", severity="warning")
            return
        self.app.push_screen(AddFeedDialog())

    def action_feeds(self) -> None:
        self.reader.pick_feed()

    def action_search(self) -> None:
        self.app.push_screen(SearchDialog(self.reader.search_query), self.reader.search_for)

    def action_full_text(self) -> None:
        # The story on screen if there is one, else the one under the cursor.
        article_id = self.article.article_id
        if article_id is None and self.headlines.current is not None:
            article_id = self.headlines.current.id
        if article_id is not None:
            self.reader.start_full_text(article_id)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.reader.config))

    def action_quit(self) -> None:
        self.app.exit()


class ReaderApp(App[None]):
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
    ) -> None:
        super().__init__()
        self.config = config
        self.data_dir = data_dir
        self.seeds_dir = seeds_dir
        self.clock = clock
        self.store: Store | None = None
        self.meter: Meter | None = None
        self.unread_only = False
        self.feed_filter: int | None = None  # show one feed's headlines, or all
        self.feed_filter_title = ""
        self.search_query = ""  # when set, the list shows search results
        self.refresh_cancel = threading.Event()
        self.index_cancel = threading.Event()
        self.fetching_full_text: set[str] = set()  # article ids `f` is fetching
        self.error_message: str | None = None
        self.reader_screen = ReaderScreen()
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

    def get_default_screen(self) -> ReaderScreen:
        return self.reader_screen

    def on_mount(self) -> None:
        for warning in self.config.warnings:
            self.notify(warning, title="Config", severity="warning", timeout=10)
        self.load_library()
        self.set_interval(METER_REFRESH_SECONDS, self.refresh_meter)

    def on_unmount(self) -> None:
        self.refresh_cancel.set()
        self.index_cancel.set()
        if self.store is not None:
            self.store.close()

    @property
    def view(self) -> tuple[bool, int | None, str]:
        """What the headline list shows: (unread only, feed id or None, search words)."""
        return self.unread_only, self.feed_filter, self.search_query

    def search_for(self, query: str | None) -> None:
        """Show the articles matching `query` ("" shows the list as before)."""
        if query is None:
            return
        self.search_query = query
        self._show_view()
        self.load_headlines(None)

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
        from tui_reader.fetch import FeedOutcome, refresh_feeds

        assert self.store is not None
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
            )
        except StoreError as exc:
            self.post_message(LibraryProblem(str(exc)))
            self._show_view()  # not "refreshing n/m" forever
            current = self.reader_screen.headlines.current
            self.load_headlines(current.id if current else None)  # what was stored
            return
        self.post_message(RefreshDone(summary.line()))
        self.index_for_search()

    async def subscribe_to(self, url: str) -> str | None:
        """Subscribe from the add dialog.

        Returns:
            None on success, else the one-line error to show in the dialog.
        """
        from tui_reader.fetch import FetchError, subscribe

        if self.store is None:
            return "The library is not open yet."
        try:
            result = await subscribe(self.store, url, self.config.network)
        except FetchError as exc:
            return str(exc)
        except StoreError as exc:
            return str(exc)
        found = f" (found on the page: {result.found_on_page.url})" if result.found_on_page else ""
        self.notify(
            f"Subscribed to {result.feed.title}: {result.outcome.new} articles{found}", timeout=5
        )
        current = self.reader_screen.headlines.current
        self.load_headlines(current.id if current else None)
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
        from tui_reader.pages import NoWebPage, PageError, fetch_full_text

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

    @work(thread=True, exclusive=True, group="feeds")
    def pick_feed(self) -> None:
        """Load the feed list and show the picker."""
        if self.store is None:
            return
        with self._store_errors():
            feeds = self.store.feeds()
            unread = int(self.store.query("SELECT count(*) FROM articles WHERE read = 0")[0][0])
            self.call_from_thread(self.push_screen, FeedPicker(feeds, unread), self._feed_picked)

    def _feed_picked(self, choice: tuple[int, str] | str | None) -> None:
        if choice is None:
            return
        if choice == ALL_FEEDS or isinstance(choice, str):
            self.feed_filter, self.feed_filter_title = None, ""
        else:
            self.feed_filter, self.feed_filter_title = choice
        self._show_view()
        self.load_headlines(None)

    def _show_view(self, extra: str = "") -> None:
        # No SQLite here: this runs on the UI thread, maybe during a refresh.
        name = self.feed_filter_title if self.feed_filter is not None else "All articles"
        if self.search_query:
            name = f"Search: {self.search_query}"
        if self.unread_only:
            name += " (unread)"
        self.reader_screen.query_one(MeterHeader).status(name + extra)

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        self._show_view(f" · refreshing {message.done}/{message.total}")

    def on_refresh_done(self, message: RefreshDone) -> None:
        self._show_view()
        self.notify(f"Refreshed: {message.summary}", timeout=5)
        current = self.reader_screen.headlines.current
        self.load_headlines(current.id if current else None)

    # Workers: SQLite off the UI thread -------------------------------------

    @work(thread=True, exclusive=True, group="library")
    def load_library(self) -> None:
        """Open the store (importing seeds if needed) and load the headlines."""
        try:
            self.store = open_library(self.data_dir, self.seeds_dir)
            if self.store.notice:
                self.post_message(LibraryProblem(self.store.notice))
            self.meter = Meter(
                self.store,
                limit=self.config.meter_limit,
                period_days=self.config.meter_period_days,
                clock=self.clock,
            )
            self.post_message(MeterChanged(self.meter.state()))
            # The first screenful first, so a large library shows as fast as
            # an empty one; the rest follows while the user reads.
            first = self.store.headlines(limit=FIRST_SCREENFUL)
            self.post_message(HeadlinesLoaded(first, None, (False, None, "")))
            if len(first) == FIRST_SCREENFUL:
                everything = self.store.headlines()
                self.post_message(HeadlinesLoaded(everything, KEEP_CURSOR, (False, None, "")))
            if self.config.refresh_on_start and not self.config.offline:
                self.call_from_thread(self.start_refresh)
            else:
                self.call_from_thread(self.index_for_search)
        except StoreError as exc:
            self.post_message(LibraryFailed(str(exc)))

    @work(thread=True, exclusive=True, group="headlines")
    def load_headlines(self, keep_id: str | None) -> None:
        """Reload the headline list (after a filter change)."""
        if self.store is None:
            return
        view = self.view
        unread_only, feed_id, query = view
        with self._store_errors():
            if query:
                pending = self.store.unindexed_count()
                if pending <= SEARCH_CATCH_UP:
                    self.store.index_all(self.index_cancel)
                else:
                    # Answer now from what is indexed; the background pass
                    # searches again when it ends (on_search_indexed). The
                    # articles may have come from another process: start it.
                    self.call_from_thread(self.index_for_search)
                    self.call_from_thread(
                        self.notify,
                        f"Still indexing {pending:,} article{'s' * (pending != 1)} for search:"
                        " these are the results so far; they update when it ends.",
                        timeout=6,
                    )
                headlines = self.store.search(query)
                if unread_only:
                    headlines = [h for h in headlines if not h.read]
            else:
                headlines = self.store.headlines(unread_only=unread_only, feed_id=feed_id)
            self.post_message(HeadlinesLoaded(headlines, keep_id, view))

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
            count = self.store.index_all(self.index_cancel)
            if count and not self.index_cancel.is_set():
                self.post_message(SearchIndexed(count))

    @work(thread=True, exclusive=True, group="open")
    def open_article(self, article_id: str) -> None:
        """Open an article through the meter and render it."""
        if self.store is None or self.meter is None:
            return
        with self._store_errors():
            stored = self.store.get(article_id)
            if stored is None:
                return
            # Convert first: whatever happens in there must not cost a free article.
            article = with_body(stored.article, stored.html)
            exempt = bool(stored.feed_url) and stored.feed_url in self.config.exempt_feeds
            access = self.meter.open(article_id, exempt=exempt)
            if access.allowed and not stored.read:
                self.store.set_read(article_id, True)
                stored.read = True
            notice = (
                f"Press {key_label(self.config.keys_for('subscribe'))} to subscribe"
                " (a local switch: nothing is bought)."
            )
            text = render_article(article, teaser=not access.allowed, notice=notice)
            # The article first: the header and the row can follow a frame later.
            self.post_message(
                ArticleOpened(article_id, text, withheld=not access.allowed, url=stored.article.url)
            )
            self.post_message(MeterChanged(access.state))
            headline = self.store.headline(article_id)
            if headline is not None:
                self.post_message(HeadlineChanged(headline))

    @work(thread=True, group="flags")
    def set_flag(self, article_id: str, flag: str, value: bool) -> None:
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

    @contextmanager
    def _store_errors(self) -> Iterator[None]:
        """Turn a failed library operation into a notice; the app goes on."""
        try:
            yield
        except StoreError as exc:
            self.post_message(LibraryProblem(str(exc)))

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
        keep_id = message.keep_id
        if keep_id == KEEP_CURSOR:
            keep_id = headlines.current.id if headlines.current else None
        headlines.set_headlines(message.headlines, keep_id)

    def on_search_indexed(self, message: SearchIndexed) -> None:
        if self.search_query:  # results shown so far may have missed some
            current = self.reader_screen.headlines.current
            self.load_headlines(current.id if current else None)

    def on_headline_changed(self, message: HeadlineChanged) -> None:
        self.reader_screen.headlines.update_headline(message.headline)

    def on_meter_changed(self, message: MeterChanged) -> None:
        self.reader_screen.query_one(MeterHeader).show(message.state)

    def on_article_opened(self, message: ArticleOpened) -> None:
        screen = self.reader_screen
        screen.article.show(message.article_id, message.text, withheld=message.withheld)
        screen.headlines.set_open(message.article_id)


def make_app(
    config: Config,
    data_dir: Path,
    *,
    seeds_dir: Path | None = None,
    clock: Clock = time.time,
) -> ReaderApp:
    """Build the app.

    Args:
        config: The loaded config (its warnings are shown on start).
        data_dir: The data directory holding the library.
        seeds_dir: Where the seed articles are; defaults to the bundled ones.
        clock: Seconds since the epoch, for the meter; tests inject one.

    Returns:
        The app, ready to `run()` or `run_test()`.
    """
    return ReaderApp(
        config,
        data_dir,
        seeds_dir=seeds_dir if seeds_dir is not None else seeds_directory(),
        clock=clock,
    )
