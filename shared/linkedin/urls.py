"""LinkedIn job URLs: pull the job id out of whatever a person pastes, build canonical URLs."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

CANONICAL_BASE = "https://www.linkedin.com"

_ID = r"([0-9]{1,20})"
# Paths that carry the job id as their last segment, optionally after a slug
# ("senior-engineer-at-acme-4411867124").
_PATH_PATTERNS = (
    re.compile(rf"^/(?:comm/)?jobs/view/(?:[^/]*-)?{_ID}/?$"),
    re.compile(rf"^/jobs-guest/jobs/api/jobPosting/{_ID}/?$"),
)
_QUERY_ID_KEYS = ("currentJobId",)


def is_linkedin_host(host: str | None) -> bool:
    """linkedin.com and its subdomains (www., ch., de., m.), nothing that merely contains it."""
    if not host:
        return False
    host = host.lower().rstrip(".")
    return host == "linkedin.com" or host.endswith(".linkedin.com")


def _shown(text: str, limit: int = 60) -> str:
    """Input echoed in an error, cut to a short prefix."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def split_linkedin_url(url: str) -> tuple[str, str]:
    """Returns (path, query) of a LinkedIn URL, accepting it with or without a scheme."""
    text = url.strip()
    if not text:
        raise ValueError("not a LinkedIn job URL: empty")
    candidate = text if "://" in text else "https://" + text.lstrip("/")
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a LinkedIn job URL: {_shown(url)} ({exc})") from None
    if parts.scheme not in {"http", "https"}:
        raise ValueError(f"not a LinkedIn job URL: {_shown(url)} (scheme {parts.scheme!r})")
    if parts.username or parts.password or port not in {None, 80, 443}:
        raise ValueError(f"not a LinkedIn job URL: {_shown(url)}")
    if not is_linkedin_host(parts.hostname):
        raise ValueError(f"not a LinkedIn job URL: {_shown(url)} (host {parts.hostname!r})")
    return parts.path or "/", parts.query


# A pure function on every rating and prediction, whose URLs repeat (a posting from a list is
# rated and scored by many): parsed once. Errors are not cached; each raises again.
@lru_cache(maxsize=8192)
def job_id_from_url(url: str) -> str:
    """The numeric job id from any LinkedIn job URL form; ValueError for anything else."""
    path, query = split_linkedin_url(url)
    for pattern in _PATH_PATTERNS:
        if m := pattern.match(path):
            return normalize_job_id(m.group(1))
    params = parse_qs(query)
    for key in _QUERY_ID_KEYS:
        for value in params.get(key, []):
            if re.fullmatch(r"[0-9]{1,20}", value) and int(value) > 0:
                return str(int(value))
    raise ValueError(f"not a LinkedIn job URL: {_shown(url)} (no job id)")


def normalize_job_id(job_id: str | int) -> str:
    text = str(job_id).strip()
    if not re.fullmatch(r"[0-9]{1,20}", text) or int(text) == 0:
        raise ValueError(f"not a LinkedIn job id: {_shown(str(job_id))} (a positive number)")
    return str(int(text))


def canonical_url(job_id: str | int) -> str:
    return f"{CANONICAL_BASE}/jobs/view/{normalize_job_id(job_id)}/"
