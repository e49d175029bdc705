"""Fixtures of the integration tests: the OpenAI-compatible stand-in, a local SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from services.sandbox.openai_standin import OpenAIStandin
from tests.conftest import free_port
from tests.integration.smtp import Inbox


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    box = Inbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def standin() -> Iterator[OpenAIStandin]:
    with OpenAIStandin() as server:
        yield server


@pytest.fixture
def llm(standin: OpenAIStandin) -> OpenAIStandin:
    """The stand-in answering well, its counters reset."""
    standin.configure(mode="good", sequence=[], retry_after=0.05, reset_stats=True)
    return standin
