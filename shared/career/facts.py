"""What matching needs of each posting (skills, which are nice-to-have, years, level),
read once per extraction. The skills lists are cached per process by posting and
extraction time, so a map over thousands of postings decodes no JSON on a warm request."""

from __future__ import annotations

from datetime import datetime
from threading import Lock

from cachetools import LRUCache
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.career.match import PostingFacts
from shared.career.requirements import is_stale, refresh_nice_to_have
from shared.db.models import Posting, PostingRequirement

# posting id -> (extracted_at, skills, nice-to-have); ~0.5 kB each.
_Entry = tuple[datetime | None, tuple[str, ...], frozenset[str]]
_SKILLS: LRUCache[int, _Entry] = LRUCache(maxsize=200_000)
_LOCK = Lock()
_CHUNK = 500


def _key(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=None) if at is not None else None  # SQLite hands back naive


def posting_facts(
    session: Session,
    rows: list[tuple[int, datetime | None, float | None, str | None]],
) -> dict[int, PostingFacts]:
    """Facts for (posting id, extracted_at, years_experience, seniority) rows."""
    known: dict[int, _Entry] = {}
    with _LOCK:
        for pid, at, *_ in rows:
            entry = _SKILLS.get(pid)
            if entry is not None and entry[0] == _key(at):
                known[pid] = entry
    missing = [pid for pid, *_ in rows if pid not in known]
    for i in range(0, len(missing), _CHUNK):
        found = session.execute(
            select(
                Posting.id,
                Posting.extracted_at,
                Posting.skills,
                PostingRequirement.posting_id,
                PostingRequirement.extracted_at,
                PostingRequirement.nice_to_have,
            )
            .outerjoin(PostingRequirement, PostingRequirement.posting_id == Posting.id)
            .where(Posting.id.in_(missing[i : i + _CHUNK]))
        ).all()
        stale = [r[0] for r in found if is_stale(r[4], r[1], r[3] is not None)]
        fresh = refresh_nice_to_have(session, stale) if stale else {}
        with _LOCK:
            for row in found:
                pid = row[0]
                nice = fresh.get(pid, row[5] or ())
                _SKILLS[pid] = known[pid] = (_key(row[1]), tuple(row[2] or ()), frozenset(nice))
    out = {}
    for pid, _, years, seniority in rows:
        entry = known[pid]
        out[pid] = PostingFacts(pid, entry[1], entry[2], years, seniority)
    return out
