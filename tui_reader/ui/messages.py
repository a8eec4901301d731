"""Messages that thread workers post back to the app.

SQLite and parsing run in thread workers; their results come back to the UI
thread as these typed messages, never as direct widget calls.
Imports domain values and Textual's `Message`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import RenderableType
from textual.message import Message

from tui_reader.library.articles import Headline
from tui_reader.meter import MeterState
from tui_reader.ui.list_view import ListView


@dataclass
class LibraryFailed(Message):
    """The library could not be opened or written."""

    error: str


@dataclass
class LibraryProblem(Message):
    """A library operation failed; the app goes on (e.g. the library was busy)."""

    error: str


@dataclass
class HeadlinesLoaded(Message):
    """A fresh list of headlines, and which one the cursor should stay on."""

    headlines: list[Headline]
    view: ListView  # the view they were loaded for; stale ones are dropped
    keep_cursor: bool  # keep the cursor on the story it is on when they arrive
    more: bool = False  # the first page: the rest follows in another message


@dataclass
class HeadlineChanged(Message):
    """One headline's read or starred state changed."""

    headline: Headline


@dataclass
class ArticleOpened(Message):
    """An article was opened: rendered in full, or as a teaser when withheld."""

    article_id: str
    text: RenderableType
    withheld: bool
    url: str
    feed_version: bool = False  # the feed's own content is shown, not the full story
    has_both: bool = False  # both versions are kept (the full story was fetched)
    links: tuple[str, ...] = ()  # the numbered links shown, link n at n - 1


@dataclass
class PicturesDrawn(Message):
    """The open article's pictures were decoded: it is drawn again with them."""

    article_id: str
    text: RenderableType


@dataclass
class PicturesFitted(Message):
    """The open article's kitty or Sixel pictures were made for the pane's new width."""

    article_id: str


@dataclass
class MeterChanged(Message):
    """The meter changed (a view was counted, or subscribing was toggled)."""

    state: MeterState


@dataclass
class RefreshProgress(Message):
    """A feed finished during a background refresh (or a sync round moved on)."""

    done: int
    total: int
    stage: str = "refreshing"  # "syncing", "pushing", "stories" during a sync


@dataclass
class RefreshDone(Message):
    """A background refresh finished; `summary` is its one-line result, `failures`
    the failed feeds and why ("A: HTTP 404; and 2 more"; "" when none failed)."""

    summary: str
    failures: str = ""
    done: str = "Refreshed"  # how the notice starts: "Refreshed", "Synced"


@dataclass
class SearchIndexed(Message):
    """The background pass indexed `count` new articles for search."""

    count: int
