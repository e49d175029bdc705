"""Guest job search: query <-> LinkedIn parameters, and the result cards."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs

from pydantic import ValidationError
from selectolax.lexbor import LexborHTMLParser, LexborNode

from shared.linkedin.models import SearchCard, SearchQuery, WorkplaceType
from shared.linkedin.text import node_text, strip_query
from shared.linkedin.urls import canonical_url, job_id_from_url, split_linkedin_url

SEARCH_PATH = "/jobs-guest/jobs/api/seeMoreJobPostings/search"
PAGE_SIZE = 10  # what LinkedIn returns per guest search page
MAX_START = 1000  # LinkedIn stops answering past this offset

WORKPLACE_CODES: dict[WorkplaceType, str] = {"on-site": "1", "remote": "2", "hybrid": "3"}
_WORKPLACE_BY_CODE = {v: k for k, v in WORKPLACE_CODES.items()}
_JOB_TYPES = {"F", "P", "C", "T", "I", "V"}
_EXPERIENCE = {"1", "2", "3", "4", "5", "6"}
# Query keys that are filters worth keeping from a pasted URL (f_* are kept too).
_EXTRA_KEYS = {"sortBy", "distance"}
_URN = re.compile(r"urn:li:jobPosting:([0-9]+)")


def search_params(query: SearchQuery, start: int = 0) -> dict[str, str]:
    """The query string for one page of the guest search endpoint."""
    params: dict[str, str] = {"keywords": query.keywords, "location": query.location}
    if query.geo_id:
        params["geoId"] = query.geo_id
    if query.posted_within_seconds:
        params["f_TPR"] = f"r{query.posted_within_seconds}"
    if query.workplace:
        params["f_WT"] = ",".join(WORKPLACE_CODES[w] for w in query.workplace)
    if query.experience:
        params["f_E"] = ",".join(str(e) for e in query.experience)
    if query.job_types:
        params["f_JT"] = ",".join(query.job_types)
    if query.salary_band:
        params["f_SB2"] = str(query.salary_band)
    for key, value in query.extra.items():
        params.setdefault(key, value)
    params["start"] = str(start)
    return params


def _split(value: str) -> list[str]:
    return [v for v in re.split(r"[,\s]+", value) if v]


def parse_search_url(url: str) -> SearchQuery:
    """A SearchQuery from a LinkedIn search URL pasted from a browser, filters included."""
    path, query = split_linkedin_url(url)
    if not (path.startswith("/jobs/search") or path.rstrip("/") == SEARCH_PATH):
        raise ValueError(f"not a LinkedIn job search URL: {url!r}")
    raw = {k: v[-1] for k, v in parse_qs(query).items()}
    fields: dict[str, object] = {
        "keywords": raw.pop("keywords", "").strip(),
        "location": raw.pop("location", "").strip(),
        "geo_id": raw.pop("geoId", None) or None,
    }
    if m := re.fullmatch(r"r([0-9]+)", raw.pop("f_TPR", "")):
        fields["posted_within_seconds"] = int(m.group(1)) or None
    fields["workplace"] = [
        _WORKPLACE_BY_CODE[c] for c in _split(raw.pop("f_WT", "")) if c in _WORKPLACE_BY_CODE
    ]
    fields["experience"] = [int(e) for e in _split(raw.pop("f_E", "")) if e in _EXPERIENCE]
    fields["job_types"] = [t for t in _split(raw.pop("f_JT", "")) if t in _JOB_TYPES]
    band = raw.pop("f_SB2", "")
    if band.isdigit() and 1 <= int(band) <= 9:
        fields["salary_band"] = int(band)
    fields["extra"] = {
        k: v for k, v in raw.items() if (k.startswith("f_") or k in _EXTRA_KEYS) and v
    }
    try:
        return SearchQuery.model_validate(fields)
    except ValidationError as exc:  # pragma: no cover - values were filtered above
        raise ValueError(f"not a usable LinkedIn search URL: {url!r}: {exc}") from None


# One selector walk per card instead of one per field.
_CARD_PARTS = (
    "a.base-card__full-link, .base-search-card__title, h4.base-search-card__subtitle,"
    " .job-search-card__location, .job-search-card__salary-info, time"
)


def _card_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_card(card: LexborNode) -> SearchCard | None:
    attrs = card.attributes
    m = _URN.search(attrs.get("data-entity-urn") or "")
    job_id = str(int(m.group(1))) if m else None
    href = attrs.get("href")  # some layouts make the whole card the link
    title = company = company_url = location = salary = listed_text = None
    listed_on = None
    for node in card.css(_CARD_PARTS):
        tag = node.tag
        if tag == "a":
            href = href or node.attributes.get("href")
        elif tag == "time":
            if listed_text is None:
                listed_text = node_text(node)
                listed_on = _card_date(node.attributes.get("datetime"))
        elif tag == "h4":
            company = node_text(node)
            link = node.css_first("a")
            company_url = strip_query(link.attributes.get("href")) if link else None
        else:
            classes = node.attributes.get("class") or ""
            if "base-search-card__title" in classes:
                title = node_text(node)
            elif "job-search-card__location" in classes:
                location = node_text(node)
            else:
                salary = node_text(node)
    if job_id is None and href:
        try:
            job_id = job_id_from_url(href)
        except ValueError:
            return None
    if job_id is None:
        return None
    return SearchCard(
        job_id=job_id,
        title=title,
        company=company,
        company_url=company_url,
        location=location,
        listed_on=listed_on,
        listed_text=listed_text,
        salary=salary,
        url=canonical_url(job_id),
    )


def parse_search_tree(tree: LexborHTMLParser) -> list[SearchCard]:
    cards = []
    for node in tree.css(".base-search-card"):
        card = parse_card(node)
        if card is not None:
            cards.append(card)
    return cards


def parse_search(html: str) -> list[SearchCard]:
    """Cards of a guest search response (fragment, browser-saved copy or full search page)."""
    if not html or not html.strip():
        return []
    return parse_search_tree(LexborHTMLParser(html))
