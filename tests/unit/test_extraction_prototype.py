"""The prototype's dataset format."""

from __future__ import annotations

import csv
from pathlib import Path

from shared.db.models import Posting
from shared.extraction import PostingText, parse_prototype_text

DATASET = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "datasets"
    / "lirecommend_ratings_351.csv"
)

SAMPLE = """position is Software Engineer, Data
company is Grammarly
location is Nevada, United States
salary is $225,000.00/yr - $269,000.00/yr

Seniority level is Mid-Senior level
Employment type is Full-time
Job function is Engineering and Information Technology
Industries is Software Development

  Grammarly is excited to offer a remote-first hybrid working model.
Second line."""


def test_parse_sample() -> None:
    doc = parse_prototype_text(SAMPLE)
    assert doc.model_dump() == {
        "title": "Software Engineer, Data",
        "company": "Grammarly",
        "location": "Nevada, United States",
        "description_text": "Grammarly is excited to offer a remote-first hybrid working model.\n"
        "Second line.",
        "salary_text": "$225,000.00/yr - $269,000.00/yr",
        "seniority": "Mid-Senior level",
        "employment_type": "Full-time",
        "workplace_type": None,
    }


def test_na_salary_and_missing_criteria() -> None:
    text = (
        "position is ML Engineer\ncompany is X\nlocation is Remote\nsalary is N/A\n\n"
        "Seniority level is Entry level\nEmployment type is Contract\nIndustries is Software\n"
        "\nBody starts here."
    )
    doc = parse_prototype_text(text)
    assert (doc.salary_text, doc.seniority, doc.employment_type, doc.description_text) == (
        None,
        "Entry level",
        "Contract",
        "Body starts here.",
    )


def test_body_without_second_blank_line() -> None:
    text = "position is A\ncompany is B\nlocation is C\nsalary is N/A\nThe body."
    assert parse_prototype_text(text).description_text == "The body."


def test_every_dataset_row_parses() -> None:
    with DATASET.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 351
    docs = [parse_prototype_text(r["posting_text"]) for r in rows]
    assert all(d.title and d.company and d.location and d.description_text for d in docs)
    assert sum(d.salary_text is not None for d in docs) == 184
    assert all(not d.description_text.startswith("Seniority") for d in docs if d.description_text)


def test_posting_text_reads_a_posting_row() -> None:
    row = Posting(title="T", company="C", location="Austin, TX", salary_text="$1/hr", url="u")
    assert PostingText.model_validate(row).model_dump(exclude_none=True) == {
        "title": "T",
        "company": "C",
        "location": "Austin, TX",
        "salary_text": "$1/hr",
    }
