"""Tables. Postings are global (one row per LinkedIn job id); everything else belongs to a user."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db.base import Base, UTCDateTime, utcnow

TZDateTime = UTCDateTime()


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique index is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="default")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class WebSession(Base):
    """A signed-in browser. The cookie carries a random secret; only its SHA-256 is stored,
    and signing out revokes the row, so a replayed cookie is refused."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class Posting(Base):
    __tablename__ = "postings"
    id: Mapped[int] = mapped_column(primary_key=True)
    # None for postings imported from the prototype's CSV, which have no URL.
    job_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    url: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(16), default="linkedin")  # linkedin|imported
    # Imported postings belong to their importer; LinkedIn postings (None) are public.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # The earliest posting of the same job under another LinkedIn id (shared.reposts).
    repost_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("postings.id", ondelete="SET NULL"), index=True
    )
    fetched_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Deferred (loaded only when read): no request reads these, and every posting list would
    # carry them.
    raw_html: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # zlib-compressed

    # Parsed from the page (shared.linkedin.parse_posting).
    title: Mapped[str | None] = mapped_column(String(300))
    company: Mapped[str | None] = mapped_column(String(300), index=True)
    company_url: Mapped[str | None] = mapped_column(String(500))
    location: Mapped[str | None] = mapped_column(String(300))
    posted_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    applicants: Mapped[int | None] = mapped_column(Integer)
    seniority: Mapped[str | None] = mapped_column(String(64))
    employment_type: Mapped[str | None] = mapped_column(String(64))
    job_function: Mapped[str | None] = mapped_column(String(200))
    industries: Mapped[str | None] = mapped_column(String(300))
    workplace_type: Mapped[str | None] = mapped_column(String(16))
    description_text: Mapped[str | None] = mapped_column(Text)
    description_html: Mapped[str | None] = mapped_column(Text, deferred=True)
    salary_text: Mapped[str | None] = mapped_column(String(300))
    apply_url: Mapped[str | None] = mapped_column(String(1000))
    parsed: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)

    # Extracted (shared.extraction): what training, ranking and the pages use.
    extracted_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    extraction_source: Mapped[str | None] = mapped_column(String(16))  # rules|llm
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    salary_period: Mapped[str | None] = mapped_column(String(8))
    annual_min: Mapped[float | None] = mapped_column(Float)
    annual_max: Mapped[float | None] = mapped_column(Float, index=True)
    # How the pay was chosen when the posting lists several ranges ("range across 3 locations").
    salary_basis: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(64))
    years_experience: Mapped[float | None] = mapped_column(Float)
    skills: Mapped[list[str] | None] = mapped_column(JSON)
    rules_extraction: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    llm_extraction: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32 vector

    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("user_id", "posting_id"),
        CheckConstraint("rating >= 0 AND rating <= 3", name="rating_range"),
        Index("ix_ratings_user_updated", "user_id", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)
    posting: Mapped[Posting] = relationship(lazy="joined")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_created", "status", "created_at"),
        Index("ix_jobs_user_created", "user_id", "created_at"),
        # The dispatcher's scan: waiting and in-flight jobs by class and user, oldest first.
        Index("ix_jobs_dispatch", "status", "kind", "priority", "user_id", "created_at"),
        Index("ix_jobs_parent", "parent_id"),
        # One training per user at a time, plus at most one follow-up waiting behind it.
        Index(
            "ux_jobs_one_train",
            "user_id",
            "status",
            unique=True,
            postgresql_where=text("kind = 'train' AND status IN ('queued', 'running')"),
            sqlite_where=text("kind = 'train' AND status IN ('queued', 'running')"),
        ),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # interactive (by hand: a rating, a prediction, a search from the page) | bulk (imports,
    # saved-search runs, re-extraction); children inherit their parent's.
    priority: Mapped[str] = mapped_column(
        String(16), default="interactive", server_default="interactive"
    )
    # The import or search this job was started by: cancelling the parent cancels it.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    heartbeat_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # A deferred job (rate limited, transient error) is queued but not sent before this.
    retry_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class ModelVersion(Base):
    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("user_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    algorithm: Mapped[str] = mapped_column(String(64))
    hyperparams: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    feature_version: Mapped[str] = mapped_column(String(32))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    leaderboard: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    n_ratings: Mapped[int] = mapped_column(Integer)
    train_seconds: Mapped[float] = mapped_column(Float)
    # Deferred: read once per process when the model is loaded, not with every lookup.
    artifact: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    artifact_uri: Mapped[str | None] = mapped_column(String(500))
    artifact_sha256: Mapped[str] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Prediction(Base):
    __tablename__ = "predictions"
    __table_args__ = (Index("ix_predictions_user_score", "user_id", "expected_score"),)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    posting_id: Mapped[int] = mapped_column(
        ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True
    )
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE")
    )
    predicted: Mapped[int] = mapped_column(Integer)
    probabilities: Mapped[list[float]] = mapped_column(JSON)
    expected_score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class BlockRule(Base):
    __tablename__ = "blocklist"
    __table_args__ = (UniqueConstraint("user_id", "kind", "pattern"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # company|title
    pattern: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class HiddenPosting(Base):
    __tablename__ = "hidden_postings"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    posting_id: Mapped[int] = mapped_column(
        ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class LLMCacheEntry(Base):
    """One LLM extraction per content hash and model, shared by all users: nothing is sent twice."""

    __tablename__ = "llm_cache"
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(100), primary_key=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class LLMUsage(Base):
    __tablename__ = "llm_usage"
    __table_args__ = (Index("ix_llm_usage_user_created", "user_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    model: Mapped[str] = mapped_column(String(100))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(32))  # ok|cached|fallback:<reason>
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Application(Base):
    """A posting on the user's application tracker (shared.tracker)."""

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("user_id", "posting_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    applied_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # When the status last changed (the board shows days since).
    changed_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    posting: Mapped[Posting] = relationship(lazy="joined")
    events: Mapped[list[ApplicationEvent]] = relationship(
        order_by="ApplicationEvent.id", cascade="all, delete-orphan", lazy="selectin"
    )


class ApplicationEvent(Base):
    __tablename__ = "application_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class SavedSearch(Base):
    """A search run on a schedule (shared.saved_searches)."""

    __tablename__ = "saved_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)  # keywords, location, filters, limit
    every_hours: Mapped[float] = mapped_column(Float)
    alert_min_score: Mapped[float | None] = mapped_column(Float)
    email_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    next_run_at: Mapped[datetime] = mapped_column(TZDateTime, index=True)
    last_run_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    last_job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class SavedSearchMatch(Base):
    __tablename__ = "saved_search_matches"
    saved_search_id: Mapped[int] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="CASCADE"), primary_key=True
    )
    posting_id: Mapped[int] = mapped_column(
        ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True
    )
    first_seen_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # When the user saw it (viewed the matches, or marked it seen); None: new.
    seen_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    expected_score: Mapped[float | None] = mapped_column(Float)  # at the run that found it


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # match|closed
    saved_search_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="CASCADE")
    )
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(500))
    expected_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class FeedToken(Base):
    """The secret in a user's private Atom feed URL; only its SHA-256 is stored."""

    __tablename__ = "feed_tokens"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Profile(Base):
    """What the user has (issue 11): skills they confirmed, experience, title, a resume.
    Private to the user, like ratings."""

    __tablename__ = "profiles"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # [{"name": vocabulary name, "source": "manual" | "resume" | "resume_llm"}]
    skills: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # Read from a resume and not yet reviewed: they do not count until confirmed.
    suggested_skills: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    suggested_years: Mapped[float | None] = mapped_column(Float)
    years_experience: Mapped[float | None] = mapped_column(Float)
    current_title: Mapped[str | None] = mapped_column(String(200))
    seniority: Mapped[str | None] = mapped_column(String(16))
    resume_text: Mapped[str | None] = mapped_column(Text)
    resume_filename: Mapped[str | None] = mapped_column(String(255))
    resume_extraction: Mapped[str | None] = mapped_column(String(64))  # rules|llm|cached|fallback:…
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)


class PostingRequirement(Base):
    """Which of a posting's skills its text names as nice-to-have (the rest count as
    required), worked out once per extraction so matching never rereads descriptions."""

    __tablename__ = "posting_requirements"
    posting_id: Mapped[int] = mapped_column(
        ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True
    )
    # The posting's extracted_at this was computed from: a re-extraction makes it stale.
    extracted_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    nice_to_have: Mapped[list[str]] = mapped_column(JSON, default=list)


class StatedPreferences(Base):
    """What the user says they want (issue 14): the prior scorer's input until ratings
    take over. Private to the user; the body is shared.learning.schemas.Preferences."""

    __tablename__ = "stated_preferences"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)


class ChangeVersion(Base):
    """A counter per scope ("user:<id>", or "postings" for the shared posting rows), bumped in
    the same transaction as every write to the rows a recommendation list is built from
    (shared.changes): an unchanged pair of counters means an unchanged list."""

    __tablename__ = "change_versions"
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
