"""Sources: outside bytes in, articles out.

HTTP with limits (`http`), feed parsing (`feed_parser`), refresh and
subscribe, web pages and their extraction, OPML, scraped text, local files
and the bundled seeds. Sources use the library to store what they bring;
they never import the UI.
"""
