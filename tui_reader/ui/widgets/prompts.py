"""Small questions: yes or no, and one line of text (a feed's new title or folder).

The question's text carries feed titles: strangers' text, shown as `Text`,
never markup. Imports Textual only.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 72;
    max-width: 95%;
    height: auto;
    border: round $accent;
    background: $panel;
    padding: 0 1;
}}
{name} .prompt--hint {{
    color: $text-muted;
}}
"""


class Confirm(ModalScreen[bool]):
    """Ask a yes-or-no question: y (or Enter) says yes; n or Esc says no."""

    DEFAULT_CSS = _CSS.format(name="Confirm")
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", show=True),
        Binding("n,escape", "answer(False)", "No", show=True),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.question))
            if self.detail:
                yield Label(Text(self.detail), classes="prompt--hint")
            yield Label(Text("y: yes    n or Esc: no"), classes="prompt--hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class AskLine(ModalScreen[str | None]):
    """Ask for one line of text, starting from `value` (selected, so typing replaces it)."""

    DEFAULT_CSS = _CSS.format(name="AskLine")
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=True)]

    def __init__(self, question: str, value: str = "", hint: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.question))
            yield Input(value=self.value, select_on_focus=True)
            if self.hint:
                yield Label(Text(self.hint), classes="prompt--hint")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)
