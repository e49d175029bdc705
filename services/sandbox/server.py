"""A local LinkedIn stand-in: guest posting and search endpoints with injectable faults.

Tests in another process steer it over HTTP:
  POST /__sandbox/config  JSON object merged into the knobs
  GET  /__sandbox/config  current knobs
  GET  /__sandbox/stats   request counters
  POST /__sandbox/reset   counters to zero and knobs back to the ones given at start
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, fields, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from services.sandbox.generator import fresh_ids, generate, search_ids
from services.sandbox.markup import (
    AUTHWALL_PAGE,
    NOT_FOUND_PAGE,
    fragment,
    full_page,
    now_utc,
    search_page,
)

FRAGMENT_RE = re.compile(r"^/jobs-guest/jobs/api/jobPosting/(\d+)/?$")
VIEW_RE = re.compile(r"^/jobs/view/(?:[^/]*-)?(\d+)/?$")
SEARCH_PATHS = {"/jobs-guest/jobs/api/seeMoreJobPostings/search", "/jobs/search", "/jobs/search/"}
MAX_START = 1000  # LinkedIn stops paging near here


@dataclass
class Knobs:
    latency_ms: float = 0.0
    burst_429: int = 0  # the next N requests get 429
    burst_999: int = 0  # the next N requests get LinkedIn's 999
    burst_503: int = 0
    retry_after: float | None = 1.0  # Retry-After header on 429/503 (None: omit it)
    authwall_ids: list[str] = field(default_factory=list)
    authwall_rate: float = 0.0  # share of posting ids (stable per id) behind the sign-in wall
    truncated_ids: list[str] = field(default_factory=list)
    closed_ids: list[str] = field(default_factory=list)
    not_found_ids: list[str] = field(default_factory=list)
    pad_bytes: int = 0  # extra bytes appended to posting pages (size-cap tests)
    omit_content_length: bool = False  # stream bodies until close, length unknown upfront
    search_total: int | None = None  # cap on results per query (default: 120..1000 by query)
    search_overlap: int = 0  # pages after the first repeat this many cards of the previous
    # job id -> Location: posting requests for it are redirected (unless already there)
    redirects: dict[str, str] = field(default_factory=dict)
    # New postings at the top of every search: this many, plus one more per
    # `search_fresh_every_seconds` since start or reset (0: none over time).
    search_fresh: int = 0
    search_fresh_every_seconds: float = 0.0
    # job id -> the job id whose posting it repeats (the same job posted again)
    reposts: dict[str, str] = field(default_factory=dict)

    def merge(self, update: dict[str, Any]) -> None:
        known = {f.name for f in fields(self)}
        unknown = set(update) - known
        if unknown:
            raise ValueError(f"unknown knobs: {sorted(unknown)}")
        for key, value in update.items():
            if key.endswith("_ids"):
                value = [str(v) for v in value]
            elif key in ("redirects", "reposts"):
                value = {str(k): str(v) for k, v in value.items()}
            setattr(self, key, value)


class SandboxState:
    def __init__(self, knobs: dict[str, Any]) -> None:
        self.lock = threading.Lock()
        self.initial = dict(knobs)
        self.knobs = Knobs()
        self.knobs.merge(knobs)
        self.total = 0
        self.started = time.monotonic()
        self.by_path: Counter[str] = Counter()
        self.by_job: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.user_agents: Counter[str] = Counter()

    def reset(self) -> None:
        with self.lock:
            self.knobs = Knobs()
            self.knobs.merge(self.initial)
            self.total = 0
            self.started = time.monotonic()
            self.by_path.clear()
            self.by_job.clear()
            self.by_status.clear()
            self.user_agents.clear()

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "total": self.total,
                "by_path": dict(self.by_path),
                "by_job_id": dict(self.by_job),
                "by_status": {str(k): v for k, v in self.by_status.items()},
                "user_agents": dict(self.user_agents),
            }

    def take_burst(self) -> int | None:
        """Consumes one injected error, if any is pending."""
        with self.lock:
            for name, status in (("burst_429", 429), ("burst_999", 999), ("burst_503", 503)):
                left = getattr(self.knobs, name)
                if left > 0:
                    setattr(self.knobs, name, left - 1)
                    return status
        return None


def _in_rate(job_id: str, rate: float) -> bool:
    digest = hashlib.sha256(job_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < rate


class Handler(BaseHTTPRequestHandler):
    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment; otherwise Nagle + delayed ACK add ~40 ms.
    disable_nagle_algorithm = True
    wbufsize = 1 << 16

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.verbose:
            super().log_message(format, *args)

    # -- plumbing ---------------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        stream_until_close: bool = False,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status, "Request denied" if status == 999 else None)
        self.send_header("Content-Type", content_type)
        if stream_until_close:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload), "application/json")

    # -- admin -------------------------------------------------------------------------------
    def _admin(self, path: str) -> None:
        state = self.server.state
        if path == "/__sandbox/stats" and self.command == "GET":
            self._json(200, state.stats())
        elif path == "/__sandbox/config" and self.command == "GET":
            with state.lock:
                self._json(200, asdict(state.knobs))
        elif path == "/__sandbox/config" and self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            try:
                update = json.loads(self.rfile.read(length) or b"{}")
                with state.lock:
                    state.knobs.merge(update)
                    knobs = asdict(state.knobs)
            except (ValueError, TypeError, AttributeError) as exc:
                self._json(400, {"error": str(exc)})
                return
            self._json(200, knobs)
        elif path == "/__sandbox/reset" and self.command == "POST":
            state.reset()
            self._json(200, {"ok": True})
        else:
            self._json(404, {"error": "unknown admin path"})

    # -- LinkedIn ----------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        if path.startswith("/__sandbox/"):
            self._admin(path)
            return
        state = self.server.state
        m = FRAGMENT_RE.match(path) or VIEW_RE.match(path)
        job_id = m.group(1) if m else None
        with state.lock:
            state.total += 1
            state.by_path[path] += 1
            state.user_agents[self.headers.get("User-Agent", "")] += 1
            if job_id:
                state.by_job[job_id] += 1
            knobs = Knobs(**asdict(state.knobs))
        if knobs.latency_ms > 0:
            time.sleep(knobs.latency_ms / 1000)
        status, body, headers = self._route(path, url.query, job_id, knobs)
        with state.lock:
            state.by_status[status] += 1
        self._send(status, body, headers=headers, stream_until_close=knobs.omit_content_length)

    def _route(
        self, path: str, query: str, job_id: str | None, knobs: Knobs
    ) -> tuple[int, str, dict[str, str]]:
        burst = self.server.state.take_burst()
        if burst is not None:
            headers = {}
            if burst != 999 and knobs.retry_after is not None:
                headers["Retry-After"] = f"{knobs.retry_after:g}"
            return burst, "", headers
        if job_id is not None:
            target = knobs.redirects.get(job_id)
            if target and urlsplit(target).path != path:
                return 301, "", {"Location": target}
            return self._posting(job_id, full=bool(VIEW_RE.match(path)), knobs=knobs)
        if path in SEARCH_PATHS:
            return self._search(query, full=not path.startswith("/jobs-guest"), knobs=knobs)
        if path.rstrip("/") in {"/authwall", "/login", "/signup"}:
            return 200, AUTHWALL_PAGE, {}
        return 404, NOT_FOUND_PAGE, {}

    def _posting(self, job_id: str, full: bool, knobs: Knobs) -> tuple[int, str, dict[str, str]]:
        if job_id in knobs.not_found_ids:
            return 404, NOT_FOUND_PAGE if full else "", {}
        if job_id in knobs.authwall_ids or _in_rate(job_id, knobs.authwall_rate):
            target = f"/jobs/view/{job_id}"
            return 302, "", {"Location": f"/authwall?trk=public_jobs&sessionRedirect={target}"}
        posting = generate(knobs.reposts.get(job_id, job_id))
        if job_id in knobs.reposts:
            posting = replace(posting, job_id=job_id)
        closed = job_id in knobs.closed_ids
        html = full_page(posting, now_utc(), closed) if full else fragment(posting, closed)
        if job_id in knobs.truncated_ids:
            # Connection dropped mid-body: the page stops before the description.
            html = html[: len(html) * 3 // 10]
        if knobs.pad_bytes:
            html += "<!--" + "x" * knobs.pad_bytes + "-->"
        return 200, html, {}

    def _search(self, query: str, full: bool, knobs: Knobs) -> tuple[int, str, dict[str, str]]:
        params = parse_qs(query)

        def one(name: str) -> str:
            return params.get(name, [""])[0]

        try:
            start = int(one("start") or 0)
        except ValueError:
            return 400, "", {}
        if start >= MAX_START or start < 0:
            return 400, "", {}
        workplaces = [int(w) for w in re.findall(r"\d", one("f_WT"))]
        first = max(0, start - knobs.search_overlap) if start else 0
        if knobs.search_total is not None:
            first = min(first, knobs.search_total)
        fresh = knobs.search_fresh
        if knobs.search_fresh_every_seconds > 0:
            elapsed = time.monotonic() - self.server.state.started
            fresh += int(elapsed / knobs.search_fresh_every_seconds)
        new = fresh_ids(one("keywords"), one("location"), workplaces, fresh)[first : first + 10]
        count = 10 if knobs.search_total is None else max(0, min(10, knobs.search_total - first))
        regular = search_ids(
            one("keywords"), one("location"), workplaces, max(0, first - fresh), count - len(new)
        )
        ids = new + regular
        html = search_page([generate(i) for i in ids], start, now_utc())
        if full:
            html = (
                "<!DOCTYPE html><html><head><title>Jobs | LinkedIn</title></head><body>"
                f'<ul class="jobs-search__results-list">{html}</ul></body></html>'
            )
        return 200, html, {}


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SandboxState, verbose: bool) -> None:
        super().__init__(address, Handler)
        self.state = state
        self.verbose = verbose


class SandboxServer:
    """Runs the stand-in on a free port in a background thread.

    >>> with SandboxServer(latency_ms=50, closed_ids=["123"]) as sb:
    ...     httpx.get(sb.base_url + "/jobs/view/123")
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, verbose: bool = False, **knobs: Any
    ) -> None:
        self.state = SandboxState(knobs)
        self.httpd = SandboxHTTPServer((host, port), self.state, verbose)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        host = self.httpd.server_address[0]
        if isinstance(host, bytes):
            host = host.decode()
        return f"http://{host}:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # quick shutdown in tests
            name="linkedin-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def configure(self, **knobs: Any) -> None:
        with self.state.lock:
            self.state.knobs.merge(knobs)

    def stats(self) -> dict[str, Any]:
        return self.state.stats()

    def reset(self) -> None:
        self.state.reset()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
