"""Opening a link in the user's web browser, and saying so in one line when it cannot be done.

Textual's `App.open_url` hands the link to `webbrowser.open` and drops its
answer, so `o` (and Enter in the link list) did nothing at all where there
is no browser: over ssh, in a container, on a server. `webbrowser` answers
False when it finds none (or none it tries will start) and may raise
`webbrowser.Error`; either becomes a notice naming the link, so it can be
copied. It runs in a thread: a browser can take a while to start, and the
keys must not wait for it. Imports Textual.
"""

from __future__ import annotations

import webbrowser

from textual import work
from textual.app import App

from tui_reader.errors import one_line


def open_in_browser(url: str) -> str | None:
    """Open `url` in the user's browser ($BROWSER first, as `webbrowser` does).

    Returns:
        None when a browser took it, else one line saying why not, with the link.
    """
    try:
        if webbrowser.open(url):
            return None
        reason = "no web browser found (set $BROWSER to one)"
    except (webbrowser.Error, OSError) as exc:
        reason = f"the browser failed: {one_line(exc)}"
    return f"Cannot open {url}: {reason}."


class BrowserApp(App[None]):
    """An app whose `open_url` says when no browser opened the link."""

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Open a link in the browser; a notice says so when that cannot be done."""
        if self.is_web:  # served to a browser (textual-serve): that browser opens it
            super().open_url(url, new_tab=new_tab)
            return
        self._open_in_browser(url)

    @work(thread=True, group="browser")
    def _open_in_browser(self, url: str) -> None:
        problem = open_in_browser(url)
        if problem is not None:
            # The link is strangers' text: never markup.
            self.call_from_thread(
                self.notify, problem, title="Browser", severity="warning", timeout=8, markup=False
            )
