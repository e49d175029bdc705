"""Small text helpers shared by the page parsers."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode


def squash(text: str | None) -> str | None:
    """Collapses runs of whitespace; empty becomes None."""
    if text is None:
        return None
    return " ".join(text.split()) or None


def node_text(node: LexborNode | None) -> str | None:
    return None if node is None else squash(node.text(deep=True))


def strip_query(url: str | None) -> str | None:
    """Drops tracking query strings (?trk=...) and fragments from a link."""
    if not url:
        return None
    url = url.strip()
    if not url.startswith(("https://", "http://")):
        return None
    return url.split("#", 1)[0].split("?", 1)[0]


def first_int(text: str | None) -> int | None:
    if not text:
        return None
    m = re.search(r"\d[\d,.\u202f\u00a0]*", text)
    if not m:
        return None
    digits = re.sub(r"\D", "", m.group(0))
    return int(digits) if digits else None
