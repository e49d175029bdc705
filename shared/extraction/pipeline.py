"""extract_posting: the rules always, the LLM too when configured, side by side."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from shared.extraction.fields import extract_fields
from shared.extraction.llm import LLMExtractor
from shared.extraction.models import Extraction, PostingText
from shared.extraction.version import RULES_VERSION
from shared.settings import Settings


class ExtractionResult(BaseModel):
    rules: Extraction
    llm: Extraction | None = None
    # None when the LLM is not configured; else ok | cached | fallback:<reason>.
    llm_outcome: str | None = None
    llm_model: str | None = None
    source: Literal["rules", "llm"] = "rules"
    rules_version: str = RULES_VERSION
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def chosen(self) -> Extraction:
        return self.llm if self.source == "llm" and self.llm is not None else self.rules

    def posting_values(self) -> dict[str, Any]:
        """Values for the Posting row's extraction columns."""
        chosen = self.chosen
        salary = chosen.salary
        return {
            "extraction_source": self.source,
            "rules_extraction": {**self.rules.model_dump(), "rules_version": self.rules_version},
            "llm_extraction": (
                {**self.llm.model_dump(), "model": self.llm_model} if self.llm else None
            ),
            "salary_currency": salary.currency if salary else None,
            "salary_period": salary.period if salary else None,
            "annual_min": salary.annual_min if salary else None,
            "annual_max": salary.annual_max if salary else None,
            "salary_basis": salary.basis if salary else None,
            "country": chosen.country,
            "years_experience": chosen.years_experience,
            "skills": chosen.skills,
        }


_extractors: dict[tuple[object, ...], LLMExtractor] = {}


def _extractor(settings: Settings) -> LLMExtractor:
    # One client (and connection pool) per LLM configuration and process.
    key = tuple(
        v.get_secret_value() if hasattr(v, "get_secret_value") else v
        for k, v in sorted(settings)
        if k.startswith("llm_")
    )
    if key not in _extractors:
        _extractors[key] = LLMExtractor(settings)
    return _extractors[key]


def extract_posting(
    session: Session,
    doc: PostingText,
    *,
    content_hash: str,
    user_id: int | None,
    posting_id: int | None,
    settings: Settings,
) -> ExtractionResult:
    result = ExtractionResult(rules=extract_fields(doc))
    if not settings.llm_enabled:
        return result
    outcome = _extractor(settings).extract(
        session, doc, content_hash=content_hash, user_id=user_id, posting_id=posting_id
    )
    result.llm = outcome.extraction
    result.llm_outcome = outcome.outcome
    result.llm_model = settings.llm_model
    result.source = "llm" if outcome.extraction is not None else "rules"
    result.prompt_tokens = outcome.prompt_tokens
    result.completion_tokens = outcome.completion_tokens
    result.cost_usd = outcome.cost_usd
    return result
