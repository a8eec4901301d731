"""The app's sync round (r, and refresh on start, when a [sync] account is set).

The server fetches the feeds; the app pushes its changes and pulls the
news in an async worker, showing the stage in the header, and reloads the
list when the round ends. Offline or unreachable, the app keeps reading
from the library: the changes wait in the outbox for the next round.
Imports Textual, the use case `syncing` and the UI's messages.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual import work

from tui_reader.errors import ShownError
from tui_reader.ui.marking_app import MarkingApp
from tui_reader.ui.messages import RefreshDone, RefreshProgress

if TYPE_CHECKING:
    from tui_reader.sources.subscribe import FeedOffer


# How the header names a round's stages: "syncing: stories 250/10,000".
STAGES = {
    "pushing": "syncing: changes",
    "stories": "syncing: stories",
    "waiting": "syncing: waiting for another round",
}


class SyncApp(MarkingApp):
    """An app that syncs with a server; `ReaderApp` is the one."""

    refresh_cancel: threading.Event  # set when the app ends: the round stops between requests

    def index_for_search(self) -> None:
        """Start the deferred search-index pass (`ReaderApp` does it)."""
        raise NotImplementedError

    def _show_view(self, extra: str = "") -> None:
        """Show the view's name in the header (`ReaderApp` does it)."""
        raise NotImplementedError

    async def announce(self, count: int, titles: list[str]) -> None:
        """Tell of new stories as the config says (`BackgroundApp` does it)."""
        raise NotImplementedError

    def announce_soon(self, count: int, titles: list[str]) -> None:
        """`announce` in a worker of the app's loop (called from a thread)."""
        self.run_worker(self.announce(count, titles), group="notify")

    async def subscribe_on_server(self, url: str | FeedOffer, pick: int | None) -> str | None:
        """Queue a subscription for the server, then start a round to make it.

        Returns:
            None once queued (the round reports how it went), else the error.
        """
        import asyncio

        from tui_reader.sources.http import FetchError, check_url

        if self.store is None:
            return "The library is not open yet."
        if isinstance(url, str):
            try:
                target = check_url(url)
            except FetchError as exc:
                return str(exc)
        else:  # a page's feeds, one picked in the chooser
            target = url.links[(pick or 1) - 1].url if url.links else url.url
        try:
            await asyncio.to_thread(self.store.queue_subscribe, target)
        except ShownError as exc:
            return str(exc)
        self.notify(f"Subscribing on the server: {target}", timeout=4)
        self.sync_round()
        return None

    # A thread of its own, with its own event loop: parsing a page of 1,000
    # stories takes tens of milliseconds, which on the app's loop would hold
    # every key back that long (cursor moves during a first sync: 51 ms).
    @work(thread=True, exclusive=True, group="refresh")
    def sync_round(self, *, announce: bool = False) -> None:
        """Push the outbox, pull the news; the summary or the one-line error as a notice.

        `announce`: an automatic round, whose new stories run the notify command.
        """
        import asyncio

        from tui_reader.filter_settings import drop_rules
        from tui_reader.syncing import sync

        if self.store is None or self.config.sync is None:
            return

        def progress(stage: str, done: int, total: int) -> None:
            name = STAGES.get(stage, "syncing")
            self.post_message(RefreshProgress(done, total, stage=name))

        self.post_message(RefreshProgress(0, 0, stage="syncing"))
        before = self.store.last_row()
        round_ = sync(
            self.store,
            self.config.sync,
            self.config.network,
            token_file=self.store.path.with_name("sync-token"),
            progress=progress,
            cancel=self.refresh_cancel,
            drop=drop_rules(self.config.ignores),
        )
        try:
            summary = asyncio.run(round_)
        except ShownError as exc:  # unreachable, refused, no password: one line
            self.call_from_thread(self._show_view)
            self.call_from_thread(
                self.notify,
                f"{exc}. Changes wait for the next sync.",
                severity="warning",
                timeout=8,
            )
            return
        line = summary.line().removeprefix("Synced: ")
        self.post_message(RefreshDone(line, "; ".join(summary.errors), done="Synced"))
        self.call_from_thread(self.index_for_search)
        if announce and summary.stories_new:
            titles = self.store.titles_stored_after(before)
            self.call_from_thread(self.announce_soon, summary.stories_new, titles)
