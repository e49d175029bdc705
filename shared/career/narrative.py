"""An optional LLM narrative of the plan. It may cite only skills and figures from the
computed gaps: an answer naming anything else is refused and the template stands. Cached
by the exact facts sent, budgeted per user like extraction (same LLMUsage rows)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from shared.db.models import LLMCacheEntry, LLMUsage
from shared.extraction.llm import LLMExtractor
from shared.extraction.skills import extract_skills
from shared.settings import Settings

GAPS_MARKER = "GAPS JSON:"
SCHEMA_NAME = "career_plan"
MAX_CHARS = 1200
_EXPECTED_COMPLETION_TOKENS = 300
SYSTEM_PROMPT = """You write a short, encouraging career plan (at most 120 words) for one
person, from the computed figures you are given. Mention only the skills listed in "gaps"
and only numbers that appear in the figures; do not invent skills, numbers or job titles.
Answer with JSON: {"narrative": "..."}. The figures are in the user message."""
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")


class NarrativeOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    narrative: str = Field(min_length=20, max_length=MAX_CHARS)


RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {
        "name": SCHEMA_NAME,
        "strict": True,
        "schema": NarrativeOut.model_json_schema(),
    },
}


@dataclass
class NarrativeResult:
    text: str | None
    outcome: str  # llm | llm_cached | fallback:<reason>


class _Retry(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def facts_payload(facts: dict[str, Any]) -> list[dict[str, str]]:
    user = f"{GAPS_MARKER}\n{json.dumps(facts, ensure_ascii=False, sort_keys=True)}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def _allowed_numbers(value: Any, out: set[float]) -> set[float]:
    if isinstance(value, bool):
        return out
    if isinstance(value, int | float):
        out.add(round(float(value), 2))
        out.add(round(float(value), 1))
        out.add(float(round(float(value))))
    elif isinstance(value, dict):
        for v in value.values():
            _allowed_numbers(v, out)
    elif isinstance(value, list):
        for v in value:
            _allowed_numbers(v, out)
    return out


def check_narrative(text: str, facts: dict[str, Any]) -> str | None:
    """None when the text cites only the facts' skills and figures, else the reason."""
    allowed_skills = {g["skill"] for g in facts.get("gaps", [])}
    foreign = [s for s in extract_skills(text) if s not in allowed_skills]
    if foreign:
        return f"names skills outside the gaps: {', '.join(foreign[:5])}"
    allowed = _allowed_numbers(facts, set())
    for raw in _NUMBER.findall(text):
        if round(float(raw), 2) not in allowed:
            return f"cites a figure not in the gaps: {raw}"
    return None


def narrate(
    session: Session, settings: Settings, user_id: int, facts: dict[str, Any]
) -> NarrativeResult:
    messages = facts_payload(facts)
    key = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
    model = f"{settings.llm_model}#{SCHEMA_NAME}"[:100]
    cached = session.get(LLMCacheEntry, (key, model))
    if cached is not None and check_narrative(cached.result.get("narrative", ""), facts) is None:
        _usage(session, user_id, settings.llm_model, "cached", [0, 0], 0.0)
        return NarrativeResult(cached.result["narrative"], "llm_cached")
    extractor = LLMExtractor(settings)
    prompt_tokens = sum(len(m["content"]) for m in messages) // 4
    estimate = extractor.cost(prompt_tokens, _EXPECTED_COMPLETION_TOKENS)
    if extractor.month_spent(session, user_id) + estimate > settings.llm_monthly_budget_usd:
        _usage(session, user_id, settings.llm_model, "fallback:budget", [0, 0], 0.0)
        return NarrativeResult(None, "fallback:budget")
    tokens = [0, 0]
    try:
        text = Retrying(
            retry=retry_if_exception_type(_Retry),
            stop=stop_after_attempt(1 + max(0, settings.llm_max_retries)),
            wait=wait_random_exponential(multiplier=0.25, max=5),
            reraise=True,
        )(_attempt, extractor, messages, facts, tokens)
    except (_Retry, openai.OpenAIError) as exc:
        reason = exc.reason if isinstance(exc, _Retry) else type(exc).__name__
        cost = extractor.cost(tokens[0], tokens[1])
        _usage(session, user_id, settings.llm_model, f"fallback:{reason}"[:32], tokens, cost)
        return NarrativeResult(None, f"fallback:{reason}")
    _usage(session, user_id, settings.llm_model, "ok", tokens, extractor.cost(tokens[0], tokens[1]))
    try:
        with session.begin_nested():
            session.add(LLMCacheEntry(content_hash=key, model=model, result={"narrative": text}))
    except IntegrityError:
        pass  # another request cached it first
    return NarrativeResult(text, "llm")


def _attempt(
    extractor: LLMExtractor,
    messages: list[dict[str, str]],
    facts: dict[str, Any],
    tokens: list[int],
) -> str:
    try:
        response = extractor.client.chat.completions.create(  # type: ignore[call-overload]
            model=extractor.model, messages=messages, response_format=RESPONSE_FORMAT, temperature=0
        )
    except (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError) as exc:
        raise _Retry(type(exc).__name__) from exc
    except openai.APIStatusError as exc:
        if exc.status_code >= 500:
            raise _Retry("server_error") from exc
        raise
    if response.usage is not None:
        tokens[0] += response.usage.prompt_tokens
        tokens[1] += response.usage.completion_tokens
    if not response.choices or response.choices[0].message.refusal:
        raise _Retry("refusal")
    try:
        text = NarrativeOut.model_validate_json(response.choices[0].message.content or "").narrative
    except ValidationError as exc:
        raise _Retry("schema") from exc
    problem = check_narrative(text, facts)
    if problem is not None:
        raise _Retry("unsupported")  # asked again: the answer must stay within the facts
    return text.strip()


def _usage(
    session: Session,
    user_id: int,
    model: str,
    outcome: str,
    tokens: list[int],
    cost: float,
) -> None:
    session.add(
        LLMUsage(
            user_id=user_id,
            model=model,
            prompt_tokens=tokens[0],
            completion_tokens=tokens[1],
            cost_usd=cost,
            outcome=outcome,
        )
    )
