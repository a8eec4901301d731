"""The feed list screen (F): folders and feeds with unread and total counts,
last update and last error; from there a feed is shown, reloaded, removed,
renamed or moved to a folder.

The screen owns this behaviour: it is handed the library and the config,
runs its SQLite work in thread workers and its reload in an async worker,
and tells the app two things through callbacks: which view to show, and
that the feeds changed (so the headline list reloads). Imports Textual,
the library, `sources.refresh` and widgets; never the app.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Label, Static

from tui_reader.config import FEED_LIST_KEYS, Config
from tui_reader.dates import format_date
from tui_reader.errors import ShownError
from tui_reader.filter_settings import drop_rules, find_query
from tui_reader.library.feeds import Feed, FeedOverview
from tui_reader.library.store import Store
from tui_reader.sanitize import clean_line
from tui_reader.ui.widgets.feed_list import FeedList, FeedRow, feed_rows
from tui_reader.ui.widgets.key_footer import KeyFooter
from tui_reader.ui.widgets.prompts import AskLine, Confirm
from tui_reader.words import counted

# A chosen row (the app turns it into a view), and "the feeds changed" (with
# the id of a feed that went, if one did).
Choose = Callable[[FeedRow], None]
Changed = Callable[[int | None], None]


class FeedsScreen(Screen[None]):
    """Every folder and feed with its counts; Enter shows one, Esc goes back."""

    DEFAULT_CSS = """
    FeedsScreen #feeds-title {
        dock: top;
        width: 100%;
        background: $panel;
        color: $text;
        text-style: bold;
        padding: 0 1;
    }
    FeedsScreen #feeds {
        height: 1fr;
    }
    FeedsScreen #feed-detail {
        height: 3;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    # The ids shared with the main screen take the user's keymap too.
    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False, id="cursor_down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="cursor_up"),
        Binding("g,home", "move(-1000000)", "First", show=False, id="first"),
        Binding("G,end", "move(1000000)", "Last", show=False, id="last"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="page_up"),
        Binding("enter,l,right", "choose", "Show", id="open"),
        # Fixed keys; config.py ignores a setting that would take one of them.
        *(
            Binding(FEED_LIST_KEYS[id][0], action, FEED_LIST_KEYS[id][1], id=id)
            for id, action in (
                ("feeds_reload", "reload"),
                ("feeds_remove", "remove"),
                ("feeds_rename", "rename"),
                ("feeds_move", "move_to_folder"),
            )
        ),
        Binding("escape,h,left,q,F", "back", "Back", id="back"),
    ]

    def __init__(
        self,
        store: Store,
        config: Config,
        choose: Choose,
        changed: Changed,
        *,
        known: FeedOverview | None = None,
        loaded: Callable[[FeedOverview], None] | None = None,
    ) -> None:
        """`known` is the overview read last time, shown at once until the
        fresh one arrives (tens of milliseconds later); `loaded` hears of each."""
        super().__init__()
        self.store = store
        self.config = config
        self.choose = choose
        self.changed = changed
        self.known = known
        self.loaded = loaded
        self.queries: list[tuple[str, int, int]] = []  # (name, unread, total), once counted

    def compose(self) -> ComposeResult:
        yield Label("Feeds", id="feeds-title")
        yield FeedList(id="feeds")
        yield Static("", id="feed-detail")
        yield KeyFooter()

    @property
    def feed_list(self) -> FeedList:
        return self.query_one(FeedList)

    def on_mount(self) -> None:
        self.feed_list.focus()
        if self.known is not None:
            self._show_overview(self.known, None)
        self.load_rows()

    # Loading --------------------------------------------------------------

    @work(thread=True, exclusive=True, group="feed-rows")
    def load_rows(self, keep: FeedRow | None = None) -> None:
        """Read the feeds and their counts (a thousand feeds: tens of milliseconds)."""
        try:
            overview = self.store.feed_overview()
            self.app.call_from_thread(self._show_overview, overview, keep)
            if self.loaded is not None:
                self.loaded(overview)
            # The query feeds after: each is a pass over the stories.
            queries = self.config.queries
            if queries:
                counts = self.store.query_counts([q.filter for q in queries])
                self.queries = [
                    (q.name, unread, total)
                    for q, (unread, total) in zip(queries, counts, strict=True)
                ]
                self.app.call_from_thread(self._show_overview, overview, keep)
        except ShownError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)

    def _show_overview(self, overview: FeedOverview, keep: FeedRow | None) -> None:
        feeds = overview.feeds
        rows = feed_rows(
            feeds,
            (overview.starred_unread, overview.starred),
            (overview.unread, overview.total),
            self.queries,
        )
        failing = sum(1 for f in feeds if f.error)
        title = f"Feeds · {counted(len(feeds), 'feed')}"
        if failing:
            title += f" · {failing} failed on the last refresh"
        self.query_one("#feeds-title", Label).update(Text(title))
        self.feed_list.set_rows(rows, keep or self.feed_list.current)
        self._show_detail()

    @on(FeedList.Highlighted)
    def _show_detail(self) -> None:
        row = self.feed_list.current
        detail = Text()
        if row is None:
            pass
        elif row.feed is not None:
            feed = row.feed
            when = format_date(feed.updated) or "never"
            detail.append(f"{feed.url}\n")
            detail.append(f"Updated {when} · {row.unread:,} unread of {row.total:,}")
            if feed.folder:
                detail.append(f" · in {feed.folder}")
            if feed.error:
                detail.append(f"\nLast refresh failed: {feed.error}", style="red")
            if feed.wait_until and feed.wait_kind != "fresh":  # backing off, or asked to wait
                until = _local_minute(feed.wait_until)
                detail.append(f"\nNext try after {until}: {feed.wait_reason}", style="yellow")
        elif row.kind == "query":
            query = find_query(self.config.queries, row.label)
            detail.append(f"Query {row.label}: {query.filter.text if query else ''}\n")
            detail.append(f"{row.unread:,} unread of {row.total:,} (a [[query]] of the config)")
        elif row.kind == "folder":
            members = [
                r for r in self.feed_list.rows if r.kind == "feed" and r.folder == row.folder
            ]
            detail.append(f"Folder {row.label}: {counted(len(members), 'feed')}")
            detail.append(f"\n{row.unread:,} unread of {row.total:,}")
        else:
            detail.append(f"{row.label}: {row.unread:,} unread of {row.total:,}")
        self.query_one("#feed-detail", Static).update(detail)

    # Keys -----------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.feed_list.move_cursor(delta)

    def action_page(self, direction: int) -> None:
        self.feed_list.page(direction)

    def action_back(self) -> None:
        self.dismiss()

    @on(FeedList.Clicked)
    def action_choose(self) -> None:
        row = self.feed_list.current
        if row is not None:
            self.dismiss()
            self.choose(row)

    def _feed_row(self, doing: str) -> FeedRow | None:
        row = self.feed_list.current
        if row is None or row.feed is None:
            self.notify(f"Move to a feed to {doing} it.", timeout=3)
            return None
        return row

    def action_reload(self) -> None:
        row = self.feed_list.current
        if row is None:
            return
        if self.config.offline:
            self.notify("Offline: reloading needs the network.", severity="warning")
            return
        if any(w.group == "refresh" and w.is_running for w in self.app.workers):
            self.notify("A refresh is already running.", timeout=2)
            return
        feeds = [r.feed for r in self._rows_under(row) if r.feed is not None]
        if feeds:
            self.notify(f"Reloading {counted(len(feeds), 'feed')} …", timeout=2)
            self.reload(feeds, row)

    def _rows_under(self, row: FeedRow) -> list[FeedRow]:
        """The feed rows a row stands for: itself, a folder's feeds, or every feed."""
        rows = self.feed_list.rows
        if row.kind == "feed":
            return [row]
        if row.kind == "folder":
            return [r for r in rows if r.kind == "feed" and r.folder == row.folder]
        return [r for r in rows if r.kind == "feed"]

    @work(group="refresh")
    async def reload(self, feeds: list[Feed], row: FeedRow) -> None:
        """Fetch these feeds now; each one's outcome shows in its row."""
        from tui_reader.sources.refresh import refresh_feeds

        try:
            summary = await refresh_feeds(
                self.store,
                feeds,
                self.config.network,
                full_text=self.config.full_text_feeds,
                drop=drop_rules(self.config.ignores),
                pictures=self.config.full_text_pictures(self.store.path.parent),
            )
        except ShownError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        failed = [o for o in summary.outcomes if o.status == "failed"]
        if len(summary.outcomes) == 1 and failed:
            self.notify(f"{row.label}: {failed[0].error}", severity="warning", markup=False)
        else:
            self.notify(f"Reloaded: {summary.line()}", timeout=4, markup=False)
        self.load_rows(row)
        self.changed(None)

    def action_remove(self) -> None:
        row = self._feed_row("remove")
        if row is None or row.feed is None:
            return
        feed = row.feed

        def answered(yes: bool | None) -> None:
            if yes:
                self.unsubscribe(feed.id, row.label)

        self.app.push_screen(
            Confirm(
                f"Unsubscribe from {row.label}?",
                f"Its {counted(row.total, 'story', 'stories')} go from the library;"
                " starred ones stay.",
            ),
            answered,
        )

    @work(thread=True, group="feed-edit")
    def unsubscribe(self, feed_id: int, label: str) -> None:
        try:
            deleted, kept = self.store.remove_feed(feed_id)
        except ShownError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        note = f"Unsubscribed from {label}: {counted(deleted, 'story', 'stories')} deleted"
        if kept:
            note += f", {kept} starred kept"
        self.app.call_from_thread(self.notify, note + ".", timeout=5, markup=False)
        self.app.call_from_thread(self.load_rows)
        self.app.call_from_thread(self.changed, feed_id)

    def action_rename(self) -> None:
        row = self._feed_row("rename")
        if row is None or row.feed is None:
            return
        feed = row.feed

        def answered(title: str | None) -> None:
            if title is not None:
                self.edit(feed.id, title=clean_line(title).strip(), row=row)

        self.app.push_screen(
            AskLine(
                f"A new title for {row.label}",
                feed.title,
                "Empty: the feed's own title, from the next refresh.",
            ),
            answered,
        )

    def action_move_to_folder(self) -> None:
        row = self._feed_row("move")
        if row is None or row.feed is None:
            return
        feed = row.feed

        def answered(folder: str | None) -> None:
            if folder is not None:
                self.edit(feed.id, folder=clean_line(folder).strip(), row=row)

        self.app.push_screen(
            AskLine(f"Move {row.label} to the folder", feed.folder, "Empty: no folder."),
            answered,
        )

    @work(thread=True, group="feed-edit")
    def edit(
        self, feed_id: int, *, row: FeedRow, title: str | None = None, folder: str | None = None
    ) -> None:
        try:
            if title is not None:
                self.store.rename_feed(feed_id, title)
            if folder is not None:
                self.store.set_feed_folder(feed_id, folder)
        except ShownError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self.load_rows, row)
        self.app.call_from_thread(self.changed, None)


def _local_minute(iso: str) -> str:
    """ "2026-12-02 14:05" in local time, for a stored ISO 8601 time."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso
