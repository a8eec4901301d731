"""Where tui-reader keeps and finds its files.

Every platform path the program uses is decided here, so tests and the
`--data-dir` option only need to override one place.
Imports the package name only; platformdirs when a default directory is
needed. Run from a bare checkout without it (`python3 -m tui_reader`), the
defaults are the XDG ones platformdirs gives on Linux, so the CLI's library
commands (`list --json`, `mark`, `quota`) still work there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from tui_reader import APP_NAME

DATA_DIR_ENV = "TUI_READER_DATA_DIR"
CONFIG_ENV = "TUI_READER_CONFIG"
DATABASE_NAME = "library.sqlite3"

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_directory(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory (not created here).

    Args:
        override: A directory given on the command line; wins over everything.

    Returns:
        The `--data-dir` value, else `$TUI_READER_DATA_DIR`, else the platform's
        user data dir for tui-reader.
    """
    if override:
        return Path(override).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return _user_dir("data")


def database_path(data_dir: Path) -> Path:
    """Return the path of the SQLite library inside `data_dir`."""
    return data_dir / DATABASE_NAME


def config_file(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the path of the TOML config file (it need not exist).

    Args:
        override: A file given on the command line; wins over everything.

    Returns:
        The `--config` value, else `$TUI_READER_CONFIG`, else `config.toml` in
        the platform's user config dir for tui-reader.
    """
    if override:
        return Path(override).expanduser()
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    return _user_dir("config") / "config.toml"


# Without platformdirs: the XDG variable and its default under the home folder.
_XDG = {"data": ("XDG_DATA_HOME", ".local/share"), "config": ("XDG_CONFIG_HOME", ".config")}


def _user_dir(kind: Literal["data", "config"]) -> Path:
    """The platform's user data or config dir for tui-reader (platformdirs decides)."""
    try:
        import platformdirs
    except ImportError:  # a bare checkout: the XDG default, as platformdirs has on Linux
        variable, fallback = _XDG[kind]
        return Path(os.environ.get(variable) or Path.home() / fallback) / APP_NAME
    find = platformdirs.user_data_dir if kind == "data" else platformdirs.user_config_dir
    return Path(find(APP_NAME, appauthor=False))


def images_directory(data_dir: Path) -> Path:
    """The articles' picture cache, inside the data dir."""
    return data_dir / "images"


def downloads_directory() -> Path:
    """Where `download` saves enclosures by default: a tui-reader folder in the
    user's downloads folder (platformdirs: XDG_DOWNLOAD_DIR, else ~/Downloads)."""
    try:
        import platformdirs
    except ImportError:  # a bare checkout
        return Path.home() / "Downloads" / APP_NAME
    return Path(platformdirs.user_downloads_dir()) / APP_NAME


def config_file_is_explicit(override: str | os.PathLike[str] | None = None) -> bool:
    """Whether the user named the config file (so a missing one is a mistake)."""
    return bool(override or os.environ.get(CONFIG_ENV))


def _bundled(name: str) -> Path:
    # Installed from a wheel, styles/ and seeds/ live inside the package; in a
    # checkout or an editable install they sit beside it at the top level.
    inside = _PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / name


def styles_directory() -> Path:
    """Return the directory holding the app's `.tcss` files."""
    return _bundled("styles")


def seeds_directory() -> Path:
    """Return the directory holding the bundled seed articles."""
    return _bundled("seeds")
