"""Fixtures of the integration tests that use the OpenAI-compatible stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.sandbox.openai_standin import OpenAIStandin


@pytest.fixture(scope="module")
def standin() -> Iterator[OpenAIStandin]:
    with OpenAIStandin() as server:
        yield server


@pytest.fixture
def llm(standin: OpenAIStandin) -> OpenAIStandin:
    """The stand-in answering well, its counters reset."""
    standin.configure(mode="good", sequence=[], retry_after=0.05, reset_stats=True)
    return standin
