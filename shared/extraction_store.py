"""Runs structured extraction for a stored posting and writes the fields training and the
pages use. The rule result and the LLM result (when enabled) are kept side by side."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import Posting
from shared.extraction import PostingText
from shared.reposts.service import group_posting
from shared.settings import get_settings


def posting_text(posting: Posting) -> PostingText:
    return PostingText(
        title=posting.title,
        company=posting.company,
        location=posting.location,
        description_text=posting.description_text,
        salary_text=posting.salary_text,
        seniority=posting.seniority,
        employment_type=posting.employment_type,
        workplace_type=posting.workplace_type,
    )


def extract_and_store(session: Session, posting: Posting, *, user_id: int | None) -> dict[str, Any]:
    from shared.extraction import extract_posting

    doc = posting_text(posting)
    content_hash = (
        posting.content_hash or hashlib.sha256(doc.model_dump_json().encode()).hexdigest()
    )
    result = extract_posting(
        session,
        doc,
        content_hash=content_hash,
        user_id=user_id,
        posting_id=posting.id,
        settings=get_settings(),
    )
    for name, value in result.posting_values().items():
        setattr(posting, name, value)
    # Page labels stay where the page gave them; extraction fills what it left out.
    chosen = result.chosen
    posting.seniority = posting.seniority or chosen.seniority
    posting.employment_type = posting.employment_type or chosen.employment_type
    posting.workplace_type = posting.workplace_type or chosen.workplace_type
    posting.extracted_at = utcnow()
    _embed(posting)
    group_posting(session, posting)
    return {
        "posting_id": posting.id,
        "source": result.source,
        "llm_outcome": result.llm_outcome,
        "annual_min": posting.annual_min,
        "annual_max": posting.annual_max,
        "salary_basis": posting.salary_basis,
        "skills": len(posting.skills or []),
    }


def _embed(posting: Posting) -> None:
    """Sentence embedding, computed once per posting when the optional extra is installed."""
    from shared.ml.embeddings import embed_texts, embedding_text

    vectors = embed_texts([embedding_text(posting.title, posting.description_text)])
    if vectors is not None:
        posting.embedding = vectors[0].astype("float32").tobytes()
