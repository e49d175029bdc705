"""The parsers against real LinkedIn pages kept in ../shared/fixtures/linkedin (read-only)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from shared.linkedin import classify_page, parse_posting, parse_search

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "linkedin"
FETCHED = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_every_fixture_is_covered() -> None:
    names = {p.name for p in FIXTURES.glob("*.html")}
    assert names == set(POSTINGS) | set(SEARCHES)


POSTINGS: dict[str, dict[str, object]] = {
    "jobposting_fragment_sanofi_EUR-base-pay-range_scripts-stripped_ayreon69.html": {
        "job_id": "4460341047",
        "title": "Data Scientist",
        "company": "Sanofi",
        "company_url": "https://fr.linkedin.com/company/sanofi",
        "location": "Lyon, Auvergne-Rhône-Alpes, France",
        "posted_text": "1 week ago",
        "posted_at": datetime(2026, 6, 13, 12, 0, tzinfo=UTC),
        "applicants": 200,
        "applicants_text": "Over 200 applicants",
        "seniority": "Not Applicable",
        "employment_type": "Full-time",
        "job_function": "Engineering and Information Technology",
        "industries": "Pharmaceutical Manufacturing",
        "salary": "€54,400.00/yr - €72,533.33/yr",
        "apply_url": None,
        "workplace_type": None,
        "is_closed": False,
    },
    "jobposting_fragment_notion_salary-in-description-only_maeldk.html": {
        "job_id": "4406118990",
        "title": "Software Engineer, New Grad",
        "company": "Notion",
        "company_url": "https://www.linkedin.com/company/notionhq",
        "location": "San Francisco, CA",
        "posted_text": "1 week ago",
        "posted_at": datetime(2026, 6, 13, 12, 0, tzinfo=UTC),
        "applicants": 200,
        "applicants_text": "Over 200 applicants",
        "seniority": "Not Applicable",
        "employment_type": "Full-time",
        "job_function": "Engineering and Information Technology",
        "industries": "Software Development",
        "salary": None,  # the pay is only in the description text
        "apply_url": None,
        "workplace_type": None,
        "is_closed": False,
    },
    "jobview_full_dinie-coverletterer.html": {
        "job_id": "4411867124",
        "title": "Senior Software Engineer - Developer Experience",
        "company": "Heidi",
        "company_url": "https://au.linkedin.com/company/heidi",
        "location": "Melbourne, Victoria, Australia",
        "posted_text": "1 week ago",
        "posted_at": datetime(2026, 6, 13, 12, 0, tzinfo=UTC),
        "applicants": 196,
        "applicants_text": "196 applicants",
        "seniority": "Mid-Senior level",
        "employment_type": "Full-time",
        "job_function": "Engineering and Information Technology",
        "industries": "Software Development",
        "salary": None,  # the A$ figures in the sidebar belong to other jobs
        "apply_url": None,
        "workplace_type": None,
        "is_closed": False,
    },
    "jobview_full_google_2023_talynt.html": {
        "job_id": "3561224688",
        "title": "Power Monitoring Execution Engineer, Google Data Center",
        "company": "Google",
        "company_url": "https://www.linkedin.com/company/google",
        "location": "Austin, TX",
        "posted_text": "4 days ago",
        # The JSON-LD datePosted wins over "4 days ago".
        "posted_at": datetime(2023, 4, 11, 17, 58, 27, tzinfo=UTC),
        "applicants": 25,
        "applicants_text": "Be among the first 25 applicants",
        "seniority": "Not Applicable",
        "employment_type": "Full-time",
        "job_function": "Information Technology and Engineering",
        "industries": "Information Services and Technology, Information and Internet",
        "salary": None,
        "apply_url": "https://careers.google.com/jobs/results/"
        "116042984853512902-power-monitoring-execution-engineer/"
        "?src=Online/LinkedIn/linkedin_us&utm_source=linkedin&utm_medium=jobposting"
        "&utm_campaign=contract",
        "workplace_type": None,
        "is_closed": False,
    },
}

DESCRIPTION_STARTS = {
    "jobposting_fragment_sanofi_EUR-base-pay-range_scripts-stripped_ayreon69.html": (
        "Le contenu du poste est libellé en anglais car il nécessite de nombreuses interactions"
        " avec nos filiales à l’international, l'anglais étant la langue de travail.\n"
        "\n"
        "This job offer is accessible to all, regardless of gender.\n"
        "\n"
        "Job title: Data Scientist\n"
        "\n"
        "- Location: Lyon\n"
        "- Hybrid: 60% office / 40% remote\n"
        "- Permanent: Fulltime\n"
    ),
    "jobposting_fragment_notion_salary-in-description-only_maeldk.html": (
        "Who We Are\n\nNotion is the collaborative AI workspace where teams and agents think"
        " together."
    ),
    "jobview_full_dinie-coverletterer.html": (
        "Who We Are\n\nHealthcare needs a better rhythm: one that keeps care continuous and"
        " deeply human."
    ),
    "jobview_full_google_2023_talynt.html": (
        "Note: By applying to this position you will have an opportunity to share your"
        " preferred working location from the following:"
    ),
}


@pytest.mark.parametrize("name", sorted(POSTINGS))
def test_posting_fields(name: str) -> None:
    posting = parse_posting(read(name), fetched_at=FETCHED)
    got = posting.model_dump(exclude={"description_text", "description_html"})
    assert got == POSTINGS[name]


@pytest.mark.parametrize("name", sorted(POSTINGS))
def test_posting_description(name: str) -> None:
    posting = parse_posting(read(name), fetched_at=FETCHED)
    assert posting.description_text is not None
    assert posting.description_text.startswith(DESCRIPTION_STARTS[name])
    html = posting.description_html or ""
    assert "<script" not in html and "class=" not in html and "style=" not in html
    assert classify_page(200, None, read(name)).kind == "ok"


def test_salary_mentioned_only_in_text_stays_in_text() -> None:
    notion = parse_posting(
        read("jobposting_fragment_notion_salary-in-description-only_maeldk.html")
    )
    assert "$126,000 - $146,000" in (notion.description_text or "")
    google = parse_posting(read("jobview_full_google_2023_talynt.html"))
    assert "$136,000-$203,000 + bonus + equity + benefits" in (google.description_text or "")


def test_description_lists_are_one_item_per_line() -> None:
    text = parse_posting(read("jobview_full_google_2023_talynt.html")).description_text or ""
    assert (
        "Minimum qualifications:\n"
        "\n"
        "- Bachelor's degree in Engineering, Computer Science, or equivalent practical"
        " experience.\n"
        "- 10 years of experience with mission critical facilities such as data centers,"
        " power plants, hospitals, or a similar role.\n"
    ) in text


def test_url_argument_sets_job_id() -> None:
    posting = parse_posting(
        read("jobview_full_dinie-coverletterer.html"),
        url="https://ch.linkedin.com/jobs/view/4411867124/?refId=x",
    )
    assert posting.job_id == "4411867124"


SEARCHES: dict[str, list[str]] = {
    "search_seeMoreJobPostings_maeldk.html": [
        "4411180329", "4411170430", "4414046255", "4346880103", "4419969671",
        "4407980847", "4429131739", "4405841761", "4407988692", "4345859712",
    ],
    "search_seeMoreJobPostings_browser-serialized_2024-09_bebity.html": [
        "4033658775", "4035787847", "4034158315", "4034093686", "4033375527",
        "4033457865", "4033046211", "4035702853", "4033093792", "4034603153",
    ],
    "search_jobs-search-fullpage_remote_technical-architect_aidaemon.html": [
        "4366625847", "4366361632", "4366042105", "4366262633", "4356044395", "4366393064",
        "4366349197", "4366377562", "4366279301", "4356231036", "4355965107", "4366061033",
        "4366630623", "4366021837", "4366372111", "4366008045", "4366281218", "4367945610",
        "4356092295", "4366321913", "4366378241", "4366362405", "4366617845", "4365995062",
        "4340377442", "4351969364", "4366349837", "4360053258", "4364991022", "4356221015",
        "3796979059", "4310783132", "4356171381", "4354632035", "4351097063", "4366320279",
        "4366372933", "4359720289", "4339081147", "4356250145", "4366276366", "4366312929",
        "4361553303", "4312783459", "4356052755", "4286803140", "4366606079", "4319285578",
        "4359295564", "4356092524", "4366352894", "4368108716", "4365626968", "4362555602",
        "4366630601", "4340377444", "4363385340", "4366047836", "4361543348", "4355061312",
    ],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SEARCHES))
def test_search_card_ids(name: str) -> None:
    cards = parse_search(read(name))
    assert [c.job_id for c in cards] == SEARCHES[name]
    assert all(c.url == f"https://www.linkedin.com/jobs/view/{c.job_id}/" for c in cards)
    assert all(c.title and c.company and c.location and c.listed_on for c in cards)


def test_search_card_fields() -> None:
    cards = parse_search(read("search_seeMoreJobPostings_maeldk.html"))
    assert cards[0].model_dump() == {
        "job_id": "4411180329",
        "title": "Software Development Engineer II, Delivery Choice",
        "company": "Amazon",
        "company_url": "https://www.linkedin.com/company/amazon",
        "location": "Minneapolis, MN",
        "listed_on": date(2026, 6, 4),
        "listed_text": "1 week ago",
        "salary": None,
        "url": "https://www.linkedin.com/jobs/view/4411180329/",
    }
    bebity = parse_search(read("search_seeMoreJobPostings_browser-serialized_2024-09_bebity.html"))
    # time.job-search-card__listdate--new is a listing date too
    assert (bebity[0].listed_on, bebity[0].listed_text) == (date(2024, 9, 25), "17 hours ago")


def test_sidebar_cards_of_a_posting_page_are_not_search_results() -> None:
    assert parse_search(read("jobview_full_dinie-coverletterer.html")) == []
