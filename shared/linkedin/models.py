"""Typed records the scraping layer hands to the rest of the system."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PageKind = Literal["ok", "closed", "auth_wall", "not_found", "garbage", "rate_limited"]
FetchStatus = Literal["fetched", "closed", "blocked", "rate_limited", "not_found", "failed"]
WorkplaceType = Literal["remote", "hybrid", "on-site"]


class Posting(BaseModel):
    """One job posting as parsed from a guest page; any field the page lacks is None."""

    model_config = ConfigDict(frozen=True)

    job_id: str | None = None
    title: str | None = None
    company: str | None = None
    company_url: str | None = None
    location: str | None = None
    posted_at: datetime | None = None  # tz-aware UTC
    posted_text: str | None = None  # "2 weeks ago" as shown
    applicants: int | None = None  # "Over 200" -> 200, "Be among the first 25" -> 25
    applicants_text: str | None = None
    seniority: str | None = None
    employment_type: str | None = None
    job_function: str | None = None
    industries: str | None = None  # LinkedIn's own list, itself comma separated
    workplace_type: WorkplaceType | None = None
    description_text: str | None = None
    description_html: str | None = None  # sanitised: safe tags only, href on links
    salary: str | None = None  # raw "Base pay range" text of THIS posting
    apply_url: str | None = None
    is_closed: bool = False


class SearchCard(BaseModel):
    model_config = ConfigDict(frozen=True)

    job_id: str
    title: str | None = None
    company: str | None = None
    company_url: str | None = None
    location: str | None = None
    listed_on: date | None = None  # time[datetime] of the card
    listed_text: str | None = None  # "3 days ago"
    salary: str | None = None  # card pay text (LinkedIn shows it without a period)
    url: str  # canonical posting URL


class PageVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: PageKind
    reason: str | None = None


class FetchResult(BaseModel):
    status: FetchStatus
    reason: str | None = None
    html: str | None = None  # only for fetched/closed pages: nothing to store otherwise
    final_url: str | None = None
    http_status: int | None = None
    posting: Posting | None = None
    attempts: int = 0  # HTTP requests made, retries included
    fetched_at: datetime | None = None
    # Worth trying again later (network trouble, rate limiting, LinkedIn 5xx), as opposed to
    # answers that will not change: a 404, a sign-in wall, an oversized or broken page.
    transient: bool = False
    # rate_limited: when LinkedIn's pause (Retry-After or backoff) ends for the deployment.
    retry_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("fetched", "closed")


class SearchQuery(BaseModel):
    """A guest job search and its filters, in LinkedIn's own parameter vocabulary."""

    keywords: str = ""
    location: str = ""
    geo_id: str | None = None
    posted_within_seconds: int | None = Field(default=None, gt=0)  # f_TPR=r<seconds>
    workplace: list[WorkplaceType] = Field(default_factory=list)  # f_WT=1,2,3
    experience: list[Annotated[int, Field(ge=1, le=6)]] = Field(default_factory=list)  # f_E
    job_types: list[Literal["F", "P", "C", "T", "I", "V"]] = Field(default_factory=list)  # f_JT
    salary_band: int | None = Field(default=None, ge=1, le=9)  # f_SB2
    # Other LinkedIn filters seen in pasted URLs (f_C, f_AL, sortBy, distance...), kept verbatim.
    extra: dict[str, str] = Field(default_factory=dict)
