"""Make external text safe to store and to show in a terminal.

Feed and page text is written by strangers. Rich and Textual strip only a few
controls (BEL, BS, VT, FF, CR) and let ESC and the one-byte CSI (U+009B)
through, so everything that enters the store passes through `clean_text` once.
Imports nothing of the package: everything else may use it.
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ ... final), OSC / DCS / SOS / PM / APC
# strings, and two-byte escapes. A string sequence ends at BEL or ST, and, so
# that a stray ESC ] never swallows the rest of an article, at the end of its
# line. One-byte string introducers (U+0090, U+0098, U+009D-U+009F) are not
# treated as strings: they turn up alone in mojibake ("â€\x9d" for a closing
# quote), and dropping just the character (below) is enough to defuse them.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?                # CSI
    | \x1b[\]PX^_][^\n]*?(?:\x07|\x1b\\|(?=\n)|$)  # OSC, DCS, SOS, PM, APC
    | \x1b[ -/]*[0-~]?                      # other escapes (charset, keypad, ...)
    | \x9b[0-?]*[ -/]*[@-~]?                # one-byte CSI
    """,
    re.VERBOSE,
)

# C0 controls but tab and newline, DEL, C1 controls, bidirectional overrides
# and isolates (they reorder what the user sees), and invisible characters that
# hide text (zero-width space, word joiner, BOM, Mongolian vowel separator).
# ZWJ and ZWNJ stay: they are part of emoji sequences and of Persian and Indic
# spelling. Lone surrogates (from broken JSON or character references) are
# not text at all and cannot be encoded.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\u180e\ud800-\udfff"
    "\u00ad\u061c\ufdd0-\ufdef\ufffe\uffff\U000e0000-\U000e007f]"
)


# What `_INVISIBLE` matches in ASCII, as bytes to delete: `bytes.translate`
# finds them four times faster than the regular expression.
_ASCII_CONTROLS = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])


def clean_text(text: str) -> str:
    """Remove terminal controls and invisible formatting from `text`.

    Tabs and newlines are kept; CRLF and lone CR become newlines first so line
    structure survives.

    Args:
        text: Any string from outside the program.

    Returns:
        The same text without escape sequences, C0/C1 controls (but tab and
        newline), bidi overrides and zero-width characters.
    """
    # Every escape sequence starts with ESC or CSI, and CR is a control too:
    # text with none of the characters removed is already clean (most text:
    # one scan instead of four).
    if text.isprintable():  # nothing below is printable (checked by a test)
        return text
    if text.isascii():  # most text: the controls are then the only suspects
        raw = text.encode("ascii")
        if len(raw.translate(None, _ASCII_CONTROLS)) == len(raw):
            return text
    elif _INVISIBLE.search(text) is None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _INVISIBLE.sub("", text)


def clean_line(text: str) -> str:
    """Like `clean_text`, then fold all whitespace runs to single spaces.

    Args:
        text: A title, name or other one-line field from outside.

    Returns:
        The cleaned text on one line, stripped.
    """
    # Printable text (no control, format or separator character but the
    # ASCII space: Python's definition) holds nothing `clean_text` removes,
    # and no whitespace but spaces: most titles, checked in one C pass.
    if text.isprintable():
        if "  " not in text and text[:1] != " " and text[-1:] != " ":
            return text
        return " ".join(text.split())
    return " ".join(clean_text(text).split())
