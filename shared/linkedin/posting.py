"""Posting pages (full /jobs/view page or the guest jobPosting fragment) -> Posting, and
what kind of page a response is (posting, closed, sign-in wall, 404, garbage)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from shared.linkedin.description import render_description
from shared.linkedin.models import PageVerdict, Posting, WorkplaceType
from shared.linkedin.text import first_int, node_text, strip_query
from shared.linkedin.urls import job_id_from_url

AUTH_PATHS = ("/authwall", "/login", "/signup", "/uas/login", "/checkpoint", "/uas/authenticate")

_CRITERIA = {
    "seniority level": "seniority",
    "employment type": "employment_type",
    "job function": "job_function",
    "industries": "industries",
}
_CRITERIA_ORDER = ("seniority", "employment_type", "job_function", "industries")
_RELATIVE = re.compile(
    r"(\d+)\+?\s*(second|minute|hour|day|week|month|year)s?\s+ago", re.IGNORECASE
)
_UNIT_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}
_WORKPLACE_WORD = r"(remote|hybrid|on[- ]?site)"
_LOCATION_WORKPLACE = re.compile(rf"\b{_WORKPLACE_WORD}\b", re.IGNORECASE)
# In a title the word counts only as a marker: "(Remote)", "- Hybrid", "Remote | ...".
_TITLE_WORKPLACE = re.compile(
    rf"(?:[(\[]\s*{_WORKPLACE_WORD}\b|[-–—|,:]\s*{_WORKPLACE_WORD}\s*(?:$|[)\]])"
    rf"|^{_WORKPLACE_WORD}\s*[-–—|:])",
    re.IGNORECASE,
)
_AUTH_TITLE = re.compile(r"sign ?up|sign ?in|log ?in|join linkedin|security verification", re.I)
_NOT_FOUND_TITLE = re.compile(r"page not found|no longer available|job not found", re.I)
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_SIDEBAR_HINTS = ("similar-jobs", "aside", "people-also-viewed", "related-jobs", "base-card")

Scope = LexborHTMLParser | LexborNode  # both answer css() / css_first()


# -- small field helpers -------------------------------------------------------------------


def _comment_value(node: LexborNode | None) -> str | None:
    """LinkedIn hides values in <code id=..><!--"value"--></code>."""
    if node is None:
        return None
    m = _COMMENT.search(node.html or "")
    if not m:
        return None
    raw = m.group(1).strip()
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return str(value).strip() or None


def _workplace(title: str | None, location: str | None, remote_ld: bool) -> WorkplaceType | None:
    found: str | None = None
    if location and (m := _LOCATION_WORKPLACE.search(location)):
        found = m.group(1)
    elif title and (m := _TITLE_WORKPLACE.search(title)):
        found = next(g for g in m.groups() if g)
    if found is None:
        return "remote" if remote_ld else None
    word = found.lower().replace(" ", "-")
    if word.startswith("on"):
        return "on-site"
    return "remote" if word == "remote" else "hybrid"


def relative_to_datetime(text: str | None, fetched_at: datetime) -> datetime | None:
    """'2 weeks ago' / 'Reposted 3 days ago' / 'Just now' -> absolute time."""
    if not text:
        return None
    if re.search(r"just now|moments? ago", text, re.I):
        return fetched_at
    m = _RELATIVE.search(text)
    if not m:
        return None
    return fetched_at - timedelta(seconds=int(m.group(1)) * _UNIT_SECONDS[m.group(2).lower()])


def _parse_datetime(value: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _json_ld(tree: LexborHTMLParser) -> dict[str, object]:
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(deep=True) or "")
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("@type") == "JobPosting":
            return data
    return {}


def _in_sidebar(node: LexborNode) -> bool:
    parent = node.parent
    depth = 0
    while parent is not None and depth < 25:
        if parent.tag == "aside":
            return True
        classes = parent.attributes.get("class") or ""
        if any(hint in classes for hint in _SIDEBAR_HINTS):
            return True
        parent = parent.parent
        depth += 1
    return False


def _own_salary(details: Scope) -> str | None:
    """This posting's "Base pay range" block; pay shown on other jobs' cards never counts."""
    for node in details.css(".compensation__salary"):
        if not _in_sidebar(node):
            return node_text(node)
    return None


def _apply_url(card: Scope) -> str | None:
    url = _comment_value(card.css_first("code#applyUrl"))
    if not url or not url.startswith(("http://", "https://")):
        return None
    parts = urlsplit(url)
    if "/externalApply/" in parts.path:
        # The employer's own page hides in ?url=; it is what a person wants to open.
        target = parse_qs(parts.query).get("url", [""])[0]
        if target.startswith(("http://", "https://")):
            return target
    return url


def _job_id_from(value: str | None) -> str | None:
    if not value:
        return None
    if value.isdigit():
        return str(int(value))
    try:
        return job_id_from_url(value)
    except ValueError:
        return None


def _job_id(tree: LexborHTMLParser, card: Scope, url: str | None) -> str | None:
    # Cheapest first: a query for an element that is missing walks the whole document.
    if found := _job_id_from(url):
        return found
    head = tree.head
    for scope, selector, attr in (
        (head, 'link[rel="canonical"]', "href"),
        (head, 'meta[property="og:url"]', "content"),
        (card, "a.topcard__link", "href"),
    ):
        node = scope.css_first(selector) if scope is not None else None
        if node is not None and (found := _job_id_from(node.attributes.get(attr))):
            return found
    return _job_id_from(_comment_value(tree.css_first("code#decoratedJobPostingId")))


def _criteria(details: Scope) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    items = details.css("li.description__job-criteria-item")
    values: list[str | None] = []
    for item in items:
        key = (node_text(item.css_first(".description__job-criteria-subheader")) or "").lower()
        value = node_text(item.css_first(".description__job-criteria-text"))
        values.append(value)
        if key in _CRITERIA:
            found[_CRITERIA[key]] = value
    if not found and len(values) == len(_CRITERIA_ORDER):
        # Localised page (e.g. "Niveau hiérarchique"): LinkedIn keeps the same order.
        found = dict(zip(_CRITERIA_ORDER, values, strict=True))
    return found


def _location(card: Scope) -> str | None:
    row = card.css_first(".topcard__flavor-row")
    if row is not None:
        node = row.css_first(".topcard__flavor--bullet")
        if node is not None:
            return node_text(node)
    for node in card.css("span.topcard__flavor--bullet"):
        text = node_text(node)
        if text and "applicant" not in text.lower():
            return text
    return None


def _applicants_text(card: Scope) -> str | None:
    text = node_text(card.css_first(".num-applicants__caption"))
    if text:
        return text
    for node in card.css(".topcard__flavor--bullet"):
        text = node_text(node)
        if text and "applicant" in text.lower():
            return text
    return None


def _is_closed(card: Scope) -> bool:
    return (
        card.css_first(
            '.closed-job, .closed-job__flavor--closed, :lexbor-contains("no longer accepting '
            'applications" i):not(:has(*))'
        )
        is not None
    )


def _scopes(tree: LexborHTMLParser) -> tuple[Scope, Scope]:
    """The posting's top card and details; the whole page when the layout differs.

    Looking inside them keeps other jobs' sidebar cards out and avoids walking the
    whole (up to 300 KB) document for every field.
    """
    whole: Scope = tree
    card = tree.css_first(".top-card-layout") or whole
    details = tree.css_first(".decorated-job-posting__details") or whole
    return card, details


# -- page kinds ----------------------------------------------------------------------------


def _path_of(url: str | None) -> str:
    if not url:
        return ""
    try:
        return urlsplit(url).path.lower()
    except ValueError:
        return ""


def is_auth_url(url: str | None) -> bool:
    path = _path_of(url)
    return any(
        path == p or path.startswith(p + "/") or path.startswith(p + "?") for p in AUTH_PATHS
    )


def classify_tree(
    status_code: int | None, final_url: str | None, tree: LexborHTMLParser | None
) -> PageVerdict:
    status = status_code or 200
    if status == 429:
        return PageVerdict(kind="rate_limited", reason="HTTP 429 Too Many Requests")
    if status == 999:
        return PageVerdict(kind="rate_limited", reason="HTTP 999 (LinkedIn refused the request)")
    if is_auth_url(final_url):
        return PageVerdict(kind="auth_wall", reason=f"redirected to {_path_of(final_url)}")
    if status in (404, 410):
        return PageVerdict(kind="not_found", reason=f"HTTP {status}")
    if status >= 400:
        return PageVerdict(kind="garbage", reason=f"HTTP {status}")
    body = tree.body if tree is not None else None
    if (
        tree is None
        or body is None
        or (body.css_first("*") is None and not (body.text(deep=True) or "").strip())
    ):
        return PageVerdict(kind="garbage", reason="empty page")
    card, details = _scopes(tree)
    has_title = card.css_first(".top-card-layout__title, .topcard__title") is not None
    if not has_title:
        page_title = node_text(tree.css_first("title")) or ""
        if _AUTH_TITLE.search(page_title) or tree.css_first(".authwall, form.join-form"):
            return PageVerdict(kind="auth_wall", reason=f"sign-in page: {page_title!r}")
        if _NOT_FOUND_TITLE.search(page_title):
            return PageVerdict(kind="not_found", reason=f"not-found page: {page_title!r}")
        if _path_of(final_url).startswith(("/jobs/search", "/jobs/collections")):
            # LinkedIn sends visitors of a removed posting to the job search.
            return PageVerdict(kind="not_found", reason="redirected to the job search")
        if tree.css_first(".top-card-layout, .decorated-job-posting__details"):
            return PageVerdict(kind="garbage", reason="truncated posting: no title")
        return PageVerdict(kind="garbage", reason="no job posting markup")
    has_description = details.css_first(".show-more-less-html__markup, .description__text")
    if has_description is None:
        return PageVerdict(kind="garbage", reason="truncated posting: no description")
    if _is_closed(card):
        return PageVerdict(kind="closed", reason="no longer accepting applications")
    return PageVerdict(kind="ok")


def classify_page(status_code: int | None, final_url: str | None, html: str | None) -> PageVerdict:
    """What a response is: a posting, a closed posting, a sign-in wall, a 404, garbage..."""
    tree = LexborHTMLParser(html) if html and html.strip() else None
    return classify_tree(status_code, final_url, tree)


# -- the record ----------------------------------------------------------------------------


def parse_posting_tree(
    tree: LexborHTMLParser, url: str | None = None, fetched_at: datetime | None = None
) -> Posting:
    fetched = (fetched_at or datetime.now(UTC)).astimezone(UTC)
    ld = _json_ld(tree)
    card, details = _scopes(tree)
    title = node_text(card.css_first(".top-card-layout__title, .topcard__title"))
    company_link = card.css_first("a.topcard__org-name-link")
    company = node_text(company_link) or node_text(
        card.css_first(".topcard__flavor-row .topcard__flavor")
    )
    location = _location(card)
    posted_text = node_text(card.css_first(".posted-time-ago__text"))
    posted_at: datetime | None = None
    time_node = card.css_first("time[datetime]") if card is not tree else None
    for raw in (ld.get("datePosted"), time_node.attributes.get("datetime") if time_node else None):
        if isinstance(raw, str) and (posted_at := _parse_datetime(raw)):
            break
    if posted_at is None:
        posted_at = relative_to_datetime(posted_text, fetched)
    applicants_text = _applicants_text(card)
    markup = details.css_first(".show-more-less-html__markup") or details.css_first(
        ".description__text"
    )
    text, html = render_description(markup) if markup is not None else (None, None)
    criteria = _criteria(details)
    return Posting(
        job_id=_job_id(tree, card, url),
        title=title,
        company=company,
        company_url=strip_query(company_link.attributes.get("href")) if company_link else None,
        location=location,
        posted_at=posted_at,
        posted_text=posted_text,
        applicants=first_int(applicants_text),
        applicants_text=applicants_text,
        seniority=criteria.get("seniority"),
        employment_type=criteria.get("employment_type"),
        job_function=criteria.get("job_function"),
        industries=criteria.get("industries"),
        workplace_type=_workplace(title, location, ld.get("jobLocationType") == "TELECOMMUTE"),
        description_text=text,
        description_html=html,
        salary=_own_salary(details),
        apply_url=_apply_url(card),
        is_closed=_is_closed(card),
    )


def parse_posting(html: str, url: str | None = None, fetched_at: datetime | None = None) -> Posting:
    """Posting from a full /jobs/view page or a jobPosting fragment; never raises on bad HTML.

    `fetched_at` anchors relative dates ("2 weeks ago"); it defaults to now.
    """
    return parse_posting_tree(LexborHTMLParser(html or ""), url, fetched_at)


__all__ = [
    "classify_page",
    "classify_tree",
    "is_auth_url",
    "parse_posting",
    "parse_posting_tree",
    "relative_to_datetime",
]
