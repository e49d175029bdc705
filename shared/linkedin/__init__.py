"""LinkedIn scraping layer: URLs, page parsers, polite HTTP client. No DB, no Celery.

    client = LinkedInClient(get_settings())          # one per worker process
    result = client.fetch_posting(job_id_from_url(pasted_url))
    if result.status in ("fetched", "closed"):       # result.posting, result.html
        ...
    else:                                            # blocked | not_found | failed
        log(result.status, result.reason)           # nothing worth storing
    cards = client.search(parse_search_url(pasted_search_url), limit=25)

The pure parsers (parse_posting, parse_search, classify_page) need no network.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.linkedin.client import LinkedInClient, SearchError
    from shared.linkedin.models import FetchResult, PageVerdict, Posting, SearchCard, SearchQuery
    from shared.linkedin.posting import classify_page, parse_posting
    from shared.linkedin.ratelimit import RateLimiter
    from shared.linkedin.search import parse_search, parse_search_url, search_params
    from shared.linkedin.urls import canonical_url, job_id_from_url

# Names are imported from their module on first use: the gateway needs the URL and search
# helpers, and not the HTTP client (httpx, tenacity: ~10 MB a process), which only workers use.
_HOME = {
    "LinkedInClient": "client",
    "SearchError": "client",
    "FetchResult": "models",
    "PageVerdict": "models",
    "Posting": "models",
    "SearchCard": "models",
    "SearchQuery": "models",
    "classify_page": "posting",
    "parse_posting": "posting",
    "RateLimiter": "ratelimit",
    "parse_search": "search",
    "parse_search_url": "search",
    "search_params": "search",
    "canonical_url": "urls",
    "job_id_from_url": "urls",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)


__all__ = [
    "FetchResult",
    "LinkedInClient",
    "PageVerdict",
    "Posting",
    "RateLimiter",
    "SearchCard",
    "SearchError",
    "SearchQuery",
    "canonical_url",
    "classify_page",
    "job_id_from_url",
    "parse_posting",
    "parse_search",
    "parse_search_url",
    "search_params",
]
