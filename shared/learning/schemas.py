"""Stated preferences: what a user says they want before (or besides) rating."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.extraction.currency import USD_SCALE

Workplace = Literal["remote", "hybrid", "on-site"]
Seniority = Literal["internship", "entry", "associate", "mid-senior", "director", "executive"]
WORKPLACES: tuple[str, ...] = get_args(Workplace)
SENIORITIES: tuple[str, ...] = get_args(Seniority)


def _clean(values: list[str]) -> list[str]:
    """Trimmed, lower-cased, without blanks or repeats, in the order given."""
    out: dict[str, None] = {}
    for value in values:
        if value.strip():
            out.setdefault(value.strip().lower(), None)
    return list(out)


class Preferences(BaseModel):
    """All optional. Keywords match whole words of a posting's title (and, for
    `avoid_keywords`, its title only: a description may mention anything)."""

    model_config = ConfigDict(extra="forbid")

    want_keywords: list[str] = Field(default_factory=list, max_length=50)
    avoid_keywords: list[str] = Field(default_factory=list, max_length=50)
    min_pay: float | None = Field(default=None, gt=0, le=10_000_000)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    workplace_types: list[Workplace] = Field(default_factory=list, max_length=3)
    locations: list[str] = Field(default_factory=list, max_length=50)
    seniorities: list[Seniority] = Field(default_factory=list, max_length=6)
    skills: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("want_keywords", "avoid_keywords", "locations", "skills")
    @classmethod
    def _phrases(cls, values: list[str]) -> list[str]:
        if any(len(v) > 100 for v in values):
            raise ValueError("each entry is at most 100 characters")
        return _clean(values)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if code not in USD_SCALE:
            known = ", ".join(sorted(USD_SCALE))
            raise ValueError(f"unknown currency {value!r}: use one of {known}")
        return code

    @model_validator(mode="after")
    def _pay_has_currency(self) -> Preferences:
        if self.min_pay is not None and self.currency is None:
            raise ValueError("min_pay needs its currency (e.g. 'USD')")
        return self

    def is_empty(self) -> bool:
        return self == Preferences()
