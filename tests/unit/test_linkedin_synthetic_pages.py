"""The parsers against hand-written pages in tests/fixtures/linkedin_synthetic."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from shared.linkedin import PageVerdict, classify_page, parse_posting, parse_search
from shared.linkedin.posting import relative_to_datetime

SYNTHETIC = Path(__file__).resolve().parents[1] / "fixtures" / "linkedin_synthetic"
FETCHED = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def read(name: str) -> str:
    return (SYNTHETIC / name).read_bytes().decode("utf-8", errors="replace")


def test_closed_posting_is_kept_and_flagged() -> None:
    html = read("closed_hybrid_fragment.html")
    assert classify_page(200, None, html) == PageVerdict(
        kind="closed", reason="no longer accepting applications"
    )
    posting = parse_posting(html, fetched_at=FETCHED)
    assert posting.model_dump(exclude={"description_text", "description_html"}) == {
        "job_id": "3900000001",
        "title": "Data Engineer (Hybrid)",
        "company": "Rhine Pharma GmbH",
        "company_url": "https://de.linkedin.com/company/rhine-pharma",
        "location": "Berlin, Berlin, Germany",
        "posted_at": datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        "posted_text": "Reposted 3 days ago",
        "applicants": 1234,
        "applicants_text": "1,234 applicants",
        "seniority": "Associate",
        "employment_type": "Contract",
        "job_function": None,
        "industries": None,
        "workplace_type": "hybrid",
        "salary": None,
        "apply_url": None,
        "is_closed": True,
    }


def test_description_text_has_one_line_per_block() -> None:
    posting = parse_posting(read("closed_hybrid_fragment.html"))
    assert posting.description_text == (
        "Join our data team & build pipelines.\n"
        "Apply here or at our site.\n"
        "- Python <3\n"
        "- SQL\n"
        "and dbt\n"
        "- Airflow\n"
        "Benefits\n"
        "- Pension\n"
        "- Bike leasing"
    )


def test_description_html_is_sanitised() -> None:
    html = parse_posting(read("closed_hybrid_fragment.html")).description_html or ""
    for banned in (
        "<script",
        "alert",
        "<style",
        "color",
        "onclick",
        "javascript:",
        "<iframe",
        "<img",
        "tracker",
        "class=",
        "target=",
        "rel=",
    ):
        assert banned not in html, banned
    assert '<a href="https://careers.example/jobs/1">our site</a>' in html
    assert "<p>Join our <b>data</b> team &amp; build pipelines.</p>" in html
    assert "<li><p>Python &lt;3</p></li>" in html
    assert "<ol><li>Pension</li><li>Bike leasing</li></ol>" in html


def test_full_page_with_pay_block_and_sidebar() -> None:
    html = read("remote_full_page.html")
    assert classify_page(200, "https://www.linkedin.com/jobs/view/3900000002/", html).kind == "ok"
    posting = parse_posting(html, fetched_at=FETCHED)
    assert posting.job_id == "3900000002"
    assert posting.salary == "A$180,000.00/yr - A$220,000.00/yr"
    assert posting.workplace_type == "remote"  # from JSON-LD jobLocationType
    assert posting.apply_url == "https://jobs.kangaroo.example/42"
    assert posting.applicants == 25
    assert posting.posted_at == datetime(2026, 11, 12, 9, 30, tzinfo=UTC)
    assert posting.description_text == "Build the platform.\nOwn it."


def test_pay_inside_a_sidebar_card_is_never_the_postings_salary() -> None:
    html = read("remote_full_page.html").replace('class="salary compensation__salary">\n', "x>\n")
    posting = parse_posting(html)
    assert posting.title == "Staff Engineer"
    assert posting.salary is None


AUTHWALL_URL = "https://www.linkedin.com/authwall?trk=x&sessionRedirect=y"
LOGIN_URL = "https://www.linkedin.com/uas/login?session_redirect=z"
SIGNUP_URL = "https://www.linkedin.com/signup/cold-join"
SEARCH_URL = "https://www.linkedin.com/jobs/search/?trk=expired_jd_redirect&currentJobId=1"


@pytest.mark.parametrize(
    ("name", "status", "final_url", "kind", "reason"),
    [
        ("authwall.html", 200, None, "auth_wall", "sign-in page: 'Sign Up | LinkedIn'"),
        ("not_found.html", 200, None, "not_found", "not-found page: 'Page Not Found | LinkedIn'"),
        ("not_found.html", 404, None, "not_found", "HTTP 404"),
        ("truncated_fragment.html", 200, None, "garbage", "truncated posting: no description"),
        ("garbage.html", 200, None, "garbage", "no job posting markup"),
        ("remote_full_page.html", 429, None, "rate_limited", "HTTP 429 Too Many Requests"),
        (
            "remote_full_page.html",
            999,
            None,
            "rate_limited",
            "HTTP 999 (LinkedIn refused the request)",
        ),
        ("remote_full_page.html", 503, None, "garbage", "HTTP 503"),
        ("authwall.html", 200, AUTHWALL_URL, "auth_wall", "redirected to /authwall"),
        ("authwall.html", 200, LOGIN_URL, "auth_wall", "redirected to /uas/login"),
        ("authwall.html", 200, SIGNUP_URL, "auth_wall", "redirected to /signup/cold-join"),
        ("garbage.html", 200, SEARCH_URL, "not_found", "redirected to the job search"),
    ],
)
def test_classify(name: str, status: int, final_url: str | None, kind: str, reason: str) -> None:
    assert classify_page(status, final_url, read(name)) == PageVerdict(kind=kind, reason=reason)  # type: ignore[arg-type]


def test_classify_empty_and_none() -> None:
    assert classify_page(200, None, "") == PageVerdict(kind="garbage", reason="empty page")
    assert classify_page(200, None, None) == PageVerdict(kind="garbage", reason="empty page")
    assert classify_page(200, None, "   \n ") == PageVerdict(kind="garbage", reason="empty page")


@pytest.mark.parametrize("name", sorted(p.name for p in SYNTHETIC.glob("*.html")))
def test_parse_never_raises(name: str) -> None:
    html = read(name)
    parse_posting(html)
    parse_search(html)
    for cut in range(0, len(html), max(1, len(html) // 17)):
        parse_posting(html[:cut])
        classify_page(200, None, html[:cut])


def test_search_cards() -> None:
    cards = parse_search(read("search_cards.html"))
    assert [c.model_dump() for c in cards] == [
        {
            "job_id": "3900000010",
            "title": "QA Engineer",
            "company": "Initech",
            "company_url": "https://www.linkedin.com/company/initech",
            "location": "Austin, TX",
            "listed_on": date(2026, 11, 20),
            "listed_text": "6 days ago",
            "salary": "$137,750.00 - $185,000.00",
            "url": "https://www.linkedin.com/jobs/view/3900000010/",
        },
        {
            "job_id": "3900000011",  # from the link, the card has no data-entity-urn
            "title": "Registered Nurse",
            "company": "Umbrella Health",
            "company_url": None,
            "location": "Toronto, Ontario, Canada",
            "listed_on": None,  # unparseable datetime attribute
            "listed_text": "1 hour ago",
            "salary": None,
            "url": "https://www.linkedin.com/jobs/view/3900000011/",
        },
        # the card with no id is skipped; duplicates are the client's to drop
        {
            "job_id": "3900000010",
            "title": "QA Engineer",
            "company": None,
            "company_url": None,
            "location": None,
            "listed_on": None,
            "listed_text": None,
            "salary": None,
            "url": "https://www.linkedin.com/jobs/view/3900000010/",
        },
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 weeks ago", datetime(2026, 11, 12, 9, 30, tzinfo=UTC)),
        ("1 week ago", datetime(2026, 11, 19, 9, 30, tzinfo=UTC)),
        ("Reposted 3 days ago", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
        ("5 hours ago", datetime(2026, 11, 26, 4, 30, tzinfo=UTC)),
        ("30 minutes ago", datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
        ("1 month ago", datetime(2026, 10, 27, 9, 30, tzinfo=UTC)),
        ("30+ days ago", datetime(2026, 10, 27, 9, 30, tzinfo=UTC)),
        ("Just now", FETCHED),
        ("Actively hiring", None),
        ("", None),
    ],
)
def test_relative_dates(text: str, expected: datetime | None) -> None:
    assert relative_to_datetime(text, FETCHED) == expected


@pytest.mark.parametrize(
    ("title", "location", "expected"),
    [
        ("Senior Software Engineer- Remote", "United States", "remote"),
        ("Data Engineer (Hybrid)", "Berlin", "hybrid"),
        ("Nurse", "Toronto, Ontario, Canada (On-site)", "on-site"),
        ("Remote Sensing Scientist", "Denver, CO", None),
        ("Designer", "London (Remote)", "remote"),
        ("Hybrid Cloud Architect", "Paris", None),
        ("Onsite Technician | Onsite", "Austin, TX", "on-site"),
    ],
)
def test_workplace_type(title: str, location: str, expected: str | None) -> None:
    html = (
        '<section class="top-card-layout"><h1 class="top-card-layout__title">'
        f'{title}</h1><div class="topcard__flavor-row"><span class="topcard__flavor">Acme</span>'
        f'<span class="topcard__flavor topcard__flavor--bullet">{location}</span></div></section>'
    )
    assert parse_posting(html).workplace_type == expected
