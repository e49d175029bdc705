"""extract_fields and its field rules."""

from __future__ import annotations

import pytest

from shared.extraction import PostingText, extract_fields
from shared.extraction.fields import (
    education,
    employment_type,
    seniority,
    visa_sponsorship,
    workplace_type,
    years_experience,
)
from shared.extraction.location import Place, split_location


@pytest.mark.parametrize(
    ("location", "place"),
    [
        ("Zürich, Zurich, Switzerland", Place("Zürich", "Zurich", "Switzerland")),
        ("San Francisco, CA", Place("San Francisco", "California", "United States")),
        ("London Area, United Kingdom", Place("London", None, "United Kingdom")),
        ("Remote", Place(None, None, None, "remote")),
        ("United States", Place(None, None, "United States")),
        ("California, United States", Place(None, "California", "United States")),
        ("Greater Chicago Area", Place("Chicago", "Illinois", "United States")),
        ("New York City Metropolitan Area", Place("New York", "New York", "United States")),
        ("New York, NY", Place("New York", "New York", "United States")),
        ("Greater Boston", Place("Boston", "Massachusetts", "United States")),
        ("Dallas-Fort Worth Metroplex", Place("Dallas", "Texas", "United States")),
        ("Springfield Area", Place("Springfield", None, None)),
        ("Singapore, Singapore", Place("Singapore", None, "Singapore")),
        ("Toronto, ON", Place("Toronto", "Ontario", "Canada")),
        ("Berlin, Germany", Place("Berlin", None, "Germany")),
        ("Bengaluru, Karnataka, India", Place("Bengaluru", "Karnataka", "India")),
        ("Remote, United Kingdom", Place(None, None, "United Kingdom")),
        (None, Place(None, None, None)),
    ],
)
def test_split_location(location: str | None, place: Place) -> None:
    assert split_location(location) == place


@pytest.mark.parametrize(
    ("label", "title", "expected"),
    [
        ("Mid-Senior level", "Engineer", "mid-senior"),
        ("Entry level", "Senior Engineer", "entry"),  # the page's label wins
        ("Not Applicable", "Software Engineer III", "mid-senior"),
        ("Not Applicable", "Staff Software Engineer", "mid-senior"),
        (None, "Junior Developer", "entry"),
        (None, "Software Engineering Intern", "internship"),
        (None, "Director of Engineering", "director"),
        (None, "VP, Engineering", "executive"),
        (None, "Software Engineer", None),
    ],
)
def test_seniority(label: str | None, title: str, expected: str | None) -> None:
    assert seniority(PostingText(seniority=label, title=title)) == expected


def test_employment_type_label_then_text() -> None:
    assert employment_type(PostingText(employment_type="Part-time"), "full-time role") == (
        "part-time"
    )
    assert employment_type(PostingText(), "This is a 6 month contract role.") == "contract"
    assert employment_type(PostingText(), "A full time position in Austin.") == "full-time"
    assert employment_type(PostingText(), "Build things.") is None
    new_grad = "Start full-time after graduation. Previous internship experience is a plus."
    assert employment_type(PostingText(), new_grad) == "full-time"
    assert employment_type(PostingText(), "This internship runs 12 weeks.") == "internship"
    assert employment_type(PostingText(title="Data Science Intern"), "full-time") == ("internship")


def test_company_name_is_not_a_skill() -> None:
    doc = PostingText(company="Notion", description_text="Notion uses TypeScript and Notion.")
    assert extract_fields(doc).skills == ["TypeScript"]


@pytest.mark.parametrize(
    ("doc", "body", "expected"),
    [
        (PostingText(workplace_type="On-site"), "This is a fully remote role.", "on-site"),
        (PostingText(location="Remote"), "", "remote"),
        (PostingText(title="Engineer (Remote)"), "", "remote"),
        (PostingText(), "We offer a hybrid schedule, 3 days in office.", "hybrid"),
        (PostingText(), "This position is 100% remote within the US.", "remote"),
        (PostingText(), "You will work on-site in our Austin lab.", "on-site"),
        (PostingText(), "We build hybrid cloud software.", None),
    ],
)
def test_workplace_type(doc: PostingText, body: str, expected: str | None) -> None:
    assert workplace_type(doc, body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Requirements: 5+ years of experience with Python.", 5.0),
        ("3-5 years of professional software development experience", 3.0),
        ("At least two years of industry experience.", 2.0),
        ("Founded 25 years ago. You have 7 years’ experience in ML.", 7.0),
        ("We have served customers for 30 years.", None),
        ("1.5 years of experience building APIs", 1.5),
        ("At least 7 years in a technical role, 3 years as a developer", 7.0),
        ("EXPERIENCE: 3-4 years. Remote.", 3.0),
        ("3+ years Python development", 3.0),
        ("For over 20 years we have led engineering. 2 years of Go experience.", 2.0),
        ("Our 50+ years of learning science and 25 years of engineering excellence", None),
    ],
)
def test_years_experience(body: str, expected: float | None) -> None:
    assert years_experience(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Bachelor’s degree or equivalent. Preferred: Master's or PhD in CS.", "bachelor"),
        ("MS or PhD in Computer Science required.", "master"),
        ("Ph.D. in Physics or related field.", "phd"),
        ("High school diploma or GED.", "high-school"),
        ("No degree required, just skills.", "none"),
        ("BS/MS in Computer Science", "bachelor"),
        ("Experience with MS Office and distributed systems.", None),
        ("Certified Scrum Master preferred.", None),
        ("Master of Science in Statistics", "master"),
    ],
)
def test_education(body: str, expected: str | None) -> None:
    assert education(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("We are unable to sponsor visas for this role.", False),
        ("Applicants must be authorized to work without visa sponsorship.", False),
        ("This role does not offer sponsorship.", False),
        ("Must be a U.S. citizen due to clearance requirements.", False),
        ("Visa sponsorship is available for the right candidate.", True),
        ("We will sponsor H-1B transfers.", True),
        ("Great team and lunches.", None),
    ],
)
def test_visa_sponsorship(body: str, expected: bool | None) -> None:
    assert visa_sponsorship(body) is expected


def test_extract_fields_prefers_pay_block_and_reads_everything() -> None:
    doc = PostingText(
        title="Senior Backend Engineer (Go)",
        company="Acme",
        location="Zürich, Zurich, Switzerland",
        salary_text="CHF 140,000.00/yr - CHF 170,000.00/yr",
        seniority="Mid-Senior level",
        employment_type="Full-time",
        workplace_type="Hybrid",
        description_text=(
            "We build payments APIs in Go and Python on Kubernetes with CI/CD on GitHub "
            "Actions. You have 5+ years of experience and a Bachelor's degree in CS. "
            "The salary range is CHF 100,000 - CHF 120,000. Visa sponsorship is available."
        ),
    )
    result = extract_fields(doc)
    assert result.salary is not None
    assert (result.salary.currency, result.salary.period) == ("CHF", "year")
    assert (result.salary.annual_min, result.salary.annual_max) == (140000, 170000)
    assert result.salary.source == "pay_block"
    assert (result.seniority, result.employment_type, result.workplace_type) == (
        "mid-senior",
        "full-time",
        "hybrid",
    )
    assert (result.city, result.region, result.country) == ("Zürich", "Zurich", "Switzerland")
    assert result.years_experience == 5.0
    assert result.education == "bachelor"
    assert result.visa_sponsorship is True
    assert result.skills == ["Go", "Python", "Kubernetes", "CI/CD", "GitHub Actions"]


def test_extract_fields_falls_back_to_description_salary() -> None:
    doc = PostingText(
        location="New York, NY",
        salary_text="Competitive",
        description_text="The base salary range for this role is $150,000 - $180,000 per year.",
    )
    salary = extract_fields(doc).salary
    assert salary is not None
    assert (salary.annual_min, salary.annual_max, salary.source) == (
        150000,
        180000,
        "description",
    )


def test_extract_fields_empty_document() -> None:
    result = extract_fields(PostingText())
    assert result.model_dump() == {
        "salary": None,
        "seniority": None,
        "employment_type": None,
        "workplace_type": None,
        "city": None,
        "region": None,
        "country": None,
        "years_experience": None,
        "education": None,
        "visa_sponsorship": None,
        "skills": [],
    }
