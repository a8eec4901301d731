"""Podcasts and other enclosures: picking one, playing it, saving it.

The one flow behind the app's play key and `tui-reader play`, and behind
`tui-reader download`. Playing hands the file (the saved copy when
`download` kept one, else its address) to `app.player_command`, or to the
desktop's opener, as one argument: never through a shell, so an address
with `;` or `$(...)` in it is just an address. The player runs on by itself;
nothing waits for it. Imports the library, the enclosure model and the
downloader; never the UI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui_reader.enclosure import Enclosure
from tui_reader.errors import ShownError
from tui_reader.library.store import Store
from tui_reader.network_settings import NetworkSettings

if TYPE_CHECKING:  # the downloader brings httpx: imported when something is downloaded
    from tui_reader.sources.enclosure_download import DownloadResult


class EnclosureError(ShownError):
    """No such enclosure, or the player would not start; one line."""


@dataclass(frozen=True)
class Chosen:
    """An enclosure of a story, with its number (from 1) and where a copy was saved."""

    article_id: str
    number: int
    enclosure: Enclosure
    saved: Path | None  # the file `download` wrote, when it is still there


def choose_enclosure(store: Store, article_id: str, number: int | None = None) -> Chosen:
    """The story's enclosure `number` (from 1); without one, its first audio or video.

    Raises:
        EnclosureError: The story has none, or not that many.
    """
    enclosures = store.enclosures(article_id)
    if not enclosures:
        raise EnclosureError("this story has no enclosure (no podcast episode or file)")
    if number is None:
        number = next((n for n, e in enumerate(enclosures, 1) if e.playable), 1)
    if not 1 <= number <= len(enclosures):
        raise EnclosureError(
            f"this story has {len(enclosures)} enclosure{'s' if len(enclosures) > 1 else ''};"
            f" give a number from 1 to {len(enclosures)}"
        )
    enclosure = enclosures[number - 1]
    saved = store.saved_enclosure(article_id, enclosure.url)
    path = Path(saved) if saved else None
    if path is not None and not path.is_file():
        path = None  # moved or deleted since: play the address again
    return Chosen(article_id, number, enclosure, path)


def default_player() -> tuple[str, ...]:
    """The desktop's opener: `open` on macOS, `xdg-open` elsewhere (Windows: its own)."""
    if sys.platform == "darwin":
        return ("open",)
    return ("xdg-open",)


def player_argv(command: Sequence[str], target: str) -> list[str]:
    """The player's arguments: its own words, then the file or address as one more."""
    return [*(command or default_player()), target]


def play(chosen: Chosen, command: Sequence[str]) -> list[str]:
    """Start the player on the enclosure and leave it running.

    Returns:
        The arguments it was started with (the last is what it plays).

    Raises:
        EnclosureError: The player is not there or would not start.
    """
    target = str(chosen.saved) if chosen.saved is not None else chosen.enclosure.url
    if sys.platform == "win32" and not command:  # pragma: no cover - not tested here
        os.startfile(target)  # type: ignore[attr-defined]
        return [target]
    argv = player_argv(command, target)
    if shutil.which(argv[0]) is None:
        hint = "" if command else '; set app.player_command (like "mpv --no-video")'
        raise EnclosureError(f"no player: {argv[0]!r} was not found{hint}")
    try:
        subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not killed with the app, not reading its keys
        )
    except OSError as exc:
        raise EnclosureError(f"the player {argv[0]!r} could not start ({exc.strerror})") from None
    return argv


def download(
    store: Store,
    chosen: Chosen,
    directory: Path,
    settings: NetworkSettings,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    cancel: threading.Event | None = None,
) -> DownloadResult:
    """Save the enclosure in `directory` and remember where, so playing uses the copy.

    Raises:
        DownloadError: One line; a partial file is kept for resuming.
    """
    from tui_reader.sources.enclosure_download import DownloadPlan, download_enclosure

    enclosure = chosen.enclosure
    plan = DownloadPlan(
        url=enclosure.url, type=enclosure.type, length=enclosure.length, filename=""
    )
    result = download_enclosure(plan, directory, settings, progress=progress, cancel=cancel)
    store.record_saved(chosen.article_id, enclosure.url, str(result.path.resolve()))
    return result
