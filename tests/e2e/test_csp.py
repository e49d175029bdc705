"""Every page under the Content-Security-Policy in a real browser: no script, style or
request refused, the pages still work, and /docs renders Swagger UI from our own files."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from services.gateway.web.render import NAV
from tests.e2e.test_browser import shot, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.csp]


def _watch(page: Any) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return refused


def test_pages_work_under_the_csp(page: Any, artifacts: Path) -> None:
    refused = _watch(page)
    sign_up(page, f"csp-{uuid.uuid4().hex[:8]}@example.com")
    for path, label in NAV:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.locator("nav").get_by_text(label).count() >= 1
    page.goto("/insights")
    page.wait_for_load_state("networkidle")
    shot(page, artifacts, "30-insights-under-csp")
    assert refused == []


def test_docs_render_offline_under_the_csp(page: Any, gateway: str, artifacts: Path) -> None:
    refused = _watch(page)
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(gateway) else outside.append(r.url))
    page.goto("/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() >= 20
    assert page.locator(".title").first.inner_text().startswith("LIRecommend")
    shot(page, artifacts, "31-docs-offline")
    assert refused == []
    assert [u for u in outside if not u.startswith(("data:", "blob:"))] == []
