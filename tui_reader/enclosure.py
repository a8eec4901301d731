"""A podcast episode or other file a story carries: the enclosure model.

RSS `<enclosure>`, Atom `<link rel="enclosure">` and JSON Feed `attachments`
all say the same three things (address, type, size); podcasts add a
duration (`itunes:duration`, `duration_in_seconds`). The article shows one
line per enclosure, `[audio: MP3, 45 min]`, and `list --json` and `read`
list them. A model: imports only `sanitize`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from tui_reader.sanitize import clean_line

MAX_ENCLOSURES = 8  # per story; a feed listing hundreds is not a podcast
MAX_DURATION = 1_000_000  # seconds (eleven days); beyond it the number is noise

# A MIME subtype's usual name for people; otherwise the file's extension.
_FORMATS = {
    "mpeg": "MP3",
    "mp3": "MP3",
    "x-mp3": "MP3",
    "mp4": "MP4",
    "x-m4a": "M4A",
    "m4a": "M4A",
    "aac": "AAC",
    "ogg": "OGG",
    "opus": "OPUS",
    "flac": "FLAC",
    "wav": "WAV",
    "x-wav": "WAV",
    "webm": "WEBM",
    "quicktime": "MOV",
    "x-matroska": "MKV",
    "pdf": "PDF",
    "epub+zip": "EPUB",
    "jpeg": "JPEG",
    "png": "PNG",
}
_KINDS = {"audio": "audio", "video": "video", "image": "image"}
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,5})$")
_CLOCK = re.compile(r"^(?:(\d{1,4}):)?(\d{1,2}):(\d{1,2})(?:\.\d+)?$")


@dataclass(frozen=True)
class Enclosure:
    """One enclosure: where it is, what the feed says it is, how long it plays."""

    url: str
    type: str = ""  # MIME type as the feed gave it, lower-case; "" when unknown
    length: int = 0  # bytes, as the feed gave it; 0 when unknown
    duration: int = 0  # seconds; 0 when unknown

    @property
    def kind(self) -> str:
        """audio, video, image, or file."""
        return _KINDS.get(self.type.partition("/")[0], "file")

    @property
    def playable(self) -> bool:
        """Audio or video: what the player key is for."""
        return self.kind in ("audio", "video")

    @property
    def format(self) -> str:
        """MP3, M4A, PDF...: from the type, else from the file name; "" when neither says."""
        subtype = self.type.partition("/")[2].split(";")[0].strip()
        if subtype in _FORMATS:
            return _FORMATS[subtype]
        match = _EXTENSION.search(unquote(urlsplit(self.url).path))
        if match:
            return match.group(1).upper()
        return subtype.upper() if subtype and len(subtype) <= 8 else ""

    def label(self) -> str:
        """How it reads in the article: `[audio: MP3, 45 min]`, `[file: PDF, 2.1 MB]`."""
        details = [d for d in (self.format, _duration_text(self.duration)) if d]
        if not self.duration and self.length:
            details.append(_size_text(self.length))
        return f"[{self.kind}: {', '.join(details)}]" if details else f"[{self.kind}]"

    def to_json(self) -> dict[str, Any]:
        """As `list --json` and `read --json` give it."""
        return {
            "url": self.url,
            "type": self.type,
            "length": self.length,
            "duration": self.duration,
            "label": self.label(),
        }


def parse_length(value: object) -> int:
    """A feed's `length` or `size_in_bytes`: a whole number of bytes, else 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return 0
    return number if 0 < number < 1 << 50 else 0


def parse_duration(value: object) -> int:
    """`itunes:duration` ("45:02", "1:02:03", "2702") or `duration_in_seconds`; 0: unreadable."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        seconds = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            seconds = int(text)
        else:
            match = _CLOCK.match(text)
            if not match:
                return 0
            hours, minutes, secs = (int(g or 0) for g in match.groups())
            if secs >= 60:
                return 0
            seconds = hours * 3600 + minutes * 60 + secs
    else:
        return 0
    return seconds if 0 < seconds <= MAX_DURATION else 0


def collect_enclosures(
    found: Iterable[tuple[Any, Any, Any, Any]], base: str
) -> tuple[Enclosure, ...]:
    """The entry's enclosures from (address, type, size, duration) as a parser gave them.

    Only http(s) addresses are kept (relative ones resolved against the
    feed), each once; the type is cleaned like any text from the feed.
    """
    kept: list[Enclosure] = []
    seen: set[str] = set()
    for href, kind, length, duration in found:
        if not isinstance(href, str) or len(kept) >= MAX_ENCLOSURES:
            continue
        address = clean_line(urljoin(base, href.strip()) if base else href.strip())
        if not address.lower().startswith(("http://", "https://")) or address in seen:
            continue
        seen.add(address)
        mime = clean_line(kind).lower()[:100] if isinstance(kind, str) else ""
        kept.append(Enclosure(address, mime, parse_length(length), parse_duration(duration)))
    return tuple(kept)


def _duration_text(seconds: int) -> str:
    if not seconds:
        return ""
    minutes = round(seconds / 60)
    if minutes < 1:
        return f"{seconds} s"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _size_text(length: int) -> str:
    if length >= 1_000_000_000:
        return f"{length / 1e9:.1f} GB"
    if length >= 1_000_000:
        return f"{length / 1e6:.1f} MB"
    if length >= 1000:
        return f"{length / 1e3:.0f} kB"
    return f"{length} bytes"
