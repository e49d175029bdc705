from __future__ import annotations

import pytest

from shared.linkedin import canonical_url, job_id_from_url, parse_search_url, search_params
from shared.linkedin.models import SearchQuery


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/jobs/view/4411867124/",
        "https://www.linkedin.com/jobs/view/4411867124",
        "http://www.linkedin.com/jobs/view/4411867124/",
        "www.linkedin.com/jobs/view/4411867124/",
        "linkedin.com/jobs/view/4411867124",
        "  https://www.linkedin.com/jobs/view/4411867124/  ",
        "https://au.linkedin.com/jobs/view/"
        "senior-software-engineer-developer-experience-at-heidi-4411867124",
        "https://ch.linkedin.com/jobs/view/data-engineer-m-w-d-at-acme-4411867124?refId=abc%3D%3D"
        "&trackingId=xyz&position=1&pageNum=0&trk=public_jobs_jserp-result_search-card",
        "https://www.linkedin.com/jobs/search/?currentJobId=4411867124&keywords=python&refresh=true",
        "https://www.linkedin.com/jobs/collections/recommended/?currentJobId=4411867124",
        "https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/4411867124",
        "https://www.linkedin.com/comm/jobs/view/4411867124/?trackingId=x",
        "HTTPS://WWW.LINKEDIN.COM/jobs/view/4411867124/",
        "https://www.linkedin.com/jobs/view/4411867124/#fragment",
    ],
)
def test_job_id_forms(url: str) -> None:
    assert job_id_from_url(url) == "4411867124"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "hello",
        "4411867124",
        "https://linkedin.com.evil.com/jobs/view/4411867124/",
        "https://evil.com/jobs/view/4411867124/",
        "https://evillinkedin.com/jobs/view/4411867124/",
        "https://www.linkedin.com@evil.com/jobs/view/4411867124/",
        "https://user:pw@www.linkedin.com/jobs/view/4411867124/",
        "https://www.linkedin.com:8080/jobs/view/4411867124/",
        "ftp://www.linkedin.com/jobs/view/4411867124/",
        "javascript:alert(1)//www.linkedin.com/jobs/view/1",
        "https://www.linkedin.com/jobs/view/",
        "https://www.linkedin.com/jobs/view/senior-engineer/",
        "https://www.linkedin.com/in/someone/",
        "https://www.linkedin.com/jobs/search/?keywords=python",
        "https://www.linkedin.com/jobs/search/?currentJobId=abc",
        "https://www.linkedin.com/jobs/view/٤٤١١٨٦٧١٢٤/",
    ],
)
def test_rejects_non_job_urls(url: str) -> None:
    with pytest.raises(ValueError, match="not a LinkedIn job URL"):
        job_id_from_url(url)


def test_canonical_url() -> None:
    assert canonical_url("4411867124") == "https://www.linkedin.com/jobs/view/4411867124/"
    assert canonical_url(4411867124) == "https://www.linkedin.com/jobs/view/4411867124/"
    with pytest.raises(ValueError):
        canonical_url("../../admin")


def test_parse_search_url_keeps_filters() -> None:
    query = parse_search_url(
        "https://www.linkedin.com/jobs/search/?keywords=data%20engineer&location=Z%C3%BCrich"
        "&geoId=102436504&f_TPR=r604800&f_WT=2%2C3&f_E=3%2C4&f_JT=F%2CC&f_SB2=4&f_AL=true"
        "&sortBy=DD&currentJobId=4411867124&refresh=true&trk=public_jobs&origin=JOB_SEARCH_PAGE"
    )
    assert query == SearchQuery(
        keywords="data engineer",
        location="Zürich",
        geo_id="102436504",
        posted_within_seconds=604800,
        workplace=["remote", "hybrid"],
        experience=[3, 4],
        job_types=["F", "C"],
        salary_band=4,
        extra={"f_AL": "true", "sortBy": "DD"},
    )
    assert search_params(query, start=20) == {
        "keywords": "data engineer",
        "location": "Zürich",
        "geoId": "102436504",
        "f_TPR": "r604800",
        "f_WT": "2,3",
        "f_E": "3,4",
        "f_JT": "F,C",
        "f_SB2": "4",
        "f_AL": "true",
        "sortBy": "DD",
        "start": "20",
    }


def test_parse_search_url_guest_endpoint_and_bad_values() -> None:
    query = parse_search_url(
        "ch.linkedin.com/jobs-guest/jobs/api/seeMoreJobPostings/search"
        "?keywords=python&f_WT=9&f_E=12&f_JT=X&f_TPR=yesterday&start=25"
    )
    assert query == SearchQuery(keywords="python")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/jobs/view/4411867124/",
        "https://linkedin.com.evil.com/jobs/search/?keywords=x",
        "https://www.linkedin.com/feed/",
    ],
)
def test_parse_search_url_rejects(url: str) -> None:
    with pytest.raises(ValueError):
        parse_search_url(url)
