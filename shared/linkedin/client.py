"""Polite, robust HTTP access to LinkedIn's guest pages.

Only `settings.linkedin_base_url` plus fixed LinkedIn paths are ever requested; a URL a
user pasted contributes nothing but its numeric job id (no SSRF). Redirects are followed
by hand so a sign-in wall is recognised without fetching it and a redirect can never
leave LinkedIn.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx
from selectolax.lexbor import LexborHTMLParser
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from shared.linkedin.models import (
    FetchResult,
    FetchStatus,
    PageKind,
    PageVerdict,
    SearchCard,
    SearchQuery,
)
from shared.linkedin.posting import classify_tree, is_auth_url, parse_posting_tree
from shared.linkedin.ratelimit import RateLimiter, RateLimitPaused
from shared.linkedin.search import MAX_START, SEARCH_PATH, parse_search_tree, search_params
from shared.linkedin.urls import is_linkedin_host, job_id_from_url, normalize_job_id
from shared.settings import Settings

FRAGMENT_PATH = "/jobs-guest/jobs/api/jobPosting/{job_id}"
VIEW_PATH = "/jobs/view/{job_id}/"
MAX_REDIRECTS = 5
RETRY_STATUSES = frozenset({429, 999})

ProgressCallback = Callable[[int, int], None]  # (cards found so far, cards wanted)


@dataclass
class _Response:
    status: int  # 0 when no usable response came back (see error)
    url: str
    text: str | None
    retry_after: float | None = None
    error: str | None = None
    transient: bool = False  # the error was the network's, not the page's
    paused_until: float | None = None  # 429/999: when the deployment's budget resumes


class _RetryableStatus(Exception):
    def __init__(self, response: _Response) -> None:
        super().__init__(f"HTTP {response.status}")
        self.response = response


class _Refused(Exception):
    """A response we will not read: too large, or a redirect off LinkedIn."""


class SearchError(Exception):
    """A search page could not be fetched; `cards` holds what earlier pages gave."""

    def __init__(self, status: str, reason: str, cards: list[SearchCard]) -> None:
        super().__init__(f"search {status}: {reason}")
        self.status = status
        self.reason = reason
        self.cards = cards


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class LinkedInClient:
    """One per worker process (it holds connection pools and the limiter's Redis client).

    A 429 or 999 pauses the deployment's whole LinkedIn budget for its Retry-After (or the
    backoff), so every worker waits, not just this request. `max_retry_after` (by default
    LIR_LINKEDIN_MAX_RETRY_AFTER_SECONDS) caps how long a worker sleeps through a pause:
    beyond it the fetch gives up as `rate_limited` with the time it may be tried again, so
    a task never sleeps past the job heartbeat timeout.
    `sleep` and `transport` exist for tests and benchmarks.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        limiter: RateLimiter | None = None,
        backoff_base: float = 2.0,
        backoff_max: float = 60.0,
        max_retry_after: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.base_url = settings.linkedin_base_url.rstrip("/")
        base = urlsplit(self.base_url)
        if base.scheme not in {"http", "https"} or not base.hostname:
            raise ValueError(f"linkedin_base_url is not an http(s) URL: {self.base_url!r}")
        self._base_origin = (base.scheme, base.netloc.lower())
        self.limiter = limiter or RateLimiter.from_settings(settings)
        self.max_retries = max(0, settings.linkedin_max_retries)
        self.max_bytes = settings.linkedin_max_bytes
        cap = settings.linkedin_max_retry_after_seconds
        self.max_retry_after = cap if max_retry_after is None else max_retry_after
        self._sleep = sleep
        self._backoff_base, self._backoff_max = backoff_base, backoff_max
        timeout = httpx.Timeout(
            connect=settings.linkedin_connect_timeout,
            read=settings.linkedin_read_timeout,
            write=settings.linkedin_read_timeout,
            pool=settings.linkedin_connect_timeout,
        )
        headers = {
            "User-Agent": settings.linkedin_user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            # English criteria headers ("Seniority level") whatever the server's locale.
            "Accept-Language": "en-US,en;q=0.9",
        }
        proxies: list[str | None] = list(settings.linkedin_proxies) or [None]
        self._clients = [
            httpx.Client(
                headers=headers,
                timeout=timeout,
                follow_redirects=False,
                proxy=proxy,
                transport=transport,
            )
            for proxy in proxies
        ]
        self._rotation = itertools.cycle(self._clients)
        self._rotation_lock = threading.Lock()

    # -- lifecycle ----------------------------------------------------------------------------
    def close(self) -> None:
        for client in self._clients:
            client.close()

    def __enter__(self) -> LinkedInClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- HTTP ---------------------------------------------------------------------------------
    def _next_client(self) -> httpx.Client:
        with self._rotation_lock:
            return next(self._rotation)

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) == self._base_origin:
            return True
        # Real LinkedIn bounces between www. and country subdomains; nothing else is allowed.
        return (
            is_linkedin_host(urlsplit(self.base_url).hostname)
            and parts.scheme == "https"
            and is_linkedin_host(parts.hostname)
            and parts.port in (None, 443)
        )

    def _read_capped(self, response: httpx.Response) -> str:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise _Refused(f"response of {declared} bytes exceeds the {self.max_bytes} byte cap")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise _Refused(f"response exceeds the {self.max_bytes} byte cap")
            chunks.append(chunk)
        return b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")

    def _request_once(self, path: str, params: dict[str, str] | None) -> _Response:
        """One logical GET (following same-site redirects), each hop rate limited."""
        url = self.base_url + path
        client = self._next_client()
        for _hop in range(MAX_REDIRECTS + 1):
            self.limiter.acquire(max_wait=self.max_retry_after)
            with client.stream("GET", url, params=params) as response:
                final = str(response.url)
                if response.is_redirect:
                    target = urljoin(final, response.headers.get("location", ""))
                    if is_auth_url(target):
                        # The sign-in wall itself is never fetched or stored.
                        return _Response(response.status_code, target, None)
                    if not self._allowed(target):
                        raise _Refused(f"redirect off LinkedIn to {urlsplit(target).netloc!r}")
                    url, params = target, None
                    continue
                retry_after = _retry_after_seconds(response.headers.get("retry-after"))
                if response.status_code in RETRY_STATUSES or response.status_code >= 500:
                    return _Response(response.status_code, final, None, retry_after)
                return _Response(response.status_code, final, self._read_capped(response))
        raise _Refused(f"more than {MAX_REDIRECTS} redirects")

    def _backoff(self, attempt: int) -> float:
        return float(min(self._backoff_max, self._backoff_base * 2 ** (attempt - 1)))

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus):
            if exc.response.status in RETRY_STATUSES:
                return 0.0  # the deployment-wide pause is waited out in limiter.acquire()
            if exc.response.retry_after is not None:
                return exc.response.retry_after
        return self._backoff(state.attempt_number)

    def _nap(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)

    def _get(self, path: str, params: dict[str, str] | None = None) -> tuple[_Response, int]:
        """GET with retries on 429/999/5xx and network errors; returns (response, attempts)."""
        attempts = 0

        def attempt() -> _Response:
            nonlocal attempts
            attempts += 1
            response = self._request_once(path, params)
            too_long = (response.retry_after or 0) > self.max_retry_after
            if response.status in RETRY_STATUSES:
                wait = response.retry_after
                response.paused_until = self.limiter.pause(
                    wait if wait is not None else self._backoff(attempts)
                )
            if (response.status in RETRY_STATUSES or response.status >= 500) and not too_long:
                raise _RetryableStatus(response)
            return response

        retrying = Retrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type((_RetryableStatus, httpx.TransportError)),
            sleep=self._nap,
            reraise=True,
        )
        url = self.base_url + path
        try:
            return retrying(attempt), attempts
        except _RetryableStatus as exc:
            return exc.response, attempts
        except RateLimitPaused as exc:  # another worker's Retry-After is still running
            return _Response(429, url, None, paused_until=exc.until), attempts - 1
        except _Refused as exc:
            return _Response(0, url, None, error=str(exc)), attempts
        except httpx.TransportError as exc:
            return _Response(
                0, url, None, error=f"network error: {exc!r}", transient=True
            ), attempts

    # -- postings -----------------------------------------------------------------------------
    def fetch_posting(self, job_id: str | int) -> FetchResult:
        """Fetches and parses one posting; never raises for LinkedIn-side problems."""
        text = str(job_id).strip()
        jid = normalize_job_id(text) if text.isdigit() else job_id_from_url(text)
        first = self._fetch_page(FRAGMENT_PATH.format(job_id=jid), jid)
        if first.status != "failed" or first.http_status is None or first.http_status >= 400:
            return first
        # A broken fragment: the full page is a separate rendering and may be intact.
        second = self._fetch_page(VIEW_PATH.format(job_id=jid), jid)
        second.attempts += first.attempts
        return (
            second
            if second.status != "failed"
            else first.model_copy(update={"attempts": second.attempts})
        )

    def _fetch_page(self, path: str, job_id: str) -> FetchResult:
        response, attempts = self._get(path)
        fetched_at = datetime.now(UTC)
        if response.error is not None:
            return FetchResult(
                status="failed",
                reason=response.error,
                final_url=response.url,
                attempts=attempts,
                fetched_at=fetched_at,
                transient=response.transient,
            )
        tree = LexborHTMLParser(response.text) if response.text else None
        verdict = classify_tree(response.status, response.url, tree)
        if verdict.kind in ("ok", "closed") and tree is not None:
            posting = parse_posting_tree(tree, url=None, fetched_at=fetched_at)
            return FetchResult(
                status="fetched" if verdict.kind == "ok" else "closed",
                reason=verdict.reason,
                html=response.text,
                final_url=response.url,
                http_status=response.status,
                posting=posting.model_copy(update={"job_id": job_id}),
                attempts=attempts,
                fetched_at=fetched_at,
            )
        return FetchResult(
            status=_STATUS_FOR_KIND[verdict.kind],
            reason=self._reason(verdict, attempts),
            final_url=response.url,
            http_status=response.status,
            attempts=attempts,
            fetched_at=fetched_at,
            transient=response.status in RETRY_STATUSES or response.status >= 500,
            retry_at=(
                datetime.fromtimestamp(response.paused_until, UTC)
                if response.paused_until is not None
                else None
            ),
        )

    @staticmethod
    def _reason(verdict: PageVerdict, attempts: int) -> str:
        if verdict.kind == "rate_limited":
            if attempts == 0:
                return "rate limited: LinkedIn's Retry-After pause is still running"
            tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
            return f"rate limited: {verdict.reason} after {tries}"
        if verdict.kind == "auth_wall":
            return f"sign-in wall: {verdict.reason}"
        return verdict.reason or verdict.kind

    # -- search -------------------------------------------------------------------------------
    def search(
        self,
        query: SearchQuery,
        limit: int = 25,
        progress: ProgressCallback | None = None,
    ) -> list[SearchCard]:
        """Up to `limit` distinct cards, paging by the number of cards each page returned.

        Raises SearchError (with the cards found so far) when a page is withheld.
        """
        cards: list[SearchCard] = []
        seen: set[str] = set()
        start = 0
        while len(cards) < limit and start < MAX_START:
            response, attempts = self._get(SEARCH_PATH, search_params(query, start))
            if response.error is not None:
                raise SearchError("failed", response.error, cards)
            if start > 0 and response.status in (400, 404):
                break  # LinkedIn's way of saying there are no more results
            tree = LexborHTMLParser(response.text) if response.text else None
            verdict = classify_tree(response.status, response.url, tree)
            if verdict.kind in ("rate_limited", "auth_wall"):
                raise SearchError("blocked", self._reason(verdict, attempts), cards)
            if response.status >= 400:
                raise SearchError("failed", f"HTTP {response.status}", cards)
            page = parse_search_tree(tree) if tree is not None else []
            if not page:
                break
            fresh = [c for c in page if c.job_id not in seen]
            for card in fresh:
                seen.add(card.job_id)
            cards.extend(fresh)
            if progress is not None:
                progress(min(len(cards), limit), limit)
            if not fresh:
                break  # LinkedIn repeating itself: nothing more to gain
            start += len(page)
        return cards[:limit]


_STATUS_FOR_KIND: dict[PageKind, FetchStatus] = {
    "rate_limited": "rate_limited",
    "auth_wall": "blocked",
    "not_found": "not_found",
    "garbage": "failed",
}
