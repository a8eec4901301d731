"""A real FreshRSS server for the sync tests, from ../shared/servers/freshrss.

Sync code is tested against the real thing, not a mock of it: FreshRSS is
the most used GReader server and its quirks are what a client must survive.
`start.sh` stands one up on 127.0.0.1 in under a second (PHP must be
installed; the tests never run apt-get). The `freshrss` fixture
(conftest.py) gives each test a fresh server; `freshrss_module` shares one
within a module for tests that only read.

Without ../shared/servers/freshrss (a clone elsewhere) or without PHP the
tests are skipped with the reason, or fail when TUI_READER_REQUIRE_SHARED=1
(as CI sets), following tests/shared_data.py.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.shared_data import SHARED, shared_required

SERVER_DIR = SHARED / "servers" / "freshrss"
START = SERVER_DIR / "start.sh"
STOP = SERVER_DIR / "stop.sh"


@dataclass
class FreshRSS:
    """A running FreshRSS instance and how to reach it."""

    url: str  # the web root, http://127.0.0.1:PORT
    greader_url: str  # .../api/greader.php
    user: str
    api_password: str
    workdir: Path
    env: dict[str, str]  # everything freshrss.env says

    def refresh(self) -> bool:
        """Make the server fetch every feed again; True when some feed changed.

        Leave a second between changing a feed and this: FreshRSS caches
        fetches within the same second.
        """
        command = shlex.split(self.env["FRESHRSS_REFRESH_CMD"])
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=_env())
        if result.returncode not in (0, 1):  # 1: no feed changed
            raise RuntimeError(f"FreshRSS refresh failed: {result.stderr.strip()[-500:]}")
        return result.returncode == 0


def unavailable_reason() -> str | None:
    """Why no FreshRSS can be started here, or None when it can."""
    if not START.is_file() or not STOP.is_file():
        return f"needs {SERVER_DIR} (the shared FreshRSS test server), absent here"
    if shutil.which("php") is None:
        return "needs PHP (php-cli php-sqlite3 php-curl php-xml php-mbstring) for FreshRSS"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip the test, or fail it when the shared folder is required (CI)."""
    if shared_required():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _env() -> dict[str, str]:
    """The environment for the scripts: never apt-get, never a proxy for loopback."""
    loopback = "127.0.0.1,localhost,::1"
    return {**os.environ, "FRESHRSS_NO_APT": "1", "no_proxy": loopback, "NO_PROXY": loopback}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _read_env(path: Path) -> dict[str, str]:
    """freshrss.env's KEY=VALUE lines (values may be shell-quoted)."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.startswith("#"):
            words = shlex.split(value)
            values[key.strip()] = words[0] if len(words) == 1 else " ".join(words)
    return values


@contextmanager
def running_freshrss(workdir: Path) -> Iterator[FreshRSS]:
    """Start FreshRSS in `workdir` on a free port, and stop it afterwards.

    Skips (or fails, when required) when it cannot run here.
    """
    reason = unavailable_reason()
    if reason:
        skip_or_fail(reason)
    env = {**_env(), "FRESHRSS_WORKDIR": str(workdir)}
    result: subprocess.CompletedProcess[str] | None = None
    for _ in range(3):  # the free port can be taken between the probe and start.sh
        result = subprocess.run(
            ["bash", str(START), str(_free_port())],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        if result.returncode != 4:  # 4: port in use
            break
    assert result is not None
    if result.returncode == 3:  # PHP extensions missing and no apt-get
        skip_or_fail(f"FreshRSS needs PHP extensions missing here: {result.stderr.strip()[-300:]}")
    if result.returncode != 0:
        raise RuntimeError(f"FreshRSS did not start: {result.stderr.strip()[-1000:]}")
    values = _read_env(workdir / "freshrss.env")
    server = FreshRSS(
        url=values["FRESHRSS_URL"],
        greader_url=values["FRESHRSS_GREADER_URL"],
        user=values["FRESHRSS_USER"],
        api_password=values["FRESHRSS_API_PASSWORD"],
        workdir=workdir,
        env=values,
    )
    try:
        yield server
    finally:
        subprocess.run(["bash", str(STOP), str(workdir)], capture_output=True, timeout=30, env=env)
        shutil.rmtree(workdir / "app", ignore_errors=True)  # keep the logs, drop the copy
