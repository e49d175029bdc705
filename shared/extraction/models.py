"""Input and output models of structured extraction (independent of shared.linkedin)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Period = Literal["hour", "day", "week", "month", "year"]
Seniority = Literal["internship", "entry", "associate", "mid-senior", "director", "executive"]
EmploymentType = Literal[
    "full-time", "part-time", "contract", "temporary", "internship", "volunteer", "other"
]
WorkplaceType = Literal["remote", "hybrid", "on-site"]
Education = Literal["none", "high-school", "associate", "bachelor", "master", "phd"]

# Hours, days, weeks and months in a working year.
ANNUAL_FACTOR: dict[str, int] = {"hour": 2080, "day": 260, "week": 52, "month": 12, "year": 1}


class PostingText(BaseModel):
    """What extraction reads: the posting's text fields, however they were obtained.
    `PostingText.model_validate(posting_row)` reads them off a Posting row."""

    model_config = ConfigDict(from_attributes=True)

    title: str | None = None
    company: str | None = None
    location: str | None = None
    description_text: str | None = None
    # The page's pay block, or a search card's pay text.
    salary_text: str | None = None
    seniority: str | None = None
    employment_type: str | None = None
    workplace_type: str | None = None


class SalaryRange(BaseModel):
    currency: str = Field(min_length=3, max_length=3)
    period: Period
    # Native amounts per `period`; open ranges leave one bound None.
    min_amount: float | None
    max_amount: float | None
    annual_min: float | None
    annual_max: float | None
    # pay_block | card | description | text
    source: str = "text"
    note: str | None = None
    # How the figure was chosen when the text gives several ranges (a table by location or
    # level): "range for the posting's location", "range across 3 locations".
    basis: str | None = None


class Extraction(BaseModel):
    # Stored copies may carry bookkeeping keys (e.g. rules_version): ignored when read back.
    model_config = ConfigDict(extra="ignore")

    salary: SalaryRange | None = None
    seniority: Seniority | None = None
    employment_type: EmploymentType | None = None
    workplace_type: WorkplaceType | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    years_experience: float | None = None
    education: Education | None = None
    visa_sponsorship: bool | None = None
    skills: list[str] = Field(default_factory=list)
