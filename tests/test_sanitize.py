"""External text loses terminal controls but keeps its meaning."""

from __future__ import annotations

import pytest

from tui_reader.sanitize import clean_line, clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("red \x1b[31mtext\x1b[0m", "red text"),
        ("title \x1b]0;pwned\x07here", "title here"),
        ("clip \x1b]52;c;ZXZpbA==\x1b\\board", "clip board"),
        ("link \x1b]8;;http://x\x1b\\text\x1b]8;;\x1b\\", "link text"),
        ("one-byte \x9b2Jcsi", "one-byte csi"),
        ("bell\x07 back\x08space nul\x00", "bell backspace nul"),
        ("evil \u202eexe.txt", "evil exe.txt"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("crlf\r\nline", "crlf\nline"),
        ("emoji 👩\u200d💻 stays", "emoji 👩\u200d💻 stays"),
        # Unterminated or stray introducers lose at most the rest of their line.
        ("title \x1b]0;never ends\nnext line", "title \nnext line"),
        ("mojibake â€\x9dquote\n\nmore text", "mojibake â€quote\n\nmore text"),
        ("lone \x90dcs and \x9eparts", "lone dcs and parts"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_clean_line_folds_whitespace():
    assert clean_line("  a\t b\n\nc  ") == "a b c"


def test_the_fast_paths_skip_nothing_the_cleaner_removes() -> None:
    """clean_text and clean_line return printable text untouched: sound only if
    no character they remove is printable, and no printable one but the space
    is whitespace. Checked over every code point."""
    import sys

    from tui_reader.sanitize import _INVISIBLE

    every = [chr(c) for c in range(sys.maxunicode + 1)]
    assert [c for c in every if c.isprintable() and _INVISIBLE.match(c)] == []
    assert [c for c in every if c.isprintable() and c.isspace()] == [" "]
    assert clean_line("  two  spaces ") == "two spaces"
    assert clean_line("tab\there") == "tab here"
