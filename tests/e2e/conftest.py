"""Real-browser fixtures: a uvicorn gateway subprocess over the real stack (Postgres, Redis,
a Celery worker, the LinkedIn stand-in) and Debian's chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, Gateway, Worker

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def gateway(worker: Worker) -> Iterator[str]:
    """`python -m uvicorn services.gateway.app:app` on a free port; yields its base URL."""
    gw = Gateway()
    yield gw.base
    gw.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, gateway: str, artifacts: Path, request: Any) -> Iterator[Any]:
    """A fresh context (own cookies and storage) per test, with downloads allowed. The
    last page state is saved as `last-<test>.png`, which shows where a failure stopped.

    Tests marked `csp` run under the page's Content-Security-Policy; the others bypass it,
    because Playwright's wait_for_function evaluates its predicate as a string in the page,
    which our CSP (no 'unsafe-eval') rightly refuses."""
    context = browser.new_context(
        base_url=gateway,
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
        bypass_csp=request.node.get_closest_marker("csp") is None,
    )
    context.set_default_timeout(30_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    pg.screenshot(path=str(artifacts / f"last-{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"JavaScript errors on the pages: {errors}"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
