"""The app's automatic refresh: a timer, the feeds that are due, and the notices.

Every minute the app looks for feeds whose interval (`app.refresh_minutes`,
or a `[[feed]]`'s own `refresh_minutes`) has passed and that are not left
alone (Retry-After, fresh by their own hint or max-age, backing off after
failures: `sources/politeness`), and refreshes just those in an async
worker, quietly unless something came. New stories are then announced by
the config's notify command and, if asked, a terminal desktop notice.
With a sync account the server fetches the feeds: the app runs a sync
round every `app.refresh_minutes` instead. Imports Textual, the use cases
`sources.refresh` and `notices`, and the UI's messages.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime

from textual import work

from tui_reader.filter_settings import drop_rules
from tui_reader.library.database import StoreError
from tui_reader.meter import Clock
from tui_reader.ui.messages import LibraryProblem, RefreshDone, RefreshProgress
from tui_reader.ui.sync_app import SyncApp

TICK_SECONDS = 60.0  # how often the app looks for due feeds


class BackgroundApp(SyncApp):
    """An app that refreshes by itself; `ReaderApp` is the one."""

    clock: Clock  # seconds since the epoch (a fake one in tests)
    last_background_sync: float = 0.0  # clock time of the last automatic sync round

    def start_background_refresh(self) -> None:
        """Start the timer if any feed has an interval (called once, on mount)."""
        if self.config.refresh.automatic:
            self.set_interval(TICK_SECONDS, self.background_tick)

    def now(self) -> datetime:
        """The app's clock as a UTC time."""
        return datetime.fromtimestamp(self.clock(), UTC)

    def background_tick(self) -> None:
        """Refresh what is due, unless offline or a refresh is already running."""
        if self.config.offline or self.store is None:
            return
        if any(w.group == "refresh" and w.is_running for w in self.workers):
            return
        if self.config.sync is not None:
            every = self.config.refresh.every_minutes * 60
            if every and self.clock() - self.last_background_sync >= every:
                self.last_background_sync = self.clock()
                self.sync_round(announce=True)
            return
        self.background_refresh()

    @work(exclusive=True, group="refresh")
    async def background_refresh(self) -> None:
        """Refresh the due feeds; say so only when stories came or feeds failed."""
        from tui_reader.sources.refresh import FeedOutcome, due_feeds, refresh_feeds

        store = self.store
        if store is None:
            return
        try:
            feeds = await asyncio.to_thread(store.feeds)
        except StoreError as exc:
            self.post_message(LibraryProblem(str(exc)))
            return
        due = due_feeds(feeds, self.config.refresh.minutes_for, self.now())
        if not due:
            return

        def progress(done: int, total: int, _outcome: FeedOutcome) -> None:
            self.post_message(RefreshProgress(done, total))

        since = await asyncio.to_thread(store.last_row)  # what is stored after it is new
        try:
            summary = await refresh_feeds(
                store,
                due,
                self.config.network,
                progress=progress,
                cancel=self.refresh_cancel,
                full_text=self.config.full_text_feeds,
                drop=drop_rules(self.config.ignores),
                automatic=True,
                clock=self.now,
                pictures=self.config.full_text_pictures(store.path.parent),
            )
            titles = await asyncio.to_thread(store.titles_stored_after, since)
        except StoreError as exc:
            self.post_message(LibraryProblem(str(exc)))
            self._show_view()
            return
        if summary.new or summary.failures():
            self.post_message(RefreshDone(summary.line(), summary.failures()))
        else:
            self._show_view()
            self.reload_headlines()
        if summary.new:
            await self.announce(summary.new, titles)

    async def announce(self, count: int, titles: list[str]) -> None:
        """Run the notify command and send the terminal notice, as configured."""
        from tui_reader.notices import command_argv, notice_text, run_command, terminal_escape

        settings = self.config.refresh
        if settings.notify_command:
            argv = command_argv(settings.notify_command, count, titles)
            failed = await asyncio.to_thread(run_command, argv)
            if failed:
                self.notify(f"Notify: {failed}", severity="warning", timeout=8)
        if settings.notify_terminal:
            driver = getattr(self, "_driver", None)  # as App.bell writes, in order
            if driver is not None:
                escape = terminal_escape("tui-reader", notice_text(count, titles), os.environ)
                driver.write(escape)
