"""A client for the Google Reader API ("GReader") that FreshRSS, Miniflux and others speak.

Sync with a feed server reads its subscriptions and items and sends back
what the reader changed (read, starred, folders). This module only speaks
the protocol: it logs in (ClientLogin), keeps the Auth token in a file so
a later run skips the login, renews it when the server says it is stale
(once per call), and turns every failure (no connection, TLS, a 5xx, a URL
that is no GReader endpoint, bad JSON, a refused password) into one
`GReaderError` line. The password and the Auth token never appear in a
message; server text in one is sanitized and cut short.

Per-server differences are small switches in `Quirks`, not forks of the
code. Imports `errors`, `sanitize`, `sources.http` (for the URL check) and
the vocabulary of `greader_model`.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from tui_reader.sanitize import clean_line
from tui_reader.sources.greader_model import (
    CONTENTS_BATCH,
    EDIT_BATCH,
    FEED_FULLWIDTH,
    MAX_PAGES,
    GReaderAuthError,
    GReaderError,
    Quirks,
    RawPage,
    ServerFeed,
    ServerItem,
    as_int,
    as_str,
    decode_item_id,
    item_from_entry,
    label_of,
    label_stream,
    long_item_id,
    network_reason,
    server_text,
    shown_url,
)
from tui_reader.sources.http import FetchError, check_url


class GReaderClient:
    """One account on one GReader server.

    Args:
        http: The shared client (timeouts and limits are its own).
        url: The API's base, e.g. `https://rss.example.org/api/greader.php`.
        user: The account name (ClientLogin's `Email`).
        password: Gives the API password when a login needs it (so it can
            come from a keyring, and is not held longer than needed).
        token_file: Where the Auth token is kept between runs (mode 0600).
        quirks: The server's small differences.

    Raises:
        GReaderError: When `url` is not an http(s) URL.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        url: str,
        user: str,
        password: Callable[[], str],
        *,
        token_file: Path | None = None,
        quirks: Quirks | None = None,
    ) -> None:
        try:
            checked = check_url(url)
        except FetchError as exc:
            raise GReaderError(f"sync: {exc}") from None
        self.http = http
        self.url = checked.rstrip("/")
        self.user = user
        self.quirks = quirks or Quirks()
        self.token_file = token_file
        self._password = password
        self._auth: str | None = None
        self._edit_token: str | None = None
        self._shown = shown_url(self.url)

    # ------------------------------------------------------------ login

    async def login(self) -> None:
        """Log in with ClientLogin and keep the Auth token (in `token_file` too).

        Raises:
            GReaderAuthError: The server refused the name or password.
            GReaderError: No answer, or the URL is no GReader endpoint.
        """
        self._auth = None
        self._edit_token = None
        password = self._password()
        endpoint = f"{self.url}/accounts/ClientLogin"
        try:
            response = await self.http.post(endpoint, data={"Email": self.user, "Passwd": password})
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            raise GReaderError(f"sync: cannot reach {self._shown}: {network_reason(exc)}") from None
        status = response.status_code
        if status in (401, 403):
            raise GReaderAuthError(f"sync: the server refused user {self.user}'s password")
        if status >= 500 and status != 501:  # 501: a plain web server that takes no POST
            raise GReaderError(self._status_message(response, "the login", (password,)))
        auth = None
        if status == 200:
            for line in response.text.splitlines():
                if line.startswith("Auth="):
                    auth = line.removeprefix("Auth=").strip()
        if not auth:
            raise GReaderError(
                f"sync: {self._shown} is not a Google Reader API endpoint"
                f" ({self._not_greader_reason(response)})"
            )
        self._auth = auth
        self._save_token(auth)

    def _not_greader_reason(self, response: httpx.Response) -> str:
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        status = response.status_code
        if status != 200:
            return f"HTTP {status} {clean_line(response.reason_phrase)} at accounts/ClientLogin"
        if content_type in ("text/html", "application/xhtml+xml"):
            return "its login answer is an HTML page"
        return "its login answer has no Auth token"

    def _load_token(self) -> str | None:
        """The Auth token kept for this server and user, or None (no file, or not ours)."""
        if self.token_file is None:
            return None
        try:
            data = json.loads(self.token_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("url") != self.url:
            return None
        if data.get("user") != self.user or not isinstance(data.get("auth"), str):
            return None
        auth = clean_line(data["auth"])
        return auth or None

    def _save_token(self, auth: str) -> None:
        """Replace the token file atomically; only its owner may read it (0600).

        A token file that cannot be written only costs a login next time, so
        a failure here is not an error.
        """
        if self.token_file is None:
            return
        body = json.dumps({"url": self.url, "user": self.user, "auth": auth})
        directory = self.token_file.parent
        temporary: str | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor, temporary = tempfile.mkstemp(
                prefix=f".{self.token_file.name}.", suffix=".tmp", dir=directory
            )
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:  # mkstemp: 0600
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.token_file)
            temporary = None
        except OSError:
            pass
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    async def _ensure_auth(self) -> None:
        if self._auth is None:
            self._auth = self._load_token()
        if self._auth is None:
            await self.login()

    # ------------------------------------------------------------ requests

    def _status_message(
        self, response: httpx.Response, what: str, secrets: Iterable[str] = ()
    ) -> str:
        status = response.status_code
        reason = clean_line(response.reason_phrase)
        said = ""
        content_type = response.headers.get("content-type", "").lower()
        if "html" not in content_type:
            said = server_text(response.text, [*secrets, self._auth or ""])
        head = f"sync: {self._shown} answered HTTP {status} {reason}".rstrip()
        return f"{head} to {what}" + (f": {said}" if said and said != reason else "")

    async def _request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        form: Sequence[tuple[str, str]] | None = None,
        edit: bool = False,
        renewed: list[bool],
    ) -> httpx.Response:
        """One authorized call; a 401 logs in again once per public call (`renewed`).

        `edit` adds the edit token (`T`) to the form: a stale one is a 401 as well.
        """
        await self._ensure_auth()
        while True:
            body = list(form) if form is not None else None
            if edit:
                body = [*(body or []), ("T", await self._token(renewed))]
            response = await self._send(method, path, what, params, body)
            if response.status_code == 401:
                if renewed[0]:
                    raise GReaderAuthError(
                        f"sync: {self._shown} refused user {self.user}'s login token"
                        f" for {what} even after logging in again"
                    )
                renewed[0] = True
                await self.login()
                continue
            if response.status_code >= 400:
                raise GReaderError(self._status_message(response, what))
            if not 200 <= response.status_code < 300:
                raise GReaderError(self._status_message(response, what))
            return response

    async def _send(
        self,
        method: str,
        path: str,
        what: str,
        params: Sequence[tuple[str, str]],
        form: list[tuple[str, str]] | None,
    ) -> httpx.Response:
        headers = {"Authorization": f"GoogleLogin auth={self._auth}"}
        content = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            content = urlencode(form).encode()
        try:
            return await self.http.request(
                method,
                f"{self.url}/{path}",
                params=list(params),
                content=content,
                headers=headers,
            )
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            raise GReaderError(
                f"sync: cannot reach {self._shown} for {what}: {network_reason(exc)}"
            ) from None

    async def _token(self, renewed: list[bool]) -> str:
        """The edit token (`reader/api/0/token`), fetched once per login."""
        if self._edit_token is None:
            response = await self._request(
                "GET", "reader/api/0/token", "the edit token", renewed=renewed
            )
            token = response.text.strip()
            if not token or len(token) > 1000 or "<" in token:
                raise GReaderError(f"sync: {self._shown} sent no usable edit token")
            self._edit_token = token
        return self._edit_token

    async def _json(
        self,
        path: str,
        what: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        form: Sequence[tuple[str, str]] | None = None,
        edit: bool = False,
        renewed: list[bool],
    ) -> dict[str, Any]:
        method = "GET" if form is None else "POST"
        response = await self._request(
            method, path, what, params=params, form=form, edit=edit, renewed=renewed
        )
        try:
            data = json.loads(response.content)
        except ValueError:
            raise GReaderError(
                f"sync: {self._shown} sent an answer to {what} that is not valid JSON"
            ) from None
        if not isinstance(data, dict):
            raise GReaderError(
                f"sync: {self._shown} sent an answer to {what} that is not a JSON object"
            )
        return data

    def _wire_id(self, item_id: int) -> str:
        return long_item_id(item_id) if self.quirks.long_item_ids else str(item_id)

    # ------------------------------------------------------------ reading

    async def subscriptions(self) -> list[ServerFeed]:
        """Every subscription, with its folders (labels)."""
        data = await self._json(
            "reader/api/0/subscription/list",
            "subscription/list",
            params=[("output", "json")],
            renewed=[False],
        )
        entries = data.get("subscriptions")
        if not isinstance(entries, list):
            raise GReaderError(f"sync: {self._shown} sent a subscription list without a list")
        feeds: list[ServerFeed] = []
        for entry in entries:
            if not isinstance(entry, dict) or not as_str(entry.get("id")):
                continue
            folders: list[str] = []
            for category in entry.get("categories") or []:
                if not isinstance(category, dict):
                    continue
                name = label_of(as_str(category.get("id"))) or None
                if name is None and as_str(category.get("label")):
                    name = as_str(category.get("label"))
                if name and name not in folders:
                    folders.append(clean_line(name))
            title = as_str(entry.get("title"))
            if self.quirks.fullwidth_titles:
                title = title.translate(FEED_FULLWIDTH)
            feeds.append(
                ServerFeed(
                    stream_id=as_str(entry["id"]),
                    url=as_str(entry.get("url")),
                    title=clean_line(title),
                    site_url=as_str(entry.get("htmlUrl")),
                    folders=tuple(folders),
                )
            )
        return feeds

    async def item_ids(
        self,
        stream: str,
        *,
        exclude: str | None = None,
        include: str | None = None,
        newer_than: int | None = None,
        count: int = 10_000,
    ) -> list[int]:
        """The ids of a stream's items, newest first, following continuations to the end.

        Args:
            stream: `READING_LIST`, `STARRED`, `feed/1`, `user/-/label/X`.
            exclude: A tag the items must not have (`xt`), e.g. READ for unread.
            include: A tag the items must have (`it`), e.g. READ for read ones.
            newer_than: Only items newer than this Unix time in seconds (`ot`).
                FreshRSS compares it with the item's own date, not its crawl
                time, so an old article fetched today is left out.
            count: Ids per page (`n`).
        """
        params = [("s", stream), ("n", str(count))]
        if exclude:
            params.append(("xt", exclude))
        if include:
            params.append(("it", include))
        if newer_than is not None:
            params.append(("ot", str(newer_than)))
        ids: list[int] = []
        seen: set[int] = set()
        continuation: str | None = None
        renewed = [False]
        for _ in range(MAX_PAGES):
            page = params + ([("c", continuation)] if continuation else [])
            data = await self._json(
                "reader/api/0/stream/items/ids", "stream/items/ids", params=page, renewed=renewed
            )
            refs = data.get("itemRefs") or []
            if not isinstance(refs, list):
                raise GReaderError(f"sync: {self._shown} sent item ids that are not a list")
            fresh = 0
            for ref in refs:
                value = ref.get("id") if isinstance(ref, dict) else None
                try:
                    item_id = decode_item_id(value)
                except ValueError:
                    raise GReaderError(
                        f"sync: {self._shown} sent an unreadable item id: {server_text(str(value))}"
                    ) from None
                if item_id not in seen:
                    seen.add(item_id)
                    ids.append(item_id)
                    fresh += 1
            next_continuation = data.get("continuation")
            if not refs or not fresh or not next_continuation:
                break
            if str(next_continuation) == continuation:
                break
            continuation = str(next_continuation)
        return ids

    async def contents(self, ids: Sequence[int]) -> list[ServerItem]:
        """The items with these ids (in batches of `CONTENTS_BATCH`); unknown ids are left out."""
        items: list[ServerItem] = []
        renewed = [False]
        for start in range(0, len(ids), CONTENTS_BATCH):
            batch = ids[start : start + CONTENTS_BATCH]
            data = await self._json(
                "reader/api/0/stream/items/contents",
                f"stream/items/contents ({len(batch)} items)",
                form=[("i", self._wire_id(item_id)) for item_id in batch],
                renewed=renewed,
            )
            items.extend(self._items(data, "stream/items/contents"))
        return items

    async def stream_contents(
        self, stream: str, *, newer_than: int | None = None, count: int = 1000
    ) -> AsyncIterator[list[ServerItem]]:
        """A stream's items page by page (`stream/contents`), newest first."""
        async for page in self.stream_pages(stream, newer_than=newer_than, count=count):
            items = self.items_of(page)
            if items:
                yield items

    async def stream_pages(
        self, stream: str, *, newer_than: int | None = None, count: int = 1000
    ) -> AsyncIterator[RawPage]:
        """A stream's pages (`stream/contents`) as the server sent them, newest first.

        For first syncs and benchmarks: one request a page rather than ids
        and then contents. The next page is asked for as soon as this one's
        continuation is known (read off the end of the answer, where servers
        put it), before this one is parsed: the server builds it while the
        caller parses and stores this one (`items_of`, in a thread).
        `newer_than` is a Unix time in seconds (`ot`).
        """
        params = [("n", str(count))]
        if newer_than is not None:
            params.append(("ot", str(newer_than)))
        path = "reader/api/0/stream/contents/" + quote(stream, safe="/-")
        renewed = [False]

        def fetch(continuation: str | None) -> asyncio.Task[httpx.Response]:
            page = params + ([("c", continuation)] if continuation else [])
            return asyncio.ensure_future(
                self._request("GET", path, "stream/contents", params=page, renewed=renewed)
            )

        pending: asyncio.Task[httpx.Response] | None = fetch(None)
        continuation: str | None = None
        try:
            for _ in range(MAX_PAGES):
                assert pending is not None
                response, pending = await pending, None
                page = RawPage(response.content, self._shown)
                next_continuation, more = page.continuation()
                if more and next_continuation and next_continuation != continuation:
                    continuation = next_continuation
                    pending = fetch(continuation)
                if not page.known_empty():
                    yield page
                if pending is None:
                    return
        finally:
            if pending is not None:  # the caller stopped early, or a page failed
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, GReaderError):
                    await pending

    def items_of(self, page: RawPage) -> list[ServerItem]:
        """A page's items as stories (parsing it if not yet); safe in a thread."""
        what = "stream/contents"
        entries = self._entries(page.data(), what)
        return [item_from_entry(entry, what, self._shown, self.quirks) for entry in entries]

    def _entries(self, data: dict[str, Any], what: str) -> list[dict[str, Any]]:
        entries = data.get("items")
        if entries is None:
            return []
        if not isinstance(entries, list):
            raise GReaderError(f"sync: {self._shown} sent {what} items that are not a list")
        return [entry for entry in entries if isinstance(entry, dict)]

    def _items(self, data: dict[str, Any], what: str) -> list[ServerItem]:
        entries = self._entries(data, what)
        return [item_from_entry(entry, what, self._shown, self.quirks) for entry in entries]

    # ------------------------------------------------------------ changing

    async def edit_tag(
        self, ids: Sequence[int], *, add: str | None = None, remove: str | None = None
    ) -> None:
        """Add and/or remove a tag (READ, STARRED, a label) on items, in batches."""
        if not add and not remove:
            return
        tags = ([("a", add)] if add else []) + ([("r", remove)] if remove else [])
        renewed = [False]
        for start in range(0, len(ids), EDIT_BATCH):
            batch = ids[start : start + EDIT_BATCH]
            await self._request(
                "POST",
                "reader/api/0/edit-tag",
                f"edit-tag ({len(batch)} items)",
                form=[*(("i", self._wire_id(item_id)) for item_id in batch), *tags],
                edit=True,
                renewed=renewed,
            )

    async def mark_all_as_read(self, stream: str, ts_us: int) -> None:
        """Mark a stream's items read up to `ts_us` (microseconds; newer ones stay unread)."""
        await self._request(
            "POST",
            "reader/api/0/mark-all-as-read",
            "mark-all-as-read",
            form=[("s", stream), ("ts", str(ts_us))],
            edit=True,
            renewed=[False],
        )

    async def quickadd(self, url: str) -> str:
        """Subscribe to a feed URL; returns the new stream id (`feed/7`).

        Raises:
            GReaderError: With the server's reason when it could not (HTTP 200,
                `numResults: 0`: a feed that fails, one already there).
        """
        data = await self._json(
            "reader/api/0/subscription/quickadd",
            "subscription/quickadd",
            form=[("quickadd", url)],
            edit=True,
            renewed=[False],
        )
        stream_id = as_str(data.get("streamId"))
        if as_int(data.get("numResults")) == 0 or not stream_id:
            reason = server_text(html.unescape(as_str(data.get("error")))) or "no reason given"
            raise GReaderError(f"sync: the server could not subscribe to {url}: {reason}")
        return stream_id

    async def edit_subscription(
        self,
        stream: str,
        *,
        action: str,
        title: str | None = None,
        add_label: str | None = None,
        remove_label: str | None = None,
    ) -> None:
        """Subscribe, unsubscribe or edit (`ac=`) a feed: its title and folders.

        `add_label` and `remove_label` take a folder name or a full label id.
        """
        if action not in ("subscribe", "unsubscribe", "edit"):
            raise ValueError(f"unknown subscription action: {action}")
        form = [("ac", action), ("s", stream)]
        if title is not None:
            form.append(("t", title))
        if add_label:
            form.append(("a", label_stream(add_label)))
        if remove_label:
            form.append(("r", label_stream(remove_label)))
        await self._request(
            "POST",
            "reader/api/0/subscription/edit",
            f"subscription/edit ({action})",
            form=form,
            edit=True,
            renewed=[False],
        )
