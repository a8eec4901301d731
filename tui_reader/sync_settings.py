"""The sync account of the config file's [sync] table, read and checked.

A model and its reader: the config hands the table in, and gets back the
account or None with one warning line per problem (a broken account is no
account: nothing is synced, nothing is lost). The password itself is never
kept here: only where to get it. Imports nothing of the package.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

# The server's names for every story, and for the read and starred states.
READING_LIST = "user/-/state/com.google/reading-list"
READ_STATE = "user/-/state/com.google/read"
STARRED_STATE = "user/-/state/com.google/starred"

Server = Literal["freshrss", "miniflux", "other"]
SERVERS: tuple[Server, ...] = ("freshrss", "miniflux", "other")
_KNOWN = {"service", "url", "user", "password_file", "password_command", "server"}


@dataclass(frozen=True)
class SyncSettings:
    """A Google Reader API account: where, who, and how to get the password."""

    url: str  # the API root, e.g. https://rss.example.org/api/greader.php
    user: str
    password_file: Path | None = None
    password_command: tuple[str, ...] = ()  # run without a shell; its first line
    server: Server = "other"  # which server's quirks apply


def read_sync_table(table: Any, where: str, warnings: list[str]) -> SyncSettings | None:
    """The account a [sync] table describes, or None (each problem is one warning)."""
    if not isinstance(table, dict):
        warnings.append(f"{where}: [sync] must be a table; not syncing")
        return None
    for name in table.keys() - _KNOWN:
        warnings.append(f"{where}: unknown setting sync.{name}; ignored")
    problems: list[str] = []
    service = table.get("service", "greader")
    if service != "greader":
        problems.append(f'sync.service = {service!r} is not known (only "greader")')
    url = table.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        problems.append("sync.url must be the server's API URL, starting http:// or https://")
    user = table.get("user")
    if not isinstance(user, str) or not user.strip():
        problems.append("sync.user must name the account")
    password_file = table.get("password_file")
    command = table.get("password_command")
    if (password_file is None) == (command is None):
        problems.append("give one of sync.password_file and sync.password_command")
    elif password_file is not None and (not isinstance(password_file, str) or not password_file):
        problems.append("sync.password_file must be a path")
    argv: tuple[str, ...] = ()
    if command is not None:
        try:
            argv = tuple(shlex.split(command)) if isinstance(command, str) else ()
        except ValueError:
            argv = ()
        if not argv:
            problems.append('sync.password_command must be a command, like "pass show rss"')
    server = table.get("server")
    if server is None:
        server = "freshrss" if isinstance(url, str) and "greader.php" in url else "other"
    elif server not in SERVERS:
        problems.append(f"sync.server must be one of {', '.join(SERVERS)}")
    if problems:
        warnings.append(f"{where}: " + "; ".join(problems) + "; not syncing")
        return None
    assert isinstance(url, str) and isinstance(user, str)
    return SyncSettings(
        url=url.rstrip("/"),
        user=user.strip(),
        password_file=Path(password_file).expanduser() if isinstance(password_file, str) else None,
        password_command=argv,
        server=next(known for known in SERVERS if known == server),
    )
