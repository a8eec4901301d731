"""One spelling for each feed URL, so a feed is recognised however it was typed.

`HTTP://Example.COM:80/rss.xml`, `feed://example.com/rss.xml` and
`http://example.com/rss.xml` name the same feed; comparing them as typed would
subscribe to it twice (and store every article twice). `normalise_feed_url` is
the one place that decides the spelling: the library compares and stores with
it, the sources fetch with it, OPML import and the config file go through it.
Pure, and imports nothing of the package (it sits with `sanitize` at the
bottom of the layers, below the library).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_feed_url(url: str) -> str:
    """The canonical spelling of a feed URL; anything not http(s) comes back as given.

    Lower-cases the scheme and the host, drops the default port (`:80` for
    http, `:443` for https), gives an empty path its `/`, and maps the
    `feed:` forms some sites and browsers use to the URL they wrap:
    `feed://host/x` is `http://host/x`, `feed:https://host/x` is
    `https://host/x`. The path, query and fragment are kept exactly (a server
    may tell them apart by case). Never raises: a URL it cannot read is
    returned stripped, for the caller's own check to refuse.
    """
    url = url.strip()
    lowered = url.lower()
    if lowered.startswith("feed:"):
        rest = url[len("feed:") :]
        if rest.lower().startswith(("http://", "https://")):
            url = rest
        elif rest.startswith("//"):
            url = "http:" + rest
        else:
            return url  # `feed:` with nothing usable after it
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return url
        port = parts.port
    except ValueError:  # a bad port or a broken IPv6 literal
        return url
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))
