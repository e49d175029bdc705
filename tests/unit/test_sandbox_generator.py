"""The stand-in's generated pages: deterministic, varied, and parseable by our parsers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from services.sandbox.generator import (
    FIELDS,
    WORKPLACES,
    generate,
    search_ids,
    search_total,
    workplace_index_for,
)
from services.sandbox.markup import fragment, full_page, search_page
from shared.linkedin import classify_page, parse_posting, parse_search

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SAMPLE = [4_100_000_000 + i * 7 for i in range(600)]


def test_same_id_same_posting() -> None:
    assert generate(4123456789) == generate("4123456789")
    assert fragment(generate(4123456789)) == fragment(generate(4123456789))
    assert generate(4123456789) != generate(4123456790)


def test_variety() -> None:
    postings = [generate(i) for i in SAMPLE]
    blocks = [p.salary_block for p in postings if p.salary_block]
    currencies = {re.match(r"[^\d]+", b).group(0).strip() for b in blocks}  # type: ignore[union-attr]
    assert currencies == {"$", "€", "£", "CA$", "A$", "CHF", "₹", "SGD"}
    assert {re.search(r"/(yr|mo|hr)", b).group(1) for b in blocks} == {"yr", "mo", "hr"}  # type: ignore[union-attr]
    assert any(p.salary_block is None and p.salary_in_description is None for p in postings)
    assert any(p.salary_in_description for p in postings)
    assert {p.field for p in postings} == {f.name for f in FIELDS}
    assert {p.workplace_type for p in postings} == set(WORKPLACES)
    assert {p.seniority for p in postings} >= {
        "Internship",
        "Entry level",
        "Mid-Senior level",
        "Director",
    }
    assert {p.employment_type for p in postings} >= {
        "Full-time",
        "Part-time",
        "Contract",
        "Internship",
    }
    assert len({p.company for p in postings}) > 20
    assert len({p.location.split(",")[-1].split("(")[0].strip() for p in postings}) >= 8
    assert any("(Remote)" in p.title or "(Hybrid)" in p.title for p in postings)
    assert any("(Remote)" in p.location or "(Hybrid)" in p.location for p in postings)


def test_fragment_parses_back_to_the_generated_fields() -> None:
    for jid in SAMPLE[:80]:
        gen = generate(jid)
        html = fragment(gen)
        assert classify_page(200, None, html).kind == "ok"
        posting = parse_posting(html, fetched_at=NOW)
        assert (posting.job_id, posting.title, posting.company, posting.location) == (
            gen.job_id,
            gen.title,
            gen.company,
            gen.location,
        )
        assert (posting.seniority, posting.employment_type, posting.industries) == (
            gen.seniority,
            gen.employment_type,
            gen.industries,
        )
        assert posting.salary == gen.salary_block  # never a sidebar figure
        assert posting.applicants == gen.applicants
        assert posting.posted_text == gen.posted_text
        shown = f"({gen.workplace_type})" in gen.title + gen.location
        assert posting.workplace_type == (gen.workplace_type.lower() if shown else None)
        assert (posting.description_text or "").startswith("About the role\n")
        if gen.salary_in_description:
            assert gen.salary_in_description in (posting.description_text or "")


def test_pay_usd_year_is_what_extraction_reads() -> None:
    """The demo persona rates by `pay_usd_year`: it must be the pay the model sees."""
    from shared.extraction import extract_fields
    from shared.extraction.models import PostingText
    from shared.ml.records import posting_record

    with_pay = 0
    for jid in SAMPLE[:120]:
        gen = generate(jid)
        page = parse_posting(full_page(gen, NOW), fetched_at=NOW)
        doc = PostingText(
            **{k: getattr(page, k) for k in ("title", "company", "location", "seniority")},
            description_text=page.description_text,
            salary_text=page.salary,
            employment_type=page.employment_type,
            workplace_type=page.workplace_type,
        )
        record = posting_record(doc, extract_fields(doc))
        read = [v for v in (record["annual_min"], record["annual_max"]) if v == v]  # not NaN
        assert (gen.pay_usd_year is None) == (not read), (jid, gen.pay_usd_year, read)
        if read:
            with_pay += 1
            assert abs(sum(read) / len(read) / gen.pay_usd_year - 1) < 0.1, (jid, read)
    assert with_pay > 60


def test_full_page_sidebar_pay_is_not_the_postings() -> None:
    for jid in SAMPLE[:40]:
        gen = generate(jid)
        html = full_page(gen, NOW)
        assert "main-job-card__salary-info" in html
        posting = parse_posting(html, fetched_at=NOW)
        assert posting.title == gen.title
        assert posting.salary == gen.salary_block


def test_closed_marker() -> None:
    gen = generate(4123456789)
    assert classify_page(200, None, fragment(gen, closed=True)).kind == "closed"
    assert parse_posting(full_page(gen, NOW, closed=True)).is_closed is True


def test_search_ids_are_stable_and_honour_workplace() -> None:
    first = search_ids("data scientist", "Berlin", [], 0)
    assert first == search_ids("data scientist", "Berlin", [], 0)
    assert len(first) == 10
    assert first != search_ids("data scientist", "Paris", [], 0)
    assert set(first).isdisjoint(search_ids("data scientist", "Berlin", [], 10))
    remote = search_ids("nurse", "", [2], 0)
    assert {WORKPLACES[workplace_index_for(i)] for i in remote} == {"Remote"}
    assert {generate(i).field for i in remote} == {"health"}
    total = search_total("nurse", "")
    assert 120 <= total <= 1000
    assert search_ids("nurse", "", [], total) == []


def test_search_cards_match_their_postings() -> None:
    ids = search_ids("product manager", "London", [], 20)
    cards = parse_search(search_page([generate(i) for i in ids], 20, NOW))
    assert [c.job_id for c in cards] == [str(i) for i in ids]
    for card in cards:
        posting = parse_posting(fragment(generate(card.job_id)))
        assert (card.title, card.company, card.location) == (
            posting.title,
            posting.company,
            posting.location,
        )
        gen = generate(card.job_id)
        assert card.salary == gen.salary_card
