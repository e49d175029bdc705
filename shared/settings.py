"""All configuration, read from the environment (prefix LIR_) and from `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIR_", env_file=".env", extra="ignore")

    # Where the embedded mode keeps its SQLite file and broker folders.
    data_dir: Path = Path("var")
    # Empty means the embedded SQLite database under data_dir.
    database_url: str = ""
    # Empty means the embedded, server-less broker (kombu filesystem transport).
    broker_url: str = ""
    # Prefix for every broker key, so several deployments (or test runs) can share one Redis.
    broker_key_prefix: str = ""
    # Redis for the shared LinkedIn rate limit; defaults to broker_url when that is redis.
    redis_url: str = ""

    port: int = Field(8000, ge=1, le=65535)
    # Threads per gateway process for the (sync) routes, and requests holding a database
    # session at once: fewer than the pool's connections (10 + 20 overflow).
    gateway_threads: int = Field(16, ge=1, le=30)
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    cookie_secure: bool = False
    # Throttling (`limits` notation: "10/minute", "20 per hour").
    signin_failures_per_account: str = "10/minute"  # per account and source address
    signin_failures_per_address: str = "30/minute"
    signin_failures_per_deployment: str = "600/minute"
    signups_per_address: str = "20/hour"
    # Request bodies: JSON and forms, and multipart uploads (CSV imports).
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 20_000_000

    linkedin_base_url: str = "https://www.linkedin.com"
    # 0 means no spacing at all (local stand-ins); Retry-After pauses still apply.
    linkedin_min_interval_seconds: float = Field(2.0, ge=0, allow_inf_nan=False)
    linkedin_jitter_seconds: float = Field(0.5, ge=0, allow_inf_nan=False)
    linkedin_connect_timeout: float = Field(5.0, gt=0, allow_inf_nan=False)
    linkedin_read_timeout: float = Field(15.0, gt=0, allow_inf_nan=False)
    linkedin_max_bytes: int = Field(3_000_000, gt=0)
    linkedin_max_retries: int = Field(4, ge=0)
    # A worker sleeps through a Retry-After up to this long; a longer pause defers the job.
    linkedin_max_retry_after_seconds: float = Field(60.0, ge=0, allow_inf_nan=False)
    linkedin_proxies: list[str] = Field(default_factory=list)
    linkedin_user_agent: str = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    # A stored posting younger than this is served without HTTP.
    posting_max_age_hours: float = Field(24 * 7, ge=0, allow_inf_nan=False)

    llm_base_url: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_model: str = ""
    llm_timeout_seconds: float = Field(30.0, gt=0, allow_inf_nan=False)
    llm_max_retries: int = Field(2, ge=0)
    llm_monthly_budget_usd: float = Field(5.0, ge=0, allow_inf_nan=False)
    llm_price_per_1k_input_usd: float = Field(0.00015, ge=0, allow_inf_nan=False)
    llm_price_per_1k_output_usd: float = Field(0.0006, ge=0, allow_inf_nan=False)

    # Retrain a user's model after this many new or changed ratings.
    retrain_every: int = Field(5, ge=1)
    min_ratings_for_model: int = Field(12, ge=2)
    # The optional sentence embedding at extraction (needs the embeddings extra); false keeps
    # torch out of the extract workers.
    embeddings_enabled: bool = True
    # Where model artifacts live: "db" keeps them in the model_versions table,
    # a path keeps them as files there.
    artifact_store: str = "db"

    # Career path (issue 11): a posting is "wanted" at this expected score (0-3) or above,
    # and "matching" at this qualification match (0-1) or above.
    career_want_threshold: float = Field(2.0, ge=0, le=3)
    career_match_threshold: float = Field(0.7, ge=0, le=1)
    resume_max_bytes: int = Field(2_000_000, gt=0)

    # Saved searches (shared.saved_searches): beat looks for due ones this often, starts
    # no more than fit in this share of the LinkedIn budget per look, and refuses schedules
    # tighter than the minimum.
    saved_search_tick_seconds: float = Field(60.0, gt=0)
    saved_search_budget_share: float = Field(0.5, gt=0, le=1)
    saved_search_min_every_hours: float = Field(1.0, ge=0)
    # How often beat re-checks old tracked and recommended postings (shared.freshness).
    posting_recheck_interval_seconds: float = Field(300.0, gt=0)
    # Where users reach this deployment: the links in feeds and e-mails.
    public_url: str = "http://127.0.0.1:8000"
    # E-mail digests of new matches; off while smtp_host is empty.
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = "LIRecommend <alerts@localhost>"
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(10.0, gt=0)

    job_requeue_after_seconds: int = Field(120, ge=1)
    job_heartbeat_timeout_seconds: int = Field(300, ge=1)
    job_max_attempts: int = Field(3, ge=1)
    job_reap_interval_seconds: int = Field(30, ge=1)
    # How long an embedded-mode (SQLite) writer waits for another before giving up.
    sqlite_busy_timeout_seconds: float = Field(30.0, gt=0, allow_inf_nan=False)

    # The fair dispatcher (shared.dispatch): Celery messages in flight per user, per queue and
    # priority class; bulk messages in flight per queue across all users.
    dispatch_per_user: int = Field(2, ge=1)
    dispatch_bulk_per_queue: int = Field(4, ge=1)

    # Quotas; each refusal is a 429 or 413 naming the limit.
    max_queued_jobs_per_user: int = Field(10_000, ge=1)
    max_searches_per_hour: int = Field(30, ge=1)
    max_import_rows: int = Field(5_000, ge=1)
    max_blocklist_rules: int = Field(500, ge=1)

    @field_validator("database_url")
    @classmethod
    def _psycopg3(cls, v: str) -> str:
        # One driver everywhere: plain postgres URLs are steered to psycopg 3.
        for prefix in ("postgres://", "postgresql://"):
            if v.startswith(prefix):
                return "postgresql+psycopg://" + v[len(prefix) :]
        return v

    @field_validator(
        "signin_failures_per_account",
        "signin_failures_per_address",
        "signin_failures_per_deployment",
        "signups_per_address",
    )
    @classmethod
    def _rate(cls, v: str) -> str:
        from limits import parse

        parse(v)  # raises ValueError naming the bad string
        return v

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_api_key.get_secret_value() and self.llm_model)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'lirecommend.db').resolve()}"

    @property
    def embedded_broker(self) -> bool:
        return not self.broker_url

    @property
    def rate_limit_redis_url(self) -> str:
        if self.redis_url:
            return self.redis_url
        return self.broker_url if self.broker_url.startswith("redis") else ""


class SettingsError(ValueError):
    """A setting is out of range; the message names its environment variable."""


def describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        name = "LIR_" + "_".join(str(p) for p in error["loc"][:1]).upper()
        problems.append(f"{name}={error.get('input')!r}: {error['msg']}")
    return "invalid settings: " + "; ".join(problems)


@lru_cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None
