"""The app's library plumbing and its marking workers (A, C, U), apart from the rest of the app.

`ReaderApp` builds on this class: it holds the library, and the workers
that mark many stories at once and take it back run here, in threads, as
the use case `marking` says. Imports Textual, the library and `marking`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from textual import work
from textual.app import App

from tui_reader.config import Config
from tui_reader.library.database import StoreError
from tui_reader.library.store import Store
from tui_reader.marking import Marked, mark, mark_all_read
from tui_reader.ui.messages import LibraryProblem
from tui_reader.ui.widgets.help_screen import key_label


class MarkingApp(App[None]):
    """An app with a library that can mark stories in bulk; `ReaderApp` is the one."""

    config: Config
    store: Store | None
    last_marked: Marked | None  # what U puts back
    list_last_row: int | None  # the last story stored when the list was loaded

    def reload_headlines(self) -> None:
        """Load the list again, the cursor where it is (`ReaderApp` does it)."""
        raise NotImplementedError

    @contextmanager
    def _store_errors(self) -> Iterator[None]:
        """Turn a failed library operation into a notice; the app goes on."""
        try:
            yield
        except StoreError as exc:
            self.post_message(LibraryProblem(str(exc)))

    # Marking many -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="mark")
    def mark_read(self, article_ids: list[str] | None) -> None:
        """Mark these stories read, or (None) every one added by the time the list loaded."""
        if self.store is None:
            return
        with self._store_errors():
            if article_ids is None:
                marked = mark_all_read(self.store, up_to=self.list_last_row)
            else:
                marked = mark(self.store, article_ids, "read", True)
            self.last_marked = marked if marked.ids else self.last_marked
            undo = key_label(self.config.keys_for("undo_mark"))
            hint = f" Press {undo} to undo." if marked.ids else ""
            self.call_from_thread(self.notify, marked.line() + hint, timeout=6)
            self.call_from_thread(self.reload_headlines)

    @work(thread=True, exclusive=True, group="mark")
    def undo_marking(self) -> None:
        """Put back the read state the last marking changed."""
        marked, self.last_marked = self.last_marked, None
        if marked is None or self.store is None:
            self.call_from_thread(self.notify, "Nothing to undo.", timeout=3)
            return
        with self._store_errors():
            back = marked.undo(self.store)
            self.call_from_thread(self.notify, f"Undone: {back.line()}", timeout=4)
            self.call_from_thread(self.reload_headlines)
