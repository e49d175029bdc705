"""Grouping reposts and folding them in ranked lists.

Two postings are one job posted again when they share the company, their titles are
near-identical (after dropping workplace tags such as "(Remote)") and their descriptions
are near-duplicates: Jaccard similarity of word 5-shingles. The candidates are the same
company's postings only, a handful, so the exact Jaccard is cheaper than an index."""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any, TypeVar

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from shared.db.models import Posting, Rating

TITLE_SIMILARITY = 0.9
DESCRIPTION_JACCARD = 0.8
SHINGLE = 5
MAX_CANDIDATES = 300
_TAGS = re.compile(r"\((?:remote|hybrid|on-site|onsite)\)", re.I)
_WORDS = re.compile(r"[a-z0-9]+")


def normal_title(title: str) -> str:
    return " ".join(_WORDS.findall(_TAGS.sub(" ", title.lower())))


def shingles(text: str) -> set[int]:
    words = _WORDS.findall(text.lower())
    if len(words) < SHINGLE:
        return {hash(" ".join(words))}
    return {hash(" ".join(words[i : i + SHINGLE])) for i in range(len(words) - SHINGLE + 1)}


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def same_job(a: Posting, b: Posting, a_shingles: set[int] | None = None) -> bool:
    if not (a.title and b.title and a.description_text and b.description_text):
        return False
    ratio = SequenceMatcher(None, normal_title(a.title), normal_title(b.title)).ratio()
    if ratio < TITLE_SIMILARITY:
        return False
    mine = a_shingles if a_shingles is not None else shingles(a.description_text)
    return jaccard(mine, shingles(b.description_text)) >= DESCRIPTION_JACCARD


def group_key(posting: Posting) -> int:
    return posting.repost_of_id or posting.id


def group_posting(session: Session, posting: Posting) -> int | None:
    """Put the posting in its group (the earliest member is the group's id) and merge the
    groups it bridges. Returns the group id, or None when it is the only one."""
    if posting.source != "linkedin" or not (
        posting.company and posting.title and posting.description_text
    ):
        return None  # an imported text is one user's, never grouped with public postings
    candidates = session.scalars(
        select(Posting)
        .where(func.lower(Posting.company) == posting.company.lower())
        .where(Posting.id != posting.id, Posting.description_text.is_not(None))
        .where(Posting.source == "linkedin")
        .order_by(Posting.id)
        .limit(MAX_CANDIDATES)
    ).all()
    mine = shingles(posting.description_text)
    roots = {group_key(c) for c in candidates if same_job(posting, c, mine)}
    if not roots:
        return None
    root = min(roots | {posting.id})
    merged = (roots | {posting.id}) - {root}
    session.execute(
        update(Posting)
        .where(or_(Posting.id.in_(merged), Posting.repost_of_id.in_(merged)))
        .values(repost_of_id=root)
        .execution_options(synchronize_session="fetch")
    )
    posting.repost_of_id = None if posting.id == root else root
    session.flush()
    return root


Row = TypeVar("Row", bound=Sequence[Any])


def fold(rows: list[Row], at: int = 0) -> list[Row]:
    """Ranked rows holding a Posting (at index `at`) -> the best ranked row of each group."""
    seen: set[int] = set()
    out: list[Row] = []
    for row in rows:
        key = group_key(row[at])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def members(session: Session, posting: Posting) -> list[Posting]:
    key = group_key(posting)
    return list(
        session.scalars(
            select(Posting)
            .where(or_(Posting.id == key, Posting.repost_of_id == key))
            .order_by(Posting.id)
        )
    )


def rating_offers(
    session: Session, user_id: int, postings: list[Posting]
) -> dict[int, dict[str, int]]:
    """For postings the user has not rated whose group holds one they did: that rating, to
    offer for this one (never copied without the user saying so)."""
    keys = {group_key(p) for p in postings if p.repost_of_id is not None} | {p.id for p in postings}
    rated = session.execute(
        select(Posting.id, Posting.repost_of_id, Rating.rating)
        .join(Rating, Rating.posting_id == Posting.id)
        .where(Rating.user_id == user_id)
        .where(or_(Posting.id.in_(keys), Posting.repost_of_id.in_(keys)))
    ).all()
    by_group: dict[int, dict[str, int]] = {}
    mine: set[int] = set()
    for pid, repost_of, value in rated:
        by_group.setdefault(repost_of or pid, {"posting_id": pid, "rating": value})
        mine.add(pid)
    return {
        p.id: by_group[group_key(p)]
        for p in postings
        if p.id not in mine and group_key(p) in by_group
    }


def repost_fields(
    session: Session, user_id: int, postings: list[Posting]
) -> dict[int, dict[str, Any]]:
    """What each card adds, by posting id: its group, "also posted N times" (the job's other
    LinkedIn postings, whether listed or not) and a sibling's rating offered."""
    keys = {group_key(p) for p in postings}
    others = dict(
        session.execute(  # every member but the root points at it: the others of any member
            select(Posting.repost_of_id, func.count())
            .where(Posting.repost_of_id.in_(keys))
            .group_by(Posting.repost_of_id)
        ).all()
    )
    offers = rating_offers(session, user_id, postings)
    return {
        p.id: {
            "group_id": group_key(p),
            "also_posted": int(others.get(group_key(p), 0)),
            "rating_offer": offers.get(p.id),
        }
        for p in postings
    }
