"""What the LLM is asked to return (a flat, strict JSON schema), the prompt, and the
conversion of a validated answer into an `Extraction`."""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.extraction.models import (
    ANNUAL_FACTOR,
    Education,
    EmploymentType,
    Extraction,
    Period,
    PostingText,
    SalaryRange,
    Seniority,
    WorkplaceType,
)
from shared.extraction.skills import extract_skills

# Descriptions beyond this are cut: pay and requirements sit well within it, and it caps cost.
MAX_DESCRIPTION_CHARS = 12_000
POSTING_MARKER = "POSTING JSON:"

SYSTEM_PROMPT = """You extract structured fields from one job posting.
Answer only with JSON matching the schema. Use null when the posting does not say.
- salary_*: the base pay for THIS job as stated (not bonus, equity, benefits or funding).
  Amounts are plain numbers in the stated period (e.g. 120000 for "$120K"); currency is an
  ISO 4217 code. If several ranges are given (by location, zone or level), use the one for
  the posting's location and level, else the envelope: the lowest minimum to the highest
  maximum. For "up to X" leave salary_min null; for "from X" or "X+" leave salary_max null.
- seniority, employment_type, workplace_type, education: one of the allowed values.
- city, region, country: from the posting's location (full names, e.g. "California").
- years_experience: minimum years of experience required.
- education: the minimum degree required ("none" if explicitly not required).
- visa_sponsorship: true/false only if the posting states it.
- skills: technologies, tools and practices the posting asks for, as short names."""


class LLMFields(BaseModel):
    """The response schema. Flat and with every key required, as strict JSON schemas need."""

    model_config = ConfigDict(extra="forbid")

    salary_currency: str | None = Field(pattern=r"^[A-Z]{3}$")
    salary_period: Period | None
    salary_min: float | None = Field(gt=0)
    salary_max: float | None = Field(gt=0)
    seniority: Seniority | None
    employment_type: EmploymentType | None
    workplace_type: WorkplaceType | None
    city: str | None
    region: str | None
    country: str | None
    years_experience: float | None = Field(ge=0, le=40)
    education: Education | None
    visa_sponsorship: bool | None
    skills: list[str] = Field(max_length=100)

    @model_validator(mode="after")
    def _consistent_salary(self) -> LLMFields:
        has_amount = self.salary_min is not None or self.salary_max is not None
        if has_amount and (self.salary_currency is None or self.salary_period is None):
            raise ValueError("salary amounts need a currency and a period")
        lo, hi = self.salary_min, self.salary_max
        if lo is not None and hi is not None and lo > hi:
            raise ValueError("salary_min is above salary_max")
        return self


def build_messages(doc: PostingText) -> list[dict[str, str]]:
    posting = doc.model_dump(exclude_none=True)
    if "description_text" in posting:
        posting["description_text"] = posting["description_text"][:MAX_DESCRIPTION_CHARS]
    user = f"{POSTING_MARKER}\n{json.dumps(posting, ensure_ascii=False)}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def prompt_hash(doc: PostingText) -> str:
    """A content hash of exactly what would be sent, for callers without one of their own."""
    return hashlib.sha256(json.dumps(build_messages(doc), sort_keys=True).encode()).hexdigest()


def posting_from_messages(messages: list[dict[str, object]]) -> PostingText:
    """The posting back out of a request built by build_messages (used by the stand-in)."""
    for message in messages:
        content = message.get("content")
        if isinstance(content, str) and POSTING_MARKER in content:
            raw = content.split(POSTING_MARKER, 1)[1]
            try:
                return PostingText.model_validate_json(raw.strip())
            except ValidationError:
                return PostingText(description_text=raw)
    return PostingText()


def _canonical_skills(skills: list[str]) -> list[str]:
    """Map the LLM's names onto the vocabulary where they match one entry, keep others."""
    out: dict[str, None] = {}
    for skill in skills:
        name = skill.strip()
        if not name:
            continue
        found = extract_skills(name)
        out.setdefault(found[0] if len(found) == 1 else name, None)
    return list(out)


def to_extraction(fields: LLMFields) -> Extraction:
    salary = None
    if fields.salary_currency and fields.salary_period:
        factor = ANNUAL_FACTOR[fields.salary_period]
        lo, hi = fields.salary_min, fields.salary_max
        salary = SalaryRange(
            currency=fields.salary_currency,
            period=fields.salary_period,
            min_amount=lo,
            max_amount=hi,
            annual_min=round(lo * factor, 2) if lo is not None else None,
            annual_max=round(hi * factor, 2) if hi is not None else None,
            source="llm",
        )
    return Extraction(
        salary=salary,
        seniority=fields.seniority,
        employment_type=fields.employment_type,
        workplace_type=fields.workplace_type,
        city=fields.city,
        region=fields.region,
        country=fields.country,
        years_experience=fields.years_experience,
        education=fields.education,
        visa_sponsorship=fields.visa_sponsorship,
        skills=_canonical_skills(fields.skills),
    )


def from_extraction(extraction: Extraction) -> LLMFields:
    """The schema form of a rules result: what the stand-in answers with."""
    s = extraction.salary
    return LLMFields(
        salary_currency=s.currency if s else None,
        salary_period=s.period if s else None,
        salary_min=s.min_amount if s else None,
        salary_max=s.max_amount if s else None,
        seniority=extraction.seniority,
        employment_type=extraction.employment_type,
        workplace_type=extraction.workplace_type,
        city=extraction.city,
        region=extraction.region,
        country=extraction.country,
        years_experience=extraction.years_experience,
        education=extraction.education,
        visa_sponsorship=extraction.visa_sponsorship,
        skills=extraction.skills,
    )
