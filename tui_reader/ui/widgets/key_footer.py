"""The footer of key hints, rebuilt only when the keys it shows change.

Textual's `Footer` rebuilds every key widget whenever the focus moves, even
when the keys stay the same. The reader's keys belong to the screen, so
moving between the list and the article (Enter, Tab, h) changes nothing in
the footer, yet the rebuild and its restyling cost about 50 ms a move, more
than opening a 5,000-word article. This footer skips those rebuilds.
Imports Textual only.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A `Footer` that rebuilds only when the keys shown, their labels or their state change."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[tuple[str, str, bool, bool], ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = tuple(
            (key, active.binding.description, active.binding.show, active.enabled)
            for key, active in screen.active_bindings.items()
        )
        if shown == self._shown:
            return
        if screen.app.app_focus:  # Footer draws nothing while the app has no focus
            self._shown = shown
        super().bindings_changed(screen)
