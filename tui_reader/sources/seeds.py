"""The bundled seed articles, and opening the library with them in it.

A fresh install opens onto content: `open_library` opens the store and
brings in `seeds/` (scraped-text files) whenever they changed. Imports the
library and the scraped-text reader.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tui_reader.library.store import Store
from tui_reader.sources.scraped_text import read_many

_FINGERPRINT_KEY = "seeds_fingerprint"


def sync_seeds(store: Store, seeds_dir: Path) -> int:
    """Import the bundled seeds on first start and whenever they change.

    A fingerprint of the seed files is kept in the settings, so an unchanged
    `seeds/` costs one stat per file and no parsing. An edited seed file's
    new version replaces the old one, keeping read and starred.

    Args:
        store: The library.
        seeds_dir: The bundled seeds directory.

    Returns:
        How many new articles were added.
    """
    files = sorted(seeds_dir.glob("*.txt")) if seeds_dir.is_dir() else []
    fingerprint = hashlib.sha256()
    for file in files:
        stat = file.stat()
        fingerprint.update(f"{file.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    digest = fingerprint.hexdigest()
    if store.get_setting(_FINGERPRINT_KEY) == digest:
        return 0
    seeds = [
        (result.path.name, result.article)
        for result in read_many(files, origin="seed")
        if result.article is not None
    ]
    return store.replace_seeds(seeds, digest, _FINGERPRINT_KEY)


def open_library(data_dir: Path, seeds_dir: Path | None = None) -> Store:
    """Open the library and bring the bundled seeds in.

    Args:
        data_dir: The data directory.
        seeds_dir: Where the seeds are; None skips them.

    Returns:
        The open store.
    """
    store = Store.open(data_dir)
    if seeds_dir is not None:
        sync_seeds(store, seeds_dir)
    return store
