"""The app's play key: a story's podcast episode (or other enclosure) to the player.

Choosing reads the library and starting the player can take a moment, so
it runs in a thread; a notice says what plays, with what, or in one line
why not. Imports Textual, the library and `podcasts`.
"""

from __future__ import annotations

from textual import work
from textual.app import App

from tui_reader.config import Config
from tui_reader.errors import ShownError
from tui_reader.library.store import Store


class PlayerApp(App[None]):
    """An app that plays enclosures with `app.player_command`; `ReaderApp` is the one."""

    config: Config
    store: Store | None

    @work(thread=True, exclusive=True, group="player")
    def play_enclosure(self, article_id: str) -> None:
        """Start the player on the story's first audio or video (else its first file)."""
        from tui_reader.podcasts import choose_enclosure, play

        if self.store is None:
            return
        try:
            chosen = choose_enclosure(self.store, article_id)
            if chosen.saved is None and self.config.offline:
                raise ShownError("offline: this episode was not downloaded (tui-reader download)")
            argv = play(chosen, self.config.player_command)
        except ShownError as exc:
            self.call_from_thread(
                self.notify, str(exc), title="Play", severity="warning", timeout=6, markup=False
            )
            return
        where = "the saved copy" if chosen.saved is not None else "from the web"
        self.call_from_thread(
            self.notify,
            f"Playing {chosen.enclosure.label()} {where} with {argv[0]}.",
            title="Play",
            timeout=4,
            markup=False,
        )
