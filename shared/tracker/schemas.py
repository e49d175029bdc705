"""API shapes of the tracker."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from shared.schemas import PostingPublic

Status = Literal["saved", "applied", "interviewing", "offer", "rejected", "withdrawn"]


class ApplicationPut(BaseModel):
    status: Status
    note: str | None = Field(None, max_length=10_000, description="left out: kept as it is")
    applied_at: AwareDatetime | None = Field(None, description="ISO 8601 with a UTC offset")


class ApplicationByUrl(ApplicationPut):
    url: str = Field(min_length=1, max_length=2000, description="a LinkedIn posting URL")


class StatusChange(BaseModel):
    status: str
    at: datetime


class PredictionBrief(BaseModel):
    predicted: int
    expected_score: float


class ApplicationPublic(BaseModel):
    id: int
    posting_id: int
    status: str
    note: str | None
    applied_at: datetime | None
    created_at: datetime
    changed_at: datetime
    days_since_change: int
    history: list[StatusChange]
    rating: int | None = Field(description="the rating the user gave, if any")
    prediction: PredictionBrief | None = Field(description="the predicted rating otherwise")
    closed: bool = Field(description="LinkedIn says the posting no longer takes applications")
    match: float | None = Field(None, description="fit with the user's profile, when known")
    posting: PostingPublic
