"""Skills matched as whole tokens against the vocabulary in skills.txt.

All aliases compile into one trie-shaped regex run over the lower-cased text, so a whole
description is scanned in one pass; words like "Go", "R" or "Spring" must also match in
their exact spelling."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).with_name("skills.txt")
# Token characters: an alias must not sit inside a longer token ("Go" in "Google", "C" in
# "C++", "R" in "R&D"). A leading "." is allowed so glued text ("degree.Python") still matches.
_BEFORE = r"(?<![\w+#&/-])"
_AFTER = r"(?![\w+#&]|\.\w|'\w|’\w)"
# Exact-case words must also not run on with a hyphen ("C-suite", "Go-to").
_EXACT_AFTER = re.compile(r"-\w")
# Exact-case words that are also verbs or letters in prose: "Go to", "Series C".
_PROSE_AFTER = re.compile(r"\s+(?:to|ahead|beyond|live|further|back|through|get|for it)\b")
_PROSE_BEFORE = re.compile(r"(?:Series|Vitamin|Plan|Grade|Level|Type|Part|Section|Tier)\s+$")


def _trie_regex(words: list[str]) -> str:
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = []
        optional = "" in node
        for ch in sorted(k for k in node if k):
            branches.append(re.escape(ch) + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if optional else body

    return emit(trie)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[re.Pattern[str], dict[str, tuple[str, str | None]]]:
    """One trie regex over lower-cased text (much faster than re.IGNORECASE), and for each
    lower-cased alias its canonical name and, for exact-case aliases, the required spelling."""
    entries: dict[str, tuple[str, str | None]] = {}
    for line in VOCABULARY_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        aliases = [a.strip() for a in line.split("|") if a.strip()]
        canonical = aliases[0].lstrip("=")
        for alias in aliases:
            name = alias.lstrip("=")
            # Short all-capital acronyms (AR, SOC, IAM, CAN) are words in lower case.
            exact = alias.startswith("=") or (len(name) <= 4 and name.upper() == name)
            key = name.lower()
            if key not in entries or (entries[key][1] is not None and not exact):
                entries[key] = (canonical, name if exact else None)
    pattern = re.compile(_BEFORE + "(" + _trie_regex(list(entries)) + ")" + _AFTER)
    return pattern, entries


def vocabulary_size() -> int:
    _, entries = _vocabulary()
    return len({canonical for canonical, _ in entries.values()})


def _lower(text: str) -> str:
    lower = text.lower()
    if len(lower) != len(text):  # a few Unicode letters grow when lower-cased
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lower


def extract_skills(*texts: str | None) -> list[str]:
    """Canonical skill names found in the texts, in order of first appearance."""
    pattern, entries = _vocabulary()
    found: dict[str, int] = {}
    offset = 0
    for text in texts:
        if not text:
            continue
        for m in pattern.finditer(_lower(text)):
            canonical, exact = entries[m.group(1)]
            start, end = m.span()
            if exact is not None and not _exact_ok(text, exact, start, end):
                continue
            if canonical not in found:
                found[canonical] = offset + start
        offset += len(text) + 1
    return sorted(found, key=found.__getitem__)


def _exact_ok(text: str, exact: str, start: int, end: int) -> bool:
    if text[start:end] != exact:
        return False
    if _EXACT_AFTER.match(text, end):
        return False
    # Words like "Go" or "C" in prose: "Go to", "Series C".
    prose = _PROSE_AFTER.match(text, end) or _PROSE_BEFORE.search(text, max(0, start - 12), start)
    return not (prose and (len(exact) <= 2 or exact.isalpha()))


def canonical_skill(name: str) -> str | None:
    """The vocabulary name for a name or alias a person typed ("k8s", "postgres", "go"),
    in any case; None when the vocabulary does not know it."""
    _, entries = _vocabulary()
    found = entries.get(_lower(name.strip()))
    return found[0] if found else None


def vocabulary_names() -> list[str]:
    _, entries = _vocabulary()
    return sorted({canonical for canonical, _ in entries.values()}, key=str.casefold)
