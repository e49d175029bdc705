"""One pay range out of several: tables by location or zone, ladders by level.

A row is named by the text just before it ("US Zone 2:", "Seattle, WA is") or by a "for X"
just after it ("$274,800 - $313,600 for Distinguished Engineer"). The posting's own row is
used when its location (or remote work) and its title's level name one; otherwise the
envelope of the rows, the lowest minimum to the highest maximum. `SalaryRange.basis`
says which rule gave the figure.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from shared.extraction.location import PLACE_NAME, fold_accents, region_code, split_location
from shared.extraction.models import SalaryRange

# How far before a range its label is read (never past the previous range).
_LABEL_CHARS = 200
# The level words of a label are read from its end only: prose further back names levels too.
_LEVEL_LABEL_CHARS = 60
_TAIL = re.compile(
    r"\s*for\s+(?:the\s+|an?\s+)?(?P<label>[^;:$\n]{1,60}?)"
    r"(?=\s*(?:[;:$\n]|\.(?:\s|$)|$)|(?<=[a-z])[A-Z])"
)
_LEVEL = re.compile(
    r"\b(?:(?i:intern|junior|jr|associate|intermediate|experienced|senior|sr|staff|principal|"
    r"lead|distinguished|fellow|entry|mid)|(?i:level|grade|band)\s*\d+|L\d|IC\d|P\d|"
    r"I{1,3}|IV|V)\b"
)
_LEVEL_ALIASES = {"sr": "senior", "jr": "junior"}
_PLACE_WORDS = re.compile(
    r"\b(?:zone|tier|region|remote|locations?|markets?|metro\w*|area|states?|cit(?:y|ies)|"
    r"geo\w*|countr(?:y|ies)|on-?site|hybrid)\b",
    re.I,
)
_REMOTE = re.compile(r"\bremote\b", re.I)
_NATIONAL_US = re.compile(
    r"(?<![A-Za-z])(?:U\.S\.|US|USA|United States|national(?:ly)?)(?![A-Za-z])"
)


@dataclass
class PayOption:
    start: int
    end: int
    pay: SalaryRange


@dataclass
class _Row:
    option: PayOption
    label: str  # what names the row's place (inherited from the row above when blank)
    levels: frozenset[str]


def _levels(text: str) -> frozenset[str]:
    words = (m.group().lower().replace(" ", "") for m in _LEVEL.finditer(text))
    return frozenset(_LEVEL_ALIASES.get(w, w) for w in words)


def _rows(text: str, options: list[PayOption]) -> list[_Row]:
    rows: list[_Row] = []
    prev_end = 0
    place_label = ""
    for o in sorted(options, key=lambda o: o.start):
        before = text[max(prev_end, o.start - _LABEL_CHARS) : o.start]
        tail = _TAIL.match(text, o.end)
        prev_end = tail.end() if tail else o.end
        # "NYC: $A for X; $B for Y": the second row is NYC's too.
        if before.strip(" ;,.-–—|/"):
            place_label = before
        level_text = tail.group("label") if tail else before[-_LEVEL_LABEL_CHARS:]
        rows.append(_Row(o, place_label, _levels(level_text)))
    return rows


def _place_patterns(
    location: str | None, remote: bool
) -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    """Patterns naming the posting's own place (or remote work), and its country."""
    place = split_location(location)
    local: list[re.Pattern[str]] = []
    for name in (place.city, place.region):
        if name and len(name) >= 3:
            spellings = sorted({name, fold_accents(name)}, key=len, reverse=True)
            alternation = "|".join(re.escape(n) for n in spellings)
            local.append(re.compile(rf"\b(?:{alternation})\b", re.I))
    code = region_code(place.region)
    if code:
        local.append(re.compile(r"(?<![A-Za-z])" + code + r"(?![A-Za-z])"))
    if remote:
        local.append(_REMOTE)
    national: list[re.Pattern[str]] = []
    if place.country == "United States":
        national.append(_NATIONAL_US)
    elif place.country:
        national.append(re.compile(r"\b" + re.escape(place.country) + r"\b", re.I))
    return local, national


def _kind(rows: list[_Row]) -> str:
    """What the rows differ by: 'locations', 'levels', both, or neither that we can tell."""
    places = {r.label for r in rows if PLACE_NAME.search(r.label) or _PLACE_WORDS.search(r.label)}
    levels = {r.levels for r in rows if r.levels}
    by = [name for name, n in (("locations", len(places)), ("levels", len(levels))) if n > 1]
    return " and ".join(by) or "listed ranges"


def _comparable(rows: list[_Row]) -> list[_Row]:
    """The rows in the commonest currency and period: only those can be joined."""
    counts = Counter((r.option.pay.currency, r.option.pay.period) for r in rows)
    common = counts.most_common(1)[0][0]
    return [r for r in rows if (r.option.pay.currency, r.option.pay.period) == common]


def _envelope(rows: list[_Row]) -> SalaryRange:
    pays = [r.option.pay for r in rows]
    lows = [p.min_amount if p.min_amount is not None else p.max_amount for p in pays]
    highs = [p.max_amount if p.max_amount is not None else p.min_amount for p in pays]
    annual_lows = [p.annual_min if p.annual_min is not None else p.annual_max for p in pays]
    annual_highs = [p.annual_max if p.annual_max is not None else p.annual_min for p in pays]
    notes = sorted({p.note for p in pays if p.note})
    return pays[0].model_copy(
        update={
            "min_amount": min(v for v in lows if v is not None),
            "max_amount": max(v for v in highs if v is not None),
            "annual_min": min(v for v in annual_lows if v is not None),
            "annual_max": max(v for v in annual_highs if v is not None),
            "note": "; ".join(notes) or None,
        }
    )


def choose(
    text: str,
    options: list[PayOption],
    *,
    location: str | None,
    title: str | None,
    remote: bool,
) -> SalaryRange:
    """The posting's row of a pay table, else the table's envelope; `basis` says which."""
    if len(options) == 1:
        return options[0].pay
    rows = _rows(text, options)
    local, national = _place_patterns(location, remote)
    scores = [
        2
        if any(p.search(r.label) for p in local)
        else int(any(p.search(r.label) for p in national))
        for r in rows
    ]
    best = max(scores)
    pool = [r for r, s in zip(rows, scores, strict=True) if s == best] if best else rows
    title_levels = _levels(title or "")
    same_level = [r for r in pool if r.levels and r.levels == title_levels]
    if same_level:
        pool = same_level
    where = {2: "the posting's location", 1: "the posting's country"}.get(best)
    level = "level" if same_level else None
    pool = _comparable(pool)
    if len(pool) == 1:
        named = " and ".join(filter(None, (where, level and "its title's level")))
        # Else it is the only range in its currency and period among several.
        basis = f"range for {named}" if named else f"one of {len(rows)} listed ranges"
        return pool[0].option.pay.model_copy(update={"basis": basis})
    basis = f"range across {len(pool)} {_kind(pool)}"
    if where:
        basis += f" for {where}"
    return _envelope(pool).model_copy(update={"basis": basis})
