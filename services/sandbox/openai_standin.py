"""A local stand-in for the OpenAI chat completions API, for tests and offline demos.

A real HTTP server on 127.0.0.1: `POST /v1/chat/completions` answers by running our own
extraction rules on the posting it receives, in the JSON-schema shape it was asked for, with
`usage` token counts. It can be switched to misbehave:

  good | malformed | schema_invalid | refusal | rate_limit (429 + retry-after) |
  server_error (500) | timeout (sleeps `sleep_seconds`, then answers) |
  invent (a career-plan narrative citing a skill and a figure that are not in the gaps)

A request for the career-plan narrative (response schema "career_plan") is answered with a
short narrative written from the gaps it carries.

Control from another process: `POST /__standin/config` with JSON such as
{"mode": "good", "sequence": ["rate_limit", "good"], "retry_after": 0.1, "sleep_seconds": 5,
 "reset_stats": true} (the sequence is served first, one mode per request, then `mode`);
`GET /__standin/stats` returns {"requests": n, "by_mode": {...}}.

Run: python -m services.sandbox.openai_standin --port 8011
In tests: `with OpenAIStandin() as llm: ... llm.base_url ...`
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from shared.career.narrative import GAPS_MARKER, SCHEMA_NAME
from shared.extraction.fields import extract_fields
from shared.extraction.llm_schema import from_extraction, posting_from_messages

MODES = (
    "good",
    "malformed",
    "schema_invalid",
    "refusal",
    "rate_limit",
    "server_error",
    "timeout",
    "invent",
)
_CHARS_PER_TOKEN = 4


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.mode = "good"
        self.sequence: list[str] = []
        self.retry_after = 1.0
        self.sleep_seconds = 60.0
        self.requests = 0
        self.by_mode: Counter[str] = Counter()

    def configure(self, config: dict[str, Any]) -> None:
        modes = [config.get("mode", self.mode), *config.get("sequence", [])]
        unknown = [m for m in modes if m not in MODES]
        if unknown:
            raise ValueError(f"unknown mode(s): {unknown}")
        with self.lock:
            self.mode = config.get("mode", self.mode)
            if "sequence" in config:
                self.sequence = list(config["sequence"])
            self.retry_after = float(config.get("retry_after", self.retry_after))
            self.sleep_seconds = float(config.get("sleep_seconds", self.sleep_seconds))
            if config.get("reset_stats"):
                self.requests = 0
                self.by_mode.clear()

    def next_mode(self) -> str:
        with self.lock:
            mode = self.sequence.pop(0) if self.sequence else self.mode
            self.requests += 1
            self.by_mode[mode] += 1
            return mode

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {"requests": self.requests, "by_mode": dict(self.by_mode), "mode": self.mode}


def _tokens(text: str) -> int:
    return max(1, len(text) // _CHARS_PER_TOKEN)


def _completion(request: dict[str, Any], content: str | None, refusal: str | None) -> bytes:
    prompt = "".join(str(m.get("content") or "") for m in request.get("messages", []))
    completion_tokens = _tokens(content or refusal or "")
    body = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "standin"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": _tokens(prompt),
            "completion_tokens": completion_tokens,
            "total_tokens": _tokens(prompt) + completion_tokens,
        },
    }
    return json.dumps(body).encode()


def _answer(request: dict[str, Any], invent: bool = False) -> str:
    """Our own rules' reading of the posting, in the response schema's shape; or, for a
    career plan, a narrative from the gaps it was given."""
    schema = (request.get("response_format") or {}).get("json_schema") or {}
    if schema.get("name") == SCHEMA_NAME:
        return json.dumps({"narrative": _narrative(request.get("messages", []), invent)})
    doc = posting_from_messages(request.get("messages", []))
    return from_extraction(extract_fields(doc)).model_dump_json()


def _narrative(messages: list[dict[str, Any]], invent: bool) -> str:
    raw = next(
        (str(m["content"]) for m in messages if GAPS_MARKER in str(m.get("content") or "")), ""
    )
    facts = json.loads(raw.split(GAPS_MARKER, 1)[1]) if raw else {}
    gaps = facts.get("gaps") or [{"skill": "Haskell", "postings_asking": 99}]
    first = gaps[0]
    text = (
        f"Start with {first['skill']}: {first['postings_asking']} of your "
        f"{facts.get('stretch_postings', 0)} stretch jobs ask for it"
    )
    if first.get("postings_unlocked"):
        text += f", and with it {first['postings_unlocked']} come within reach"
    text += "."
    if len(gaps) > 1:
        text += f" Then add {gaps[1]['skill']}."
    if invent:
        text += " Haskell would open 999 more doors."
    return text


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: tests read /__standin/stats instead

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout)

    def _json_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        data = json.loads(raw or b"{}")
        return data if isinstance(data, dict) else {}

    def _error(self, status: int, message: str, kind: str) -> bytes:
        return json.dumps({"error": {"message": message, "type": kind, "code": None}}).encode()

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/__standin/stats":
            self._send(200, json.dumps(self.server.state.stats()).encode())
        else:
            self._send(404, self._error(404, "not found", "not_found"))

    def do_POST(self) -> None:  # noqa: N802
        try:
            body = self._json_body()
        except json.JSONDecodeError:
            self._send(400, self._error(400, "invalid JSON body", "invalid_request_error"))
            return
        if self.path == "/__standin/config":
            try:
                self.server.state.configure(body)
            except (ValueError, TypeError) as exc:
                self._send(400, self._error(400, str(exc), "invalid_request_error"))
                return
            self._send(200, json.dumps(self.server.state.stats()).encode())
        elif self.path.rstrip("/") == "/v1/chat/completions":
            self._complete(body)
        else:
            self._send(404, self._error(404, "not found", "not_found"))

    def _complete(self, request: dict[str, Any]) -> None:
        if not isinstance(request.get("messages"), list) or not request.get("model"):
            message = "'model' and 'messages' are required"
            self._send(400, self._error(400, message, "invalid_request_error"))
            return
        state = self.server.state
        mode = state.next_mode()
        if mode == "rate_limit":
            headers = {"retry-after": f"{state.retry_after:g}"}
            self._send(429, self._error(429, "Rate limit reached", "rate_limit_error"), headers)
        elif mode == "server_error":
            self._send(500, self._error(500, "The server had an error", "server_error"))
        elif mode == "refusal":
            self._send(200, _completion(request, None, "I'm sorry, I can't help with that."))
        elif mode == "malformed":
            self._send(200, _completion(request, '{"salary_currency": "USD", "salary_', None))
        elif mode == "schema_invalid":
            bad = json.loads(_answer(request))
            bad["seniority"] = "wizard"
            bad["salary_min"] = "a lot"
            self._send(200, _completion(request, json.dumps(bad), None))
        else:
            if mode == "timeout":
                state.stopping.wait(state.sleep_seconds)
            answer = _answer(request, invent=mode == "invent")
            self._send(200, _completion(request, answer, None))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


def make_server(port: int = 0) -> _Server:
    server = _Server(("127.0.0.1", port), _Handler)
    server.state = _State()
    return server


class OpenAIStandin:
    """The stand-in on a free port in a background thread, as a context manager."""

    def __init__(self, port: int = 0) -> None:
        self._server = make_server(port)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def configure(self, **config: Any) -> None:
        self._server.state.configure(config)

    def stats(self) -> dict[str, Any]:
        return self._server.state.stats()

    def __enter__(self) -> OpenAIStandin:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.state.stopping.set()  # wake sleeping "timeout" handlers
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--mode", choices=MODES, default="good")
    args = parser.parse_args()
    server = make_server(args.port)
    server.state.configure({"mode": args.mode})
    print(f"OpenAI stand-in on http://127.0.0.1:{server.server_address[1]}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
