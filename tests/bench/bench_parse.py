"""Parser speed vs the prototype (BeautifulSoup + html.parser + line heuristics) on the real
pages, and a 25-posting search -> scrape run against the stand-in at 150 ms latency.

Prints one JSON line. Targets: speedup_vs_bs4 >= 20, search_vs_bound <= 1.2.
Run: .venv/bin/python -m tests.bench.bench_parse
"""

from __future__ import annotations

import gc
import json
import re
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from services.sandbox.server import SandboxServer
from shared.linkedin import LinkedInClient, SearchQuery, parse_posting, parse_search
from shared.linkedin.ratelimit import RateLimiter
from shared.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "linkedin"
LATENCY_MS = 150
INTERVAL = 0.5
WANTED = 25


# -- the prototype's approach ------------------------------------------------------------------
def _lines(soup: BeautifulSoup) -> list[str]:
    return [ln.strip() for ln in soup.get_text("\n").splitlines() if ln.strip()]


def _after(lines: list[str], label: str) -> str | None:
    for i, line in enumerate(lines[:-1]):
        if line == label:
            return lines[i + 1]
    return None


def bs4_posting(html: str) -> dict[str, Any]:
    soup = BeautifulSoup(html, "html.parser")
    lines = _lines(soup)
    title = soup.find(class_="top-card-layout__title")
    company = soup.find("a", class_="topcard__org-name-link")
    location = soup.find("span", class_="topcard__flavor--bullet")
    description = soup.find(class_="show-more-less-html__markup")
    salary = soup.find(class_="compensation__salary")
    applicants = next((ln for ln in lines if re.search(r"\bapplicants\b", ln)), None)
    posted = next((ln for ln in lines if re.search(r"\bago\b", ln)), None)
    return {
        "title": title.get_text(strip=True) if title else None,
        "company": company.get_text(strip=True) if company else None,
        "location": location.get_text(strip=True) if location else None,
        "posted": posted,
        "applicants": applicants,
        "seniority": _after(lines, "Seniority level"),
        "employment_type": _after(lines, "Employment type"),
        "job_function": _after(lines, "Job function"),
        "industries": _after(lines, "Industries"),
        "description": description.get_text("\n", strip=True) if description else None,
        "salary": salary.get_text(" ", strip=True) if salary else None,
    }


def bs4_search(html: str) -> list[dict[str, Any]]:
    soup = BeautifulSoup(html, "html.parser")
    cards = []
    for card in soup.find_all("div", class_="base-search-card"):
        urn = str(card.get("data-entity-urn") or "")
        title = card.find(class_="base-search-card__title")
        company = card.find(class_="base-search-card__subtitle")
        location = card.find(class_="job-search-card__location")
        listed = card.find("time")
        cards.append(
            {
                "job_id": urn.rsplit(":", 1)[-1],
                "title": title.get_text(strip=True) if title else None,
                "company": company.get_text(strip=True) if company else None,
                "location": location.get_text(strip=True) if location else None,
                "listed": listed.get("datetime") if listed else None,
            }
        )
    return cards


# -- measurement -------------------------------------------------------------------------------
def one_pass(
    pages: list[tuple[str, str]], posting: Callable[..., Any], search: Callable[..., Any]
) -> float:
    started = time.perf_counter()
    for kind, html in pages:
        (search if kind == "search" else posting)(html)
    return (time.perf_counter() - started) * 1000 / len(pages)


def compare(pages: list[tuple[str, str]], rounds: int = 15) -> tuple[float, float]:
    """Median ms per page for each parser, passes interleaved so both see the same load
    (the machine is shared); garbage collection stays out of the timed passes."""
    ours: list[float] = []
    theirs: list[float] = []
    one_pass(pages, parse_posting, parse_search)  # warm-up
    gc.disable()
    try:
        for _ in range(rounds):
            ours.append(
                statistics.fmean(one_pass(pages, parse_posting, parse_search) for _ in range(5))
            )
            theirs.append(one_pass(pages, bs4_posting, bs4_search))
            gc.collect()
    finally:
        gc.enable()
    return statistics.median(ours), statistics.median(theirs)


def search_and_scrape() -> tuple[float, int]:
    with SandboxServer(latency_ms=LATENCY_MS) as sandbox:
        settings = Settings(
            linkedin_base_url=sandbox.base_url,
            linkedin_min_interval_seconds=INTERVAL,
            linkedin_jitter_seconds=0.0,
            redis_url="",
            broker_url="",
        )
        limiter = RateLimiter(INTERVAL, 0.0, key=f"bench-{uuid.uuid4()}")
        with LinkedInClient(settings, limiter=limiter) as client:
            started = time.perf_counter()
            cards = client.search(SearchQuery(keywords="data engineer", location="Berlin"), WANTED)
            results = [client.fetch_posting(card.job_id) for card in cards]
            seconds = time.perf_counter() - started
        assert len(cards) == WANTED and all(r.status == "fetched" for r in results)
        return seconds, int(sandbox.stats()["total"])


def main() -> None:
    pages = [
        ("search" if p.name.startswith("search") else "posting", p.read_text(encoding="utf-8"))
        for p in sorted(FIXTURES.glob("*.html"))
    ]
    # Same pages, same fields found both ways (sanity check before timing).
    for kind, html in pages:
        if kind == "posting":
            ours, theirs = parse_posting(html), bs4_posting(html)
            assert (ours.title, ours.company) == (theirs["title"], theirs["company"])
        else:
            assert [c.job_id for c in parse_search(html)] == [c["job_id"] for c in bs4_search(html)]
    fast, slow = compare(pages)
    seconds, requests = search_and_scrape()
    bound = requests * INTERVAL
    print(
        json.dumps(
            {
                "pages": len(pages),
                "selectolax_ms_per_page": round(fast, 3),
                "bs4_ms_per_page": round(slow, 3),
                "speedup_vs_bs4": round(slow / fast, 1),
                "search_postings": WANTED,
                "search_requests": requests,
                "latency_ms": LATENCY_MS,
                "min_interval_seconds": INTERVAL,
                "search_seconds": round(seconds, 3),
                "rate_bound_seconds": round(bound, 3),
                "search_vs_bound": round(seconds / bound, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
