"""The stand-in's knobs for keeping up with the market: fresh postings in search results
(by count and over time) and the same job reposted under another id."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from services.sandbox.server import SandboxServer
from shared.linkedin import parse_posting, parse_search

SEARCH = "/jobs-guest/jobs/api/seeMoreJobPostings/search"


@pytest.fixture
def http() -> Iterator[tuple[SandboxServer, httpx.Client]]:
    with SandboxServer() as sb, httpx.Client(base_url=sb.base_url, timeout=5) as client:
        yield sb, client


def ids(client: httpx.Client, start: int = 0) -> list[str]:
    res = client.get(SEARCH, params={"keywords": "nurse", "location": "Leeds", "start": start})
    return [c.job_id for c in parse_search(res.text)]


def test_fresh_postings_go_on_top_and_push_the_rest_down(
    http: tuple[SandboxServer, httpx.Client],
) -> None:
    sb, client = http
    before = ids(client) + ids(client, 10)
    sb.configure(search_fresh=3)
    after = ids(client) + ids(client, 10)
    assert after[3:] == before[:-3]  # the old results, shifted by the three new ones
    assert not set(after[:3]) & set(before)
    sb.configure(search_fresh=4)
    again = ids(client)
    assert again[1:4] == after[:3]  # newest first; the earlier fresh ones stay


def test_fresh_postings_appear_over_time(http: tuple[SandboxServer, httpx.Client]) -> None:
    sb, client = http
    sb.configure(search_fresh_every_seconds=0.2)
    first = set(ids(client))
    time.sleep(0.5)
    assert set(ids(client)) - first


def test_a_repost_repeats_the_posting_under_its_own_id(
    http: tuple[SandboxServer, httpx.Client],
) -> None:
    sb, client = http
    sb.configure(reposts={"4200000999": "4200000001"})
    original = parse_posting(client.get("/jobs/view/4200000001/").text)
    repost = parse_posting(client.get("/jobs/view/4200000999/").text)
    assert repost.job_id == "4200000999"
    assert (repost.title, repost.company, repost.description_text) == (
        original.title,
        original.company,
        original.description_text,
    )
