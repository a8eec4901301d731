"""Turn a saved or fetched news web page into the article model.

A web page is mostly furniture (menus, share buttons, related stories,
comments). trafilatura finds the article in it and hands it back as simple
HTML plus the page's metadata; that HTML then goes through `html_to_blocks`,
the converter feed entries use, so every article is shaped and sanitized by
the same code. trafilatura takes about 200 ms to import, so it is imported on
first use, not with this module.

Imports `html_convert`, the article model, `errors` and `sanitize`; trafilatura
only inside the work.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import threading
import zlib
from dataclasses import dataclass
from datetime import date
from html import unescape
from urllib.parse import urldefrag, urljoin, urlsplit

from tui_reader.article import Article, Block, BlockKind, Link
from tui_reader.errors import ShownError
from tui_reader.sanitize import clean_line
from tui_reader.sources.html_convert import html_to_blocks

# A news page is well under 2 MB of HTML; the cap bounds memory and time
# (extraction is roughly linear in the page) for pages and gzip bombs alike.
MAX_PAGE_BYTES = 10 * 1024 * 1024
PAGE_TOO_LARGE = "page too large (over 10 MB)"
# Extraction time grows with the number of elements (about 0.1 ms each), so
# a page of 200,000 tags takes 20 s. News pages have a few thousand.
MAX_PAGE_TAGS = 100_000
_NO_ARTICLE = "no article found on the page"
# Less body text than this is a login form, an error page or a link hub
# ("Forgot your password?"), not an article. Counted in characters, not
# words, so that Chinese or Japanese text (few \w+ runs) is measured fairly.
MIN_ARTICLE_CHARS = 100

# Where to look for a <meta> charset. The HTML standard prescans 1 KB, but
# real pages put long <head> boilerplate first, so look further.
_SNIFF_BYTES = 8 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM it starts with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
# Both `<meta charset="x">` and `<meta http-equiv="Content-Type" content="text/html; charset=x">`.
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE
)
# Browsers read these labels as their supersets, and pages are written for
# browsers: an "iso-8859-1" page carries windows-1252 quotes and dashes.
_SUPERSETS = {"iso8859-1": "cp1252", "ascii": "cp1252", "gb2312": "gbk", "iso8859-9": "cp1254"}
# An HTML page has a tag (or a doctype or comment) near its start.
_TAG = re.compile(r"<\s*(?:[a-zA-Z]|!|\?)")
# Controls and replacement characters: more than a few of them (10% of the
# start) means a binary file decoded by force. Common binary formats are
# known by their first bytes anyway.
_BINARY = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]")
_BINARY_SHARE = 10
_BINARY_MAGIC = (b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"RIFF", b"\x7fELF")

# C0 controls but tab, newline, form feed and CR, raw or as character
# references. They are never text in HTML, and an escape written "&#27;"
# makes trafilatura give up on the whole page (its XML stage cannot hold it).
_CONTROLS = re.compile(
    r"[\x00-\x08\x0b\x0e-\x1f\x7f]"
    r"|&#(?:0*(?:[0-8]|11|1[4-9]|2[0-9]|3[01]|127)(?![0-9])"
    r"|[xX]0*(?:[0-8bBe-fE-F]|1[0-9a-fA-F]|7[fF])(?![0-9a-fA-F]));?"
)

# Unicode spaces (no-break, thin, ideographic, ...) touching a tag.
_UNICODE_SPACES = "\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
_EDGE_SPACE = re.compile(f"[{_UNICODE_SPACES}]+(?=<)|(?<=>)[{_UNICODE_SPACES}]+")

# How a <title> joins the headline and the site name: "Story - Site", "Site | Story".
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ", ": ")


class ExtractionError(ShownError):
    """A page gave no article; the message is one line for the user."""


class ExtractionCancelled(ExtractionError):
    """The caller set the cancel event; nothing was extracted."""


@dataclass(frozen=True)
class _Found:
    """What trafilatura found: the article as HTML and the page's metadata (raw)."""

    body: str
    title: str = ""
    author: str = ""
    date: str = ""
    sitename: str = ""
    url: str = ""
    image: str = ""  # the page's lead image (og:image), if it names one


def decode_html(data: bytes, content_type: str = "") -> str:
    """Decode a page's bytes to text as a browser would.

    Args:
        data: The page as fetched or saved; gzip-compressed data (a
            `.html.gz` file) is recognised by its magic bytes.
        content_type: The HTTP Content-Type header, if any; its charset wins
            over one declared in the page, as in browsers.

    Returns:
        The page's text: decoded by BOM, header charset, `<meta>` charset or
        else as UTF-8; undecodable bytes become U+FFFD.

    Raises:
        ExtractionError: The data is too large, damaged gzip, empty, or not HTML.
    """
    if len(data) > MAX_PAGE_BYTES:
        raise ExtractionError(PAGE_TOO_LARGE)
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data)
    if data.startswith(_BINARY_MAGIC):
        raise ExtractionError("not an HTML page")
    text = _decode(data, content_type)
    head = text[:_SNIFF_BYTES]
    if not head.strip():
        raise ExtractionError("the page is empty")
    if len(_BINARY.findall(head)) * _BINARY_SHARE > len(head) or not _TAG.search(head):
        raise ExtractionError("not an HTML page")
    return text


def _gunzip(data: bytes) -> bytes:
    # Read one byte past the cap, so that a bomb stops there and an
    # oversized page is told from one that fits exactly.
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as file:
            out = file.read(MAX_PAGE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ExtractionError("the page is gzip-compressed but damaged") from error
    if len(out) > MAX_PAGE_BYTES:
        raise ExtractionError(PAGE_TOO_LARGE)
    return out


def _decode(data: bytes, content_type: str) -> str:
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(bom_encoding, errors="replace")
    header = _HEADER_CHARSET.search(content_type)
    encoding = _known_encoding(header.group(1)) if header else None
    if encoding is None:
        meta = _META_CHARSET.search(data[:_SNIFF_BYTES])
        encoding = _known_encoding(meta.group(1).decode("ascii")) if meta else None
        # A declaration readable as ASCII means the page is not UTF-16/32;
        # browsers take it as UTF-8 as well.
        if encoding is not None and encoding.startswith(("utf-16", "utf-32")):
            encoding = "utf-8"
    if encoding is None:
        # Undeclared: UTF-8 if it is that, else what browsers fall back to
        # for such pages (windows-1252), so "Café" does not become "Caf\ufffd".
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        return data.decode(encoding, errors="replace")
    except (LookupError, UnicodeError):  # a codec that fails on its own terms
        return data.decode("utf-8", errors="replace")


def _known_encoding(label: str) -> str | None:
    try:
        info = codecs.lookup(label.strip().lower())
    except (LookupError, ValueError):
        return None
    # "base64", "rot13", "zlib" and the like are codecs but not charsets.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return _SUPERSETS.get(info.name, info.name)


# Text codecs Python has that no web page can be in.
_NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "raw-unicode-escape", "unicode-escape"})


def extract_article(html: str, url: str = "", *, cancel: threading.Event | None = None) -> Article:
    """Find the article in a web page and turn it into an `Article`.

    Args:
        html: The page's HTML. It is external: every string taken from it is
            sanitized (terminal escapes, controls, bidi tricks removed; Rich
            markup stays literal text).
        url: Where the page came from. Relative links resolve against it and
            it names the source when the page does not; when empty, the
            page's own canonical http(s) URL is used.
        cancel: Set it (from another thread) to stop at the next stage.

    Returns:
        The article with origin "page": title, author, published (ISO 8601
        date, or None), source (site name, else host), url and body blocks.

    Raises:
        ExtractionError: No article on the page, or the page is too large or
            too complex to extract in reasonable time.
        ExtractionCancelled: `cancel` was set (a subclass of ExtractionError).
    """
    if len(html) > MAX_PAGE_BYTES:
        raise ExtractionError(PAGE_TOO_LARGE)
    if html.count("<") > MAX_PAGE_TAGS:  # an upper bound on tags, and cheap
        raise ExtractionError(f"page too complex (over {MAX_PAGE_TAGS:,} tags)")
    _check(cancel)
    found = _run_trafilatura(_CONTROLS.sub("", html), url)
    _check(cancel)
    if found is None:
        raise ExtractionError(_NO_ARTICLE)
    page_url = _page_url(url, found.url)
    blocks = html_to_blocks(_keep_edge_spaces(found.body), page_url)
    _check(cancel)
    source = clean_line(found.sitename) or _host(page_url)
    title = _strip_site_name(clean_line(found.title), source)
    blocks = _drop_repeated_title(blocks, title)
    if _text_size(blocks) < MIN_ARTICLE_CHARS:
        raise ExtractionError(_NO_ARTICLE)
    lead = _lead_image(html, found.image, page_url)
    if lead is not None:
        blocks.insert(0, lead)
    return Article(
        title=title or _first_heading(blocks) or source or "Untitled page",
        blocks=blocks,
        source=source,
        url=page_url,
        published=_iso_date(found.date),
        origin="page",
        # trafilatura joins several authors with ";".
        author=", ".join(filter(None, (clean_line(a) for a in found.author.split(";")))),
    )


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExtractionCancelled("extraction cancelled")


_INLINE_PRE = re.compile(r"(?<!<pre>)<pre>([^<\n]*)</pre>")


def _run_trafilatura(html: str, url: str) -> _Found | None:
    import trafilatura
    from lxml import etree  # type: ignore[import-untyped]
    from lxml import html as lxml_html

    # Options chosen on bench/extraction.py (F1 0.898 on today's corpus of
    # 91 pages; 0.957 on the first, smaller one): favor_precision leaves
    # out more furniture for a little recall (off: 0.947); inline images are
    # off because with them trafilatura also takes in galleries, photo
    # captions and related-story thumbnails (on: 0.917; the lead image is
    # added by `_lead_image` instead). Links and tables are shown by the
    # reader and cost nothing (off: 0.956, 0.949). Emphasis is kept
    # (bold, italic, struck through): the reader shows it (off: 0.896).
    try:
        output = trafilatura.extract(
            html,
            url=url or None,
            output_format="html",
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_links=True,
            include_images=False,
            include_formatting=True,
            favor_precision=True,
        )
    except (ValueError, TypeError, RecursionError, etree.LxmlError) as error:
        # Hostile or broken markup must end in a one-line error, not a trace.
        raise ExtractionError(f"the page could not be read ({type(error).__name__})") from error
    if not output:
        return None
    # The output is trafilatura's own small, well-formed HTML: metadata as
    # <head><meta name content>, the article as <body>.
    # It writes inline code as a one-line <pre> inside the paragraph, which an
    # HTML parser takes as the paragraph's end; a code block is <pre><pre>.
    output = _INLINE_PRE.sub(r"<code>\1</code>", output)
    tree = lxml_html.document_fromstring(output)
    meta = {str(m.get("name")): str(m.get("content") or "") for m in tree.iterfind("head/meta")}
    body = tree.find("body")
    if body is None:
        return None
    return _Found(
        body=lxml_html.tostring(body, encoding="unicode"),
        title=meta.get("title", ""),
        author=meta.get("author", ""),
        date=meta.get("date", ""),
        sitename=meta.get("sitename", ""),
        url=meta.get("url", ""),
        image=_declared(_OG_IMAGE, html),
    )


def _lead_image(html: str, image: str, page_url: str) -> Block | None:
    """The page's lead image as an `[image: alt]` block, or None.

    Images inside the story are left out (see `_run_trafilatura`); the lead
    image the page declares for sharing is the story's own picture, so it is
    kept, with the alt text of the page's <img> showing it when there is one.
    """
    if not image:
        return None
    try:
        src = urljoin(page_url, clean_line(image)) if page_url else clean_line(image)
        name = urlsplit(src).path.rsplit("/", 1)[-1]
    except ValueError:  # "http://[oops/x.jpg": a broken address is no image
        return None
    if not src.startswith(("http://", "https://")):
        return None
    alt = ""
    alt = _declared(_OG_IMAGE_ALT, html)
    if not alt:
        for tag in _IMG_TAG.finditer(html):
            if name and name in tag.group(0):
                found_alt = _ALT.search(tag.group(0))
                if found_alt:
                    alt = found_alt.group(2)
                    break
    alt = clean_line(unescape(alt)) or "photo"
    text = f"{alt}"
    return Block(BlockKind.IMAGE, text, links=(Link(0, len(text), src),))


def _declared(pattern: re.Pattern[str], html: str) -> str:
    """The content of the first <meta> that `pattern` finds in the page's head."""
    head = html[: html.find("</head>") if "</head>" in html else 200_000]
    for tag in _META_TAG.finditer(head):
        if pattern.search(tag.group(0)):
            content = _CONTENT.search(tag.group(0))
            if content:
                return content.group(2).strip()
    return ""


_META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
_CONTENT = re.compile(r"\bcontent=([\"'])(.*?)\1", re.I | re.S)
_OG_IMAGE = re.compile(r"(?:property|name)=[\"'](?:og:image|twitter:image)[\"']", re.I)
_OG_IMAGE_ALT = re.compile(r"(?:property|name)=[\"'](?:og:image:alt|twitter:image:alt)[\"']", re.I)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r"\balt=([\"'])(.*?)\1", re.I | re.S)


def _page_url(given: str, canonical: str) -> str:
    url = clean_line(given or (canonical if canonical.startswith(("http://", "https://")) else ""))
    # A fragment points into the page, not to another article.
    try:
        return urldefrag(url).url
    except ValueError:  # "http://[::1": kept as given, it is only shown
        return url


def _keep_edge_spaces(html: str) -> str:
    # markdownify (inside html_to_blocks) moves a plain space at the edge of
    # an inline element out of it ("<i>your </i>area" -> "*your* area"), but
    # strips a no-break or other Unicode space there without moving it,
    # gluing words together ("yourarea"). Such spaces next to a tag become
    # plain ones; those between words ("10\xa0km") stay.
    return _EDGE_SPACE.sub(" ", html)


def _text_size(blocks: list[Block]) -> int:
    texts = [b.text for b in blocks] + [cell for b in blocks for row in b.rows for cell in row]
    return sum(len("".join(t.split())) for t in texts)


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return clean_line(host.removeprefix("www."))


def _strip_site_name(title: str, source: str) -> str:
    # <title> often reads "Story - Site" or "Site | Story"; the meta line
    # under our title already names the site.
    if not source:
        return title
    for separator in _TITLE_SEPARATORS:
        suffix, prefix = separator + source, source + separator
        if len(title) > len(suffix) and _same(title[-len(suffix) :], suffix):
            return title[: -len(suffix)].strip()
        if len(title) > len(prefix) and _same(title[: len(prefix)], prefix):
            return title[len(prefix) :].strip()
    return title


def _drop_repeated_title(blocks: list[Block], title: str) -> list[Block]:
    # Many pages put the headline inside the article element; under our own
    # title line it would read twice.
    if blocks and blocks[0].kind is BlockKind.HEADING and _same(blocks[0].text, title):
        return blocks[1:]
    return blocks


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _first_heading(blocks: list[Block]) -> str:
    return next((b.text for b in blocks if b.kind is BlockKind.HEADING), "")


def _iso_date(value: str) -> str | None:
    # htmldate (through trafilatura) gives YYYY-MM-DD; anything else is not
    # trusted to be a date.
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None
