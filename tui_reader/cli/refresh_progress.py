"""What `refresh` shows while it runs: a progress bar on a terminal, plain lines when piped.

On a terminal (stderr, where the bar is drawn) a transient Rich bar counts
the feeds done of all, the new articles and the failures so far, and names
the feed that just finished; each failure is printed above it as it comes
and stays when the bar goes. Piped (or `TERM=dumb`), there is no bar: one
line per failed feed (and per remark, such as a feed cut to size) on
stderr as each feed ends, for scripts and logs. Feed titles and server
reasons are strangers' text, so they go out as Rich `Text`, never markup.
Imports Rich and the refresh's outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from tui_reader import APP_NAME
from tui_reader.sources.refresh import FeedOutcome
from tui_reader.sources.refresh import Progress as OnFeed


def outcome_line(outcome: FeedOutcome) -> str | None:
    """The line a finished feed gets on stderr: its failure or remark, else None."""
    if outcome.status == "failed":
        return f"{APP_NAME}: {outcome.name}: {outcome.error}"
    if outcome.note:
        return f"{APP_NAME}: {outcome.name}: {outcome.note}"
    return None


class FeedsColumn(ProgressColumn):
    """The feeds done, of all: "3/10 feeds"."""

    def render(self, task: Task) -> Text:
        total = int(task.total) if task.total is not None else 0
        return Text(f"{int(task.completed)}/{total} feeds")


class CountColumn(ProgressColumn):
    """A running count kept in the task's fields, as "12 new" or "1 failed" (red when not 0)."""

    def __init__(self, field: str, label: str, style: str = "") -> None:
        super().__init__()
        self.field, self.label, self.style = field, label, style

    def render(self, task: Task) -> Text:
        count = int(task.fields.get(self.field, 0))
        return Text(f"{count:,} {self.label}", style=self.style if count else "")


class LastFeedColumn(ProgressColumn):
    """The feed that finished last, as plain text cut to 30 cells."""

    def render(self, task: Task) -> Text:
        name = Text(str(task.fields.get("feed", "")), no_wrap=True, overflow="ellipsis")
        name.truncate(30, overflow="ellipsis")
        return name


def progress_bar(console: Console) -> Progress:
    """The bar: what it counts, in columns."""
    return Progress(
        TextColumn("Refreshing", markup=False),
        BarColumn(),
        FeedsColumn(),
        CountColumn("new", "new"),
        CountColumn("failed", "failed", style="red"),
        TimeElapsedColumn(),
        LastFeedColumn(),
        console=console,
        transient=True,
    )


@contextmanager
def refresh_progress(total: int, err: TextIO) -> Iterator[OnFeed]:
    """Show a refresh of `total` feeds as it goes; yields the callback for `refresh_feeds`.

    Args:
        total: How many feeds the refresh fetches.
        err: Where the bar and the failure lines go (stderr).
    """
    console = Console(file=err, highlight=False)
    if not console.is_interactive:
        # Piped: a line per failure as it ends, nothing else.
        def tell(done: int, total: int, outcome: FeedOutcome) -> None:
            line = outcome_line(outcome)
            if line is not None:
                err.write(line + "\n")
                err.flush()

        yield tell
        return
    with progress_bar(console) as bar:
        task = bar.add_task("Refreshing", total=total, new=0, failed=0, feed="")
        new = failed = 0

        def advance(done: int, total: int, outcome: FeedOutcome) -> None:
            nonlocal new, failed
            new += outcome.new
            failed += outcome.status == "failed"
            bar.update(task, completed=done, feed=outcome.name, new=new, failed=failed)
            line = outcome_line(outcome)
            if line is not None:  # above the bar, and kept when the bar goes
                style = "red" if outcome.status == "failed" else ""
                bar.console.print(Text(line, style=style), soft_wrap=True)

        yield advance
