"""What the LLM tests share: settings pointed at the OpenAI-compatible stand-in, and users."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from services.sandbox.openai_standin import OpenAIStandin
from shared.db.models import User
from shared.settings import Settings

MODEL = "standin-mini"


def settings_for(standin: OpenAIStandin, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_base_url": standin.base_url,
        "llm_api_key": "test-key",
        "llm_model": MODEL,
        "llm_timeout_seconds": 5.0,
        "llm_max_retries": 2,
        "llm_monthly_budget_usd": 5.0,
        **overrides,
    }
    return Settings(**values)


def make_user(db: Session) -> int:
    user = User(email=f"u-{uuid.uuid4().hex[:10]}@example.com", password_hash="x")
    db.add(user)
    db.flush()
    return user.id
