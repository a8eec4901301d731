"""HTTP for every source: URL checks, the shared client, and a fetch with limits.

One `httpx.AsyncClient` serves a whole refresh: keep-alive, connect/read/total
timeouts and a cap on response size that stops reading. Conditional GET
(ETag, Last-Modified) makes an unchanged feed cost one short request. Every
failure becomes a `FetchError` with a one-line reason. Imports the network
settings, `errors`, `sanitize` and the package's name and version only.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from tui_reader import APP_NAME, __version__
from tui_reader.errors import ShownError, one_line
from tui_reader.feed_urls import normalise_feed_url
from tui_reader.network_settings import NetworkSettings
from tui_reader.sanitize import clean_line

USER_AGENT = f"{APP_NAME}/{__version__} (terminal news reader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.8, text/xml;q=0.8, text/html;q=0.5, */*;q=0.1"
)


class FetchError(ShownError):
    """A fetch failed; the message is one line for the user.

    `unreached` is True when no HTTP answer came because the connection or
    its TLS handshake failed (not a DNS failure, which another scheme cannot
    mend): then a URL typed without a scheme is worth trying over http://.
    `retry_after` is the server's Retry-After header on a 429 or 503.
    """

    def __init__(
        self, message: str, *, unreached: bool = False, retry_after: str | None = None
    ) -> None:
        super().__init__(message)
        self.unreached = unreached
        self.retry_after = retry_after


# What a URL typed without a scheme starts with: a host name with a dot, an
# IPv4 or [IPv6] address, or `localhost`, maybe with a port, then a path or
# nothing. `mailto:x@y` or `news:comp.lang` do not look like this.
_SCHEMELESS = re.compile(
    r"(?:[\w-]+(?:\.[\w-]+)+|\[[0-9A-Fa-f:.]+\]|localhost)(?::\d{1,5})?(?:[/?#]|$)",
    re.IGNORECASE,
)


@dataclass
class Fetched:
    """A response worth looking at (2xx or 304)."""

    status: int
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    final_url: str
    permanent_redirect: bool
    cache_control: str | None = None  # the answer's Cache-Control (max-age: see politeness)


def has_no_scheme(url: str) -> bool:
    """Whether `url` was typed without a scheme: `example.com/feed`, `127.0.0.1:8765/rss.xml`."""
    url = clean_line(url)
    return "://" not in url and " " not in url and bool(_SCHEMELESS.match(url))


def check_url(url: str) -> str:
    """Accept an http(s) URL in its normal spelling (`normalise_feed_url`).

    A URL typed without a scheme gets https:// (`url_candidates` also offers
    http://); `feed://` and `feed:https://` are read as the URLs they wrap.

    Raises:
        FetchError: For anything that is not an http or https URL.
    """
    url = clean_line(url)
    if has_no_scheme(url):
        url = "https://" + url
    url = normalise_feed_url(url)
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is no number
    except ValueError:
        raise FetchError(f"not a valid URL: {url}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url}")
    return url


def url_candidates(url: str) -> list[str]:
    """The URLs to try, in order, for what the user typed.

    One checked URL; for one typed without a scheme, https:// and then
    http:// (the caller tries http:// only when https:// could not connect).

    Raises:
        FetchError: For anything that is not an http or https URL.
    """
    checked = check_url(url)
    if has_no_scheme(url):
        return [checked, "http://" + checked.removeprefix("https://")]
    return [checked]


async def fetch_typed(
    client: httpx.AsyncClient, url: str, settings: NetworkSettings, *, accept: str | None = None
) -> tuple[str, Fetched]:
    """Fetch a URL as the user typed it: without a scheme, https:// then http://.

    Returns:
        The URL that answered (checked and normalised, before any redirect)
        and its response.

    http:// is tried only when https:// got no HTTP answer (refused, TLS
    failed, timed out connecting); an HTTP error over https is the answer.

    Raises:
        FetchError: Not an http(s) URL, or every candidate failed; for a URL
            typed without a scheme the message says to add one.
    """
    candidates = url_candidates(url)
    failures: list[str] = []
    for candidate in candidates:
        try:
            return candidate, await fetch(client, candidate, settings, accept=accept)
        except FetchError as exc:
            if len(candidates) == 1 or not exc.unreached:
                raise  # a typed scheme, or a server that answered: that is the answer
            failures.append(f"{candidate.split(':', 1)[0]}:// ({exc})")
    raise FetchError(f"tried {' and '.join(failures)}; add http:// or https:// to the URL")


def make_client(settings: NetworkSettings) -> httpx.AsyncClient:
    """The one client a refresh shares (keep-alive across feeds of a host)."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        timeout=httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.total_timeout,
        ),
        limits=httpx.Limits(
            max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
        ),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
    )


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it, innermost last (httpx wraps OS errors)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _explain(exc: Exception, settings: NetworkSettings) -> str:
    """Say in one line why a request failed."""
    text = clean_line(str(exc))
    if isinstance(exc, httpx.TooManyRedirects):
        return f"too many redirects (more than {settings.max_redirects})"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection timed out after {settings.connect_timeout:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"server stopped sending for {settings.read_timeout:g} s (read timeout)"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out: {text}"
    if isinstance(exc, httpx.ConnectError):
        for cause in _causes(exc):
            if isinstance(cause, ConnectionRefusedError):
                return "connection refused"
            if isinstance(cause, ssl.SSLCertVerificationError):
                reason = clean_line(str(cause.verify_message or cause.reason or "not trusted"))
                return f"TLS error: certificate {reason}"
            if isinstance(cause, ssl.SSLError):
                return _tls_error(cause)
            if isinstance(cause, socket.gaierror):
                return "host name not found (DNS)"
        lowered = text.lower()
        if "ssl" in lowered or "certificate" in lowered:
            return f"TLS error: {text}"
        if "name or service not known" in lowered or "nodename" in lowered or "resolve" in lowered:
            return "host name not found (DNS)"
        if "refused" in lowered:
            return "connection refused"
        return f"cannot connect: {text}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return f"connection broken mid-response: {text or 'reset by the server'}"
    if isinstance(exc, httpx.HTTPError):
        return f"network error: {text}"
    return f"{type(exc).__name__}: {text}"


def _tls_error(error: ssl.SSLError) -> str:
    """A failed TLS handshake in words, without OpenSSL's `[SSL: X] ... (_ssl.c:1006)`."""
    reason = str(error.reason or "").replace("_", " ").lower()
    text = reason or clean_line(re.sub(r"\[SSL: [A-Z_]+\]|\(_ssl\.c:\d+\)", "", str(error)))
    if error.reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"):
        return f"TLS error: {text} (the server does not speak https; try http://)"
    return f"TLS error: {text or 'handshake failed'}"


def _unreached(exc: BaseException) -> bool:
    """Whether the request failed before any HTTP answer, for a reason other than DNS."""
    if isinstance(exc, httpx.ConnectTimeout):
        return True
    if isinstance(exc, httpx.ConnectError):
        return not any(isinstance(cause, socket.gaierror) for cause in _causes(exc))
    return False


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    settings: NetworkSettings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
) -> Fetched:
    """GET a URL conditionally, reading at most `settings.max_bytes`.

    Args:
        client: The shared client.
        url: What to get.
        settings: Limits and timeouts.
        etag: Sent as If-None-Match.
        last_modified: Sent as If-Modified-Since.
        accept: An Accept header in place of the client's (feeds first).

    Returns:
        The response (2xx, or 304 with an empty body).

    Raises:
        FetchError: For any failure, with a one-line reason.
    """
    headers = {"Accept": accept} if accept else {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(settings.total_timeout):
            async with client.stream("GET", url, headers=headers) as response:
                return await _read(response, settings)
    except FetchError:
        raise
    except TimeoutError:
        raise FetchError(f"took longer than {settings.total_timeout:g} s in all") from None
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        raise FetchError(_explain(exc, settings), unreached=_unreached(exc)) from None
    except (UnicodeError, ValueError) as exc:  # e.g. an invalid IDN host ("xn--zz")
        raise FetchError(f"invalid URL ({one_line(exc)})") from None


async def _read(response: httpx.Response, settings: NetworkSettings) -> Fetched:
    history = response.history
    permanent = bool(history) and all(r.status_code in (301, 308) for r in history)
    status = response.status_code
    if status >= 400:
        asked = response.headers.get("retry-after") if status in (429, 503) else None
        raise FetchError(
            f"HTTP {status} {clean_line(response.reason_phrase)}".rstrip(), retry_after=asked
        )
    if status != 304 and not 200 <= status < 300:
        raise FetchError(f"unexpected HTTP {status}")
    cap = settings.max_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchError(f"response too large ({_megabytes(int(declared))}, cap {_megabytes(cap)})")
    chunks: list[bytes] = []
    size = 0
    if status != 304:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(f"response larger than {_megabytes(cap)}; stopped reading")
            chunks.append(chunk)
    return Fetched(
        status=status,
        body=b"".join(chunks),
        content_type=response.headers.get("content-type", ""),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        final_url=str(response.url),
        permanent_redirect=permanent,
        cache_control=response.headers.get("cache-control"),
    )
