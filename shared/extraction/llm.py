"""Optional LLM extraction: cached by content hash, validated, retried, budgeted per user.

Every call ends in an `LLMOutcome`: "ok", "cached", or "fallback:<reason>" (the caller then
uses the rules). Each call writes one LLMUsage row; the session is never committed here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import openai
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from shared.db.models import LLMCacheEntry, LLMUsage
from shared.extraction.llm_schema import LLMFields, build_messages, to_extraction
from shared.extraction.models import Extraction, PostingText
from shared.settings import Settings

RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {
        "name": "posting_fields",
        "strict": True,
        "schema": LLMFields.model_json_schema(),
    },
}
# Expected answer size, to check the budget before a call rather than after it.
_EXPECTED_COMPLETION_TOKENS = 400
_CHARS_PER_TOKEN = 4
_MAX_WAIT_SECONDS = 30.0


@dataclass
class LLMOutcome:
    extraction: Extraction | None
    outcome: str  # ok | cached | fallback:<reason>
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    attempts: int = 0


class _AttemptFailed(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Fatal(Exception):
    """A failure that retrying cannot fix (bad key, bad request)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _retry_after(err: openai.APIStatusError) -> float | None:
    value = err.response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class LLMExtractor:
    def __init__(self, settings: Settings, *, backoff_seconds: float = 0.5) -> None:
        self.settings = settings
        self.model = settings.llm_model
        self.backoff_seconds = backoff_seconds
        self.client = openai.OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value(),
            timeout=settings.llm_timeout_seconds,
            max_retries=0,  # retries are ours: they are counted, billed and reasoned
        )

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        s = self.settings
        return (
            prompt_tokens / 1000 * s.llm_price_per_1k_input_usd
            + completion_tokens / 1000 * s.llm_price_per_1k_output_usd
        )

    def estimate_cost(self, messages: list[dict[str, str]]) -> float:
        prompt_chars = sum(len(m["content"]) for m in messages)
        return self.cost(prompt_chars // _CHARS_PER_TOKEN, _EXPECTED_COMPLETION_TOKENS)

    def month_spent(self, session: Session, user_id: int | None) -> float:
        start = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        who = LLMUsage.user_id.is_(None) if user_id is None else LLMUsage.user_id == user_id
        query = select(func.coalesce(func.sum(LLMUsage.cost_usd), 0.0)).where(
            who, LLMUsage.created_at >= start
        )
        return float(session.scalar(query) or 0.0)

    def extract(
        self,
        session: Session,
        doc: PostingText,
        *,
        content_hash: str,
        user_id: int | None,
        posting_id: int | None,
    ) -> LLMOutcome:
        result = self._extract(session, doc, content_hash, user_id)
        session.add(
            LLMUsage(
                user_id=user_id,
                posting_id=posting_id,
                model=self.model,
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                cost_usd=result.cost_usd,
                outcome=result.outcome,
            )
        )
        session.flush()
        return result

    def _cached(self, session: Session, content_hash: str) -> Extraction | None:
        entry = session.get(LLMCacheEntry, (content_hash, self.model), populate_existing=True)
        if entry is None:
            return None
        try:
            return to_extraction(LLMFields.model_validate(entry.result))
        except ValidationError:
            return None  # written under an older schema: ask again

    def _extract(
        self, session: Session, doc: PostingText, content_hash: str, user_id: int | None
    ) -> LLMOutcome:
        cached = self._cached(session, content_hash)
        if cached is not None:
            return LLMOutcome(cached, "cached")
        messages = build_messages(doc)
        estimate = self.estimate_cost(messages)
        if self.month_spent(session, user_id) + estimate > self.settings.llm_monthly_budget_usd:
            return LLMOutcome(None, "fallback:budget")
        if session.get_bind().dialect.name == "postgresql":
            # Workers extracting the same text wait for each other, so it is sent only once.
            session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:h, 0))"), {"h": content_hash}
            )
            cached = self._cached(session, content_hash)
            if cached is not None:
                return LLMOutcome(cached, "cached")
        return self._call(session, messages, content_hash)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _AttemptFailed) and exc.retry_after is not None:
            return min(exc.retry_after, _MAX_WAIT_SECONDS)
        base = self.backoff_seconds * 2 ** (state.attempt_number - 1)
        return min(base * (0.5 + random.random()), _MAX_WAIT_SECONDS)  # jittered

    def _call(
        self, session: Session, messages: list[dict[str, str]], content_hash: str
    ) -> LLMOutcome:
        usage = LLMOutcome(None, "ok")
        retrying = Retrying(
            retry=retry_if_exception_type(_AttemptFailed),
            stop=stop_after_attempt(1 + max(0, self.settings.llm_max_retries)),
            wait=self._wait,
            reraise=True,
        )
        try:
            fields = retrying(self._attempt, messages, usage)
        except (_AttemptFailed, _Fatal) as exc:
            usage.outcome = f"fallback:{exc.reason}"
            usage.cost_usd = self.cost(usage.prompt_tokens, usage.completion_tokens)
            return usage
        usage.extraction = to_extraction(fields)
        usage.cost_usd = self.cost(usage.prompt_tokens, usage.completion_tokens)
        self._store(session, content_hash, fields)
        return usage

    def _attempt(self, messages: list[dict[str, str]], usage: LLMOutcome) -> LLMFields:
        usage.attempts += 1
        try:
            response = self.client.chat.completions.create(  # type: ignore[call-overload]
                model=self.model,
                messages=messages,
                response_format=RESPONSE_FORMAT,
                temperature=0,
            )
        except openai.APITimeoutError as exc:
            raise _AttemptFailed("timeout") from exc
        except openai.APIConnectionError as exc:
            raise _AttemptFailed("connection") from exc
        except openai.RateLimitError as exc:
            raise _AttemptFailed("rate_limit", _retry_after(exc)) from exc
        except openai.APIStatusError as exc:
            if exc.status_code >= 500:
                raise _AttemptFailed("server_error", _retry_after(exc)) from exc
            raise _Fatal(f"http_{exc.status_code}") from exc
        if response.usage is not None:
            usage.prompt_tokens += response.usage.prompt_tokens
            usage.completion_tokens += response.usage.completion_tokens
        if not response.choices:
            raise _AttemptFailed("empty")
        choice = response.choices[0]
        if choice.message.refusal or choice.finish_reason == "content_filter":
            raise _AttemptFailed("refusal")
        if choice.finish_reason == "length":
            raise _AttemptFailed("truncated")
        try:
            return LLMFields.model_validate_json(choice.message.content or "")
        except ValidationError as exc:
            malformed = any(e["type"] == "json_invalid" for e in exc.errors())
            raise _AttemptFailed("malformed" if malformed else "schema") from exc

    def _store(self, session: Session, content_hash: str, fields: LLMFields) -> None:
        # A savepoint: if another process cached the same hash first, keep theirs.
        try:
            with session.begin_nested():
                session.add(
                    LLMCacheEntry(
                        content_hash=content_hash, model=self.model, result=fields.model_dump()
                    )
                )
        except IntegrityError:
            pass
