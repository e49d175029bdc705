"""Which of a posting's skills its text names as nice-to-have rather than required.

A skill is nice-to-have when every mention sits under a "Nice to have" / "Preferred" /
"Bonus" heading or in a sentence saying so ("… is a plus"); anything else counts as
required. Worked out once per extraction and stored, so matching never rereads text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from shared.db.models import Posting, PostingRequirement
from shared.extraction.skills import extract_skills

_NICE = (
    r"nice[\s-]to[\s-]haves?|good[\s-]to[\s-]haves?|preferred|bonus|pluses|a plus|desired|"
    r"desirable|optional|ideally|would be great|extra credit|not required|added advantage"
)
_NICE_HEADING = re.compile(rf"^\W*(?:[\w ]{{0,30}}\b)?(?:{_NICE})\b[^.]{{0,40}}$", re.I)
_REQUIRED_HEADING = re.compile(
    r"^\W*(?:[\w ]{0,30}\b)?(?:requirements?|required|must[\s-]haves?|qualifications|"
    r"what you(?:'ll| will)? (?:bring|need|have)|you have|about you|skills|responsibilities|"
    r"what you(?:'ll| will)? do|the role|about the (?:role|job))\b[^.]{0,40}$",
    re.I,
)
_NICE_SENTENCE = re.compile(rf"\b(?:{_NICE})\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
_HEADING_MAX = 60


def nice_to_have(skills: Iterable[str], description: str | None) -> list[str]:
    """The subset of `skills` the description names only as nice-to-have."""
    wanted = list(skills)
    if not description or not wanted:
        return []
    required_text: list[str] = []
    nice_text: list[str] = []
    section_nice = False
    for line in description.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if len(stripped) <= _HEADING_MAX:
            if _NICE_HEADING.match(stripped):
                section_nice = True
                nice_text.append(stripped)
                continue
            if _REQUIRED_HEADING.match(stripped):
                section_nice = False
        for sentence in _SENTENCE.split(stripped):
            nice = section_nice or bool(_NICE_SENTENCE.search(sentence))
            (nice_text if nice else required_text).append(sentence)
    nice_found = set(extract_skills("\n".join(nice_text)))
    required_found = set(extract_skills("\n".join(required_text)))
    return [s for s in wanted if s in nice_found and s not in required_found]


def refresh_nice_to_have(session: Session, posting_ids: list[int]) -> dict[int, set[str]]:
    """Work out and store the nice-to-have skills of postings seen for the first time or
    re-extracted since; returns them by posting id. An upsert: two requests may race."""
    out: dict[int, set[str]] = {}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for chunk in _chunks(posting_ids, 500):
        rows = session.execute(
            select(
                Posting.id, Posting.skills, Posting.description_text, Posting.extracted_at
            ).where(Posting.id.in_(chunk))
        ).all()
        values = []
        for pid, skills, description, extracted_at in rows:
            nice = nice_to_have(skills or [], description)
            out[pid] = set(nice)
            values.append({"posting_id": pid, "extracted_at": extracted_at, "nice_to_have": nice})
        if values:
            stmt = insert(PostingRequirement).values(values)
            session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["posting_id"],
                    set_={
                        "extracted_at": stmt.excluded.extracted_at,
                        "nice_to_have": stmt.excluded.nice_to_have,
                    },
                )
            )
    return out


def is_stale(stored_at: datetime | None, extracted_at: datetime | None, has_row: bool) -> bool:
    return not has_row or not _same_time(stored_at, extracted_at)


def _same_time(a: datetime | None, b: datetime | None) -> bool:
    # SQLite hands back naive datetimes: compare on the wall-clock value.
    if a is None or b is None:
        return a is b
    return a.replace(tzinfo=None) == b.replace(tzinfo=None)


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
