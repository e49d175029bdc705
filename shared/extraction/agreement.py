"""How often the rules and the LLM agree, field by field, over one user's rated postings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db.models import Posting, Rating

SCALAR_FIELDS = (
    "seniority",
    "employment_type",
    "workplace_type",
    "city",
    "region",
    "country",
    "years_experience",
    "education",
    "visa_sponsorship",
)
SALARY_FIELDS = ("salary_currency", "salary_period", "annual_min", "annual_max")
# Bounds this close count as the same figure (rounding, cents).
ANNUAL_TOLERANCE = 0.01


def _norm(value: Any) -> Any:
    return value.strip().casefold() if isinstance(value, str) else value


def _salary(extraction: dict[str, Any]) -> dict[str, Any]:
    s = extraction.get("salary") or {}
    return {
        "salary_currency": s.get("currency"),
        "salary_period": s.get("period"),
        "annual_min": s.get("annual_min"),
        "annual_max": s.get("annual_max"),
    }


def _same(field: str, a: Any, b: Any) -> bool:
    if field in ("annual_min", "annual_max") and a is not None and b is not None:
        return abs(float(a) - float(b)) <= ANNUAL_TOLERANCE * max(abs(float(a)), abs(float(b)))
    return bool(_norm(a) == _norm(b))


def _jaccard(a: list[str], b: list[str]) -> float:
    sa, sb = {_norm(x) for x in a}, {_norm(x) for x in b}
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def field_agreement(session: Session, user_id: int) -> dict[str, Any]:
    """Per field: on how many postings both sides were compared, and how many agreed.

    A field is compared when either side has a value (both empty is not evidence).
    Skills are compared by Jaccard similarity of the two sets."""
    rows = session.execute(
        select(Posting.rules_extraction, Posting.llm_extraction)
        .join(Rating, Rating.posting_id == Posting.id)
        .where(Rating.user_id == user_id)
    ).all()
    counts = {f: {"compared": 0, "agree": 0} for f in (*SALARY_FIELDS, *SCALAR_FIELDS)}
    jaccards: list[float] = []
    both = 0
    for rules, llm in rows:
        if not rules or not llm:
            continue
        both += 1
        pairs = [(f, rules.get(f), llm.get(f)) for f in SCALAR_FIELDS]
        rs, ls = _salary(rules), _salary(llm)
        pairs += [(f, rs[f], ls[f]) for f in SALARY_FIELDS]
        for field, a, b in pairs:
            if a is None and b is None:
                continue
            counts[field]["compared"] += 1
            counts[field]["agree"] += _same(field, a, b)
        if rules.get("skills") or llm.get("skills"):
            jaccards.append(_jaccard(rules.get("skills") or [], llm.get("skills") or []))
    fields: dict[str, dict[str, Any]] = {
        f: {**c, "rate": round(c["agree"] / c["compared"], 4) if c["compared"] else None}
        for f, c in counts.items()
    }
    fields["skills"] = {
        "compared": len(jaccards),
        "mean_jaccard": round(sum(jaccards) / len(jaccards), 4) if jaccards else None,
    }
    return {
        "user_id": user_id,
        "rated_postings": len(rows),
        "with_both_extractions": both,
        "fields": fields,
    }
