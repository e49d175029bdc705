"""Structured extraction: rules by default, an LLM as a cached, validated, budgeted option."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.extraction.fields import extract_fields
from shared.extraction.models import Extraction, PostingText, SalaryRange
from shared.extraction.prototype import parse_prototype_text
from shared.extraction.salary import parse_salary
from shared.extraction.version import RULES_VERSION

if TYPE_CHECKING:
    from shared.extraction.pipeline import ExtractionResult, extract_posting

rules_version = RULES_VERSION

__all__ = [
    "Extraction",
    "ExtractionResult",
    "PostingText",
    "SalaryRange",
    "extract_fields",
    "extract_posting",
    "parse_prototype_text",
    "parse_salary",
    "rules_version",
]


def __getattr__(name: str) -> Any:
    # The LLM path pulls in openai and the database models; rules-only users skip that.
    if name in ("ExtractionResult", "extract_posting"):
        from shared.extraction import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
