"""Counting words right: "1 new article", "2 new articles", "1 feed".

Imports nothing of the package: any module may use it.
"""

from __future__ import annotations


def counted(count: int, noun: str, plural: str = "") -> str:
    """`count` and `noun`, the noun plural unless the count is 1 ("1 feed", "1,204 feeds").

    Args:
        count: How many.
        noun: The singular, possibly with words before it ("new article").
        plural: The plural when it is not the singular plus "s".
    """
    word = noun if count == 1 else plural or noun + "s"
    return f"{count:,} {word}"
