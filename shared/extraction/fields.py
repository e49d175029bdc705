"""Rule-based extraction of the structured fields of a posting."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar, cast

from shared.extraction.location import split_location
from shared.extraction.models import (
    Education,
    EmploymentType,
    Extraction,
    PostingText,
    SalaryRange,
    Seniority,
    WorkplaceType,
)
from shared.extraction.salary import parse_salary
from shared.extraction.skills import extract_skills

_SENIORITY_LABELS: dict[str, Seniority] = {
    "internship": "internship",
    "entry level": "entry",
    "entry": "entry",
    "associate": "associate",
    "mid-senior level": "mid-senior",
    "mid-senior": "mid-senior",
    "director": "director",
    "executive": "executive",
}
# Title words, most senior first: "Senior Director" is a director, "Lead Intern" an intern.
_SENIORITY_TITLE: list[tuple[re.Pattern[str], Seniority]] = [
    (re.compile(r"\b(?:intern(?:ship)?|co-?op|apprentice)\b", re.I), "internship"),
    (
        re.compile(r"\b(?:chief|CTO|CEO|CIO|CFO|COO|president|SVP|EVP|VP|vice president)\b"),
        "executive",
    ),
    (re.compile(r"\b(?:director|head of)\b", re.I), "director"),
    (
        re.compile(
            r"\b(?:senior|sr\.?|staff|principal|lead|distinguished|architect|manager|"
            r"expert|III|IV|V)\b",
            re.I,
        ),
        "mid-senior",
    ),
    # Roman numerals are matched in capitals only ("I" is also a word).
    (re.compile(r"\b(?:(?i:junior|jr\.?|entry|graduate|new grad|trainee)|I)\b"), "entry"),
    (re.compile(r"\b(?:(?i:associate)|II)\b"), "associate"),
]
_EMPLOYMENT_LABELS: dict[str, EmploymentType] = {
    "full-time": "full-time",
    "full time": "full-time",
    "part-time": "part-time",
    "part time": "part-time",
    "contract": "contract",
    "temporary": "temporary",
    "internship": "internship",
    "volunteer": "volunteer",
    "other": "other",
}
_EMPLOYMENT_TEXT: list[tuple[re.Pattern[str], EmploymentType]] = [
    # "Previous internship experience" is no internship: it must be this posting's.
    (
        re.compile(
            r"\b(?:this|our|the|summer|paid|\d+[- ](?:week|month)) internship\b|"
            r"\binternship (?:program|position|role|opportunity)\b|\b(?:is|as) an? intern\b",
            re.I,
        ),
        "internship",
    ),
    (
        re.compile(
            r"\b(?:contract(?:or)?(?:-to-hire)?|C2C|corp-to-corp|1099|W-?2 contract)\b", re.I
        ),
        "contract",
    ),
    (
        re.compile(r"\b(?:temporary|temp|seasonal)\s+(?:role|position|job|assignment)\b", re.I),
        "temporary",
    ),
    (re.compile(r"\bpart[- ]time\b", re.I), "part-time"),
    (re.compile(r"\bfull[- ]time\b", re.I), "full-time"),
]
_TITLE_EMPLOYMENT: list[tuple[re.Pattern[str], EmploymentType]] = [
    (re.compile(r"\b(?:intern|internship|co-?op)\b", re.I), "internship"),
    (re.compile(r"\b(?:contract|contractor|freelance)\b", re.I), "contract"),
    (re.compile(r"\b(?:part[- ]time)\b", re.I), "part-time"),
    (re.compile(r"\b(?:temporary|temp|seasonal)\b", re.I), "temporary"),
]
_WORKPLACE_LABELS: dict[str, WorkplaceType] = {
    "remote": "remote",
    "hybrid": "hybrid",
    "on-site": "on-site",
    "onsite": "on-site",
    "on site": "on-site",
}
_REMOTE = re.compile(
    r"\b(?:fully remote|100% remote|remote[- ]first|remote[- ]eligible|remote position|"
    r"remote role|remote opportunity|work from home|work from anywhere|wfh|"
    r"(?:this|is a) (?:fully )?remote|remote \(|remote,|\(remote\)|remote$)",
    re.I,
)
_HYBRID = re.compile(r"\bhybrid\b(?!\s+cloud)", re.I)
_ONSITE = re.compile(r"\b(?:on[- ]?site|in[- ]office|in the office|in-person)\b", re.I)
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
}
_YEARS = re.compile(
    r"(?<![\d.$])(?P<n>\d{1,2}(?:\.\d)?|" + "|".join(_NUMBER_WORDS) + r")"
    r"(?:\s*\(\d{1,2}\))?\s*\+?\s*(?:(?:-|–|to|or)\s*\d{1,2}\s*\+?\s*)?"
    r"(?:plus\s+)?(?:years?|yrs?)['’]?\b(?!\s+(?:ago|old))(?P<tail>[^.;\n]{0,60})",
    re.I,
)
_EXPERIENCE = re.compile(
    r"experience|exp\b|background|industry|professional|working|hands-on|develop|engineering|"
    r"programming|coding|\b(?:in|as) an? |\bin (?:a|the) (?:\w+ ){0,3}(?:role|position|field)",
    re.I,
)
# "for 20 years", "25 years of excellence": the company's history, not a requirement.
_HISTORY_BEFORE = re.compile(
    r"\b(?:for|since|over the (?:past|last))\s+(?:over\s+|nearly\s+)?$", re.I
)
_HISTORY_AFTER = re.compile(r"history|legacy|excellence|track record|in business|heritage", re.I)
_EXPERIENCE_BEFORE = re.compile(r"experience\W{0,3}$", re.I)
_EDUCATION: list[tuple[re.Pattern[str], Education]] = [
    (re.compile(r"\b(?:high school|GED|secondary school diploma)\b", re.I), "high-school"),
    (re.compile(r"\bassociate['’]?s degree\b", re.I), "associate"),
    (
        re.compile(
            r"\b(?:bachelor['’]?s?|B\.?S\.?c?(?=\s*(?:/|in\b|degree|or\b|,|\())|B\.A\.|"
            r"BA degree|B\.?Tech|"
            r"B\.?Eng|BE degree|undergraduate degree|four[- ]year degree|4[- ]year degree|"
            r"college degree|university degree)",
            re.I,
        ),
        "bachelor",
    ),
    (
        re.compile(
            r"\b(?:master['’]?s?(?=\s*(?:/|in\b|degree|of\b|or\b|,|\())|M\.S\.|"
            r"MS(?=\s*(?:/|in\b|degree|or\b|,|\())|M\.?Sc|MBA|M\.?Tech|"
            r"M\.?Eng|graduate degree)",
            re.I,
        ),
        "master",
    ),
    (re.compile(r"\b(?:Ph\.?\s?D|doctorate|doctoral)", re.I), "phd"),
]
_EDUCATION_KEYS = (
    # " ms"/" bs" with the space: bare "ms " is in every "systems " and "teams ".
    "degree", "bachelor", "master", "ph.", "phd", "doctor", "mba", "b.s", "m.s", " bs",
    " ms", "/bs", "/ms", "(bs", "(ms", "b.a.", "b.tech", "m.tech", "b.eng", "m.eng",
    "high school", " ged", "diploma",
)  # fmt: skip
_NO_DEGREE = re.compile(
    r"\bno (?:college |university )?degree (?:is )?required\b|"
    r"\bdegree (?:is )?not required\b",
    re.I,
)
_VISA_NO = re.compile(
    r"(?:not|unable to|cannot|can['’]t|won['’]t|no)\s+(?:\w+\s+){0,4}?"
    r"(?:sponsor|sponsorship|visa)|without\s+(?:\w+\s+){0,4}?sponsorship|"
    r"sponsorship\s+(?:\w+\s+){0,3}?(?:not|unavailable)|"
    r"(?:U\.?S\.? citizenship|US citizens? only|must be a U\.?S\.? citizen)",
    re.I,
)
_VISA_YES = re.compile(
    r"(?:visa|H-?1B|immigration)\s+sponsorship\s+(?:is\s+)?(?:available|provided|offered|"
    r"possible)|(?:will|can|do|does|we)\s+(?:\w+\s+){0,2}?sponsor\b|"
    r"sponsorship (?:is )?(?:available|provided|offered)|relocation and visa support",
    re.I,
)


_L = TypeVar("_L", bound=str)


_last_lower: tuple[str, str] = ("", "")


def _lower(text: str) -> str:
    # Several fields scan the same description: lower-case it once (a one-entry cache).
    global _last_lower
    cached = _last_lower
    if cached[0] is text:
        return cached[1]
    lower = text.lower()
    _last_lower = (text, lower)
    return lower


def near(text: str, keys: tuple[str, ...], before: int = 60, after: int = 60) -> str:
    """Only the stretches of `text` around the keywords: scanning a few windows with the
    field regexes is far cheaper than scanning the whole description."""
    lower = _lower(text)
    spans = []
    for key in keys:
        i = lower.find(key)
        while i != -1:
            spans.append((max(0, i - before), i + len(key) + after))
            i = lower.find(key, i + 1)
    if not spans:
        return ""
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return "\n".join(text[a:b] for a, b in merged)


def _label(value: str | None, table: Mapping[str, _L]) -> _L | None:
    if not value:
        return None
    return table.get(value.strip().lower())


def seniority(doc: PostingText) -> Seniority | None:
    label = _label(doc.seniority, _SENIORITY_LABELS)
    if label:
        return label
    for pattern, level in _SENIORITY_TITLE:
        if doc.title and pattern.search(doc.title):
            return level
    return None


def employment_type(doc: PostingText, body: str) -> EmploymentType | None:
    label = _label(doc.employment_type, _EMPLOYMENT_LABELS)
    if label:
        return label
    for pattern, kind in _TITLE_EMPLOYMENT:
        if doc.title and pattern.search(doc.title):
            return kind
    head = body[:3000]
    for pattern, kind in _EMPLOYMENT_TEXT:
        if pattern.search(head):
            return kind
    return None


def workplace_type(doc: PostingText, body: str) -> WorkplaceType | None:
    label = _label(doc.workplace_type, _WORKPLACE_LABELS)
    if label:
        return label
    # "Seattle, WA (Hybrid)": LinkedIn's suffix stands in for a missing label.
    suffix = split_location(doc.location).workplace
    if suffix:
        return cast(WorkplaceType, suffix)
    loc = (doc.location or "").lower()
    if "remote" in loc:
        return "remote"
    if "hybrid" in loc:
        return "hybrid"
    title = doc.title or ""
    if re.search(r"\bremote\b", title, re.I):
        return "remote"
    if _HYBRID.search(title) or _HYBRID.search(near(body, ("hybrid",), 2, 12)):
        return "hybrid"
    if _REMOTE.search(near(body, ("remote", "work from", "wfh"), 20, 20)):
        return "remote"
    onsite = near(body, ("site", "office", "in-person"), 12, 4)
    if _ONSITE.search(title) or _ONSITE.search(onsite):
        return "on-site"
    return None


def years_experience(body: str) -> float | None:
    """The first 'N+ years … experience' requirement (ranges give their minimum)."""
    text = near(body, ("year", "yr"), 30, 70)
    for m in _YEARS.finditer(text):
        before = text[max(0, m.start() - 25) : m.start()]
        tail = m.group("tail")
        if _HISTORY_BEFORE.search(before) or _HISTORY_AFTER.search(tail):
            continue
        if not (_EXPERIENCE.search(tail) or _EXPERIENCE_BEFORE.search(before)):
            continue
        n = m.group("n").lower()
        value = float(_NUMBER_WORDS.get(n, 0) or n)
        if 0 < value <= 30:
            return value
    return None


def education(body: str) -> Education | None:
    """The lowest degree named: postings list the requirement before the preferences."""
    text = near(body, _EDUCATION_KEYS)
    if _NO_DEGREE.search(text):
        return "none"
    for pattern, level in _EDUCATION:
        if pattern.search(text):
            return level
    return None


def visa_sponsorship(body: str) -> bool | None:
    text = near(body, ("sponsor", "visa", "citizen", "h-1b", "h1b"), 80, 40)
    if _VISA_NO.search(text):
        return False
    if _VISA_YES.search(text):
        return True
    return None


def salary(doc: PostingText, workplace: WorkplaceType | None = None) -> SalaryRange | None:
    remote = workplace == "remote"
    for text, source in ((doc.salary_text, "pay_block"), (doc.description_text, "description")):
        found = text and parse_salary(
            text, doc.location, source=source, title=doc.title, remote=remote
        )
        if found:
            return found
    return None


def _skills(doc: PostingText, body: str) -> list[str]:
    skills = extract_skills(doc.title, body)
    if doc.company:
        # "Notion" hiring is not a Notion skill.
        company = doc.company.strip().casefold()
        skills = [s for s in skills if s.casefold() != company]
    return skills


def extract_fields(doc: PostingText) -> Extraction:
    body = doc.description_text or ""
    place = split_location(doc.location)
    workplace = workplace_type(doc, body)
    return Extraction(
        salary=salary(doc, workplace),
        seniority=seniority(doc),
        employment_type=employment_type(doc, body),
        workplace_type=workplace,
        city=place.city,
        region=place.region,
        country=place.country,
        years_experience=years_experience(body),
        education=education(body),
        visa_sponsorship=visa_sponsorship(body),
        skills=_skills(doc, body),
    )
