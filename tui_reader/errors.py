"""Errors a user sees, and the helpers that make any error one line.

Every error the program shows a user (a bad file, feed, URL, key, config
value or server answer; a library that cannot be written) derives from
`ShownError`: the CLI prints it as `tui-reader: error: ...` and the app as a
notification, never as a traceback. Error text often quotes strangers (a
server's reason, a parser's complaint about a document), so it is
sanitized here too. Imports `sanitize` only.
"""

from __future__ import annotations

from tui_reader.sanitize import clean_line


class ShownError(Exception):
    """An error whose message is one line, fit to show a user as it is."""


def one_line(exc: BaseException | str) -> str:
    """An error (or its text) on one clean line; its class name when it says nothing."""
    text = clean_line(str(exc))
    if text:
        return text
    return type(exc).__name__ if isinstance(exc, BaseException) else "unknown error"


def described(exc: BaseException) -> str:
    """An error's kind and, when it says something, what: "TimeoutError: took too long"."""
    text = clean_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def unexpected(exc: BaseException) -> str:
    """One line for an error nobody foresaw: "unexpected" and `described`."""
    return f"unexpected {described(exc)}"
