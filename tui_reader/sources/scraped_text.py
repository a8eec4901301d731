"""Turn a news page scraped to plain text into an `Article`.

The seed pages come from a WordPress news site scraped to text: one paragraph
per line, with the site's chrome mixed in (an empty menu, "Check out our other
content", a close glyph, a view-limit plugin's nag) and photo captions printed
twice (once for the image, once for its lightbox). The rules here are about
that kind of page, not about any one file: chrome is recognised by what it
says wherever it stands, captions by repetition or a photo credit, subheadings
by their shape. Imports the article model, `errors` and `sanitize` only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tui_reader.article import Article, Block, BlockKind, Origin
from tui_reader.errors import ShownError
from tui_reader.sanitize import clean_line, clean_text

# Larger files are not scraped articles; refusing them keeps memory bounded.
MAX_FILE_BYTES = 5 * 1024 * 1024

# Lines that are site furniture, compared case-insensitively after folding
# whitespace and dropping trailing punctuation.
_CHROME_LINES = frozenset(
    {
        "no menu items",
        "check out our other content",
        "subscribe for unlimited access",
        "skip to content",
        "close",
    }
)
# Close buttons rendered as a lone glyph.
_CLOSE_GLYPHS = frozenset("×✕✖✗╳⨯")
# The view-limit plugin's count bar, with or without its number (JavaScript
# fills it in, so a scrape may have caught either).
_NAG = re.compile(
    r"^you have\s+(?:\d+\s+)?free\s+articles?(?:\(s\))?\s+(?:remaining|left)\b.*$",
    re.IGNORECASE,
)
# A photo credit at the end of a caption: "(Photo Internet reproduction)",
# "(Photo: Reuters)", "(Image: ...)".
_PHOTO_CREDIT = re.compile(r"\((?:photo|image|picture|foto|imagem)\b[^()]*\)\s*$", re.IGNORECASE)
# A subheading is short and reads like a label, not a sentence.
_SUBHEADING_MAX_WORDS = 8
_SENTENCE_END = tuple('.!?,;:…"”’)')


class ArticleImportError(ShownError):
    """A file could not be imported; the message is one line for the user."""


@dataclass(frozen=True)
class ImportResult:
    """The outcome of importing one path: an article or a one-line error."""

    path: Path
    article: Article | None = None
    error: str | None = None


def is_chrome(line: str) -> bool:
    """Tell whether a line is site furniture rather than article text.

    Args:
        line: One line, already cleaned and stripped.

    Returns:
        True for menus, nags, "other content" teasers and close glyphs.
    """
    if line in _CLOSE_GLYPHS:
        return True
    if _NAG.match(line):
        return True
    key = line.casefold().rstrip(" .!:")
    return key in _CHROME_LINES


def _is_subheading(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= _SUBHEADING_MAX_WORDS
        and not line.endswith(_SENTENCE_END)
        and (line[0].isupper() or line[0].isdigit())
    )


def _content_lines(text: str) -> Iterator[tuple[str, bool]]:
    """Yield (line, repeated) for each content line, chrome dropped.

    A line equal to the previous content line (blank lines between allowed) is
    folded into it and marks it as repeated: that is how the site prints a
    photo caption.
    """
    previous: str | None = None
    repeated = False
    for raw in text.split("\n"):
        line = clean_line(raw)
        if not line or is_chrome(line):
            continue
        if line == previous:
            repeated = True
            continue
        if previous is not None:
            yield previous, repeated
        previous, repeated = line, False
    if previous is not None:
        yield previous, repeated


def parse_text(text: str, *, source: str = "", origin: Origin = "file") -> Article:
    """Parse a scraped news page into an article.

    Args:
        text: The page as text (any line endings; external, so sanitized here).
        source: What to show as the article's source.
        origin: "seed" for bundled seeds, "file" for user imports.

    Returns:
        The article: title, standfirst, paragraphs, subheadings and captions.

    Raises:
        ArticleImportError: When no article text is left once chrome is removed.
    """
    lines = list(_content_lines(clean_text(text)))
    if not lines:
        raise ArticleImportError("no article text found (only site menus and notices)")
    title = lines[0][0]
    blocks: list[Block] = []
    rest = lines[1:]
    for index, (line, repeated) in enumerate(rest):
        is_last = index == len(rest) - 1
        if repeated or _PHOTO_CREDIT.search(line):
            blocks.append(Block(BlockKind.CAPTION, line))
        elif not is_last and _is_subheading(line):
            blocks.append(Block(BlockKind.HEADING, line))
        else:
            blocks.append(Block(BlockKind.PARAGRAPH, line))
    standfirst = ""
    if blocks and blocks[0].kind is BlockKind.PARAGRAPH:
        standfirst = blocks.pop(0).text
    return Article(title=title, standfirst=standfirst, blocks=blocks, source=source, origin=origin)


def decode_file(data: bytes) -> str:
    """Decode a text file's bytes, refusing binaries and unknown encodings.

    Args:
        data: The file's content.

    Returns:
        The text (UTF-8, or UTF-16 with a byte order mark).

    Raises:
        ArticleImportError: For empty, binary or undecodable content.
    """
    if not data.strip():
        raise ArticleImportError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ArticleImportError(f"not valid UTF-16 text (at byte {exc.start})") from None
    if b"\0" in data[:8192]:
        raise ArticleImportError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleImportError(
            f"not UTF-8 text (undecodable byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def read_article_file(path: Path, *, origin: Origin = "file") -> Article:
    """Read and parse one text file.

    Args:
        path: The file.
        origin: "seed" or "file".

    Returns:
        The parsed article; its source names the file for user imports.

    Raises:
        ArticleImportError: With a one-line reason for any unreadable file.
    """
    try:
        if path.is_dir():
            raise ArticleImportError("is a directory")
        if not path.exists():
            raise FileNotFoundError
        if not path.is_file():
            # A FIFO would block and a device never ends; neither is an article.
            raise ArticleImportError("not a regular file")
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ArticleImportError(f"too large for an article (over {MAX_FILE_BYTES:,} bytes)")
    except FileNotFoundError:
        raise ArticleImportError("no such file") from None
    except PermissionError:
        raise ArticleImportError("permission denied") from None
    except OSError as exc:
        raise ArticleImportError(exc.strerror or "cannot read file") from None
    source = "Bundled seed" if origin == "seed" else clean_line(path.name)
    return parse_text(decode_file(data), source=source, origin=origin)


def _text_files_in(directory: Path) -> list[Path]:
    """The `.txt` files directly inside a directory, sorted by name."""
    try:
        return sorted(p for p in directory.iterdir() if p.suffix == ".txt" and p.is_file())
    except PermissionError:
        raise ArticleImportError("permission denied") from None
    except OSError as exc:
        raise ArticleImportError(exc.strerror or "cannot list folder") from None


def read_many(paths: Iterable[Path], *, origin: Origin = "file") -> list[ImportResult]:
    """Read a batch of files and folders; one bad one never stops the rest.

    Args:
        paths: Files, or folders whose `.txt` files are read (sorted by name).
        origin: "seed" or "file".

    Returns:
        One result per file (or per unreadable folder), in order.
    """
    results = []
    for given in paths:
        try:
            files = _text_files_in(given) if given.is_dir() else [given]
        except ArticleImportError as exc:
            results.append(ImportResult(given, error=str(exc)))
            continue
        except OSError as exc:  # a name too long, a broken mount
            results.append(ImportResult(given, error=exc.strerror or "cannot read"))
            continue
        for path in files:
            try:
                article = read_article_file(path, origin=origin)
                results.append(ImportResult(path, article=article))
            except ArticleImportError as exc:
                results.append(ImportResult(path, error=str(exc)))
    return results
