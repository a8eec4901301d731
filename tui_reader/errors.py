"""Errors a user sees, and the one helper that makes any error one line.

Every error the program shows a user (a bad file, feed, URL, key, config
value or server answer; a library that cannot be written) derives from
`ShownError`: the CLI prints it as `tui-reader: error: ...` and the app as a
notification, never as a traceback. Imports nothing of the package.
"""

from __future__ import annotations


class ShownError(Exception):
    """An error whose message is one line, fit to show a user as it is."""


def one_line(exc: BaseException | str) -> str:
    """Squeeze an error (or its text) into one line; its class name when it says nothing."""
    text = " ".join(str(exc).split())
    if text:
        return text
    return type(exc).__name__ if isinstance(exc, BaseException) else "unknown error"
