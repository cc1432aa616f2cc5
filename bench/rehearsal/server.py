"""A loopback "cloud" that answers the real SDKs from a notebook's recording, at a profile's pace and limits.

It speaks OpenAI's chat completions (``/v1/chat/completions``; groq's SDK uses ``/openai/v1/...``) and
Gemini's ``/v1beta/models/{model}:generateContent``. Each request is matched to its recorded reply with
``helpers.recording.ReplayLLM`` (exact request first, else the most similar unused one), then held back
for time-to-first-token plus output tokens / speed, unless the profile's per-minute window is full: then
it answers 429 the way that provider does (body, retry-after, x-ratelimit-* headers).

What it does NOT simulate: streaming, network jitter, provider outages, reasoning tokens the real
default models may spend beyond the recorded output, and per-day limits (the runner reports those).
"""

import json
import math
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))  # the wire formats live once, in the tests' fake server
from fakeserver import chat_body, error_body, gemini_body  # noqa: E402

from helpers.llm import ReplayLLM  # noqa: E402
from helpers.llm.base import request_key  # noqa: E402

from .limits import MinuteWindow  # noqa: E402
from .profiles import Profile  # noqa: E402


class RecordedReplies:
    """The recording as a server sees it: the wire carries no ``sample`` index, so a request takes the
    first unused recorded sample of the same prompt; anything else goes through ReplayLLM (a repeat gets
    its reply again, a prompt the recording lacks gets the most similar unused reply: a miss)."""

    def __init__(self, path: Path):
        self.replay = ReplayLLM(path)
        self.samples = 1 + max((e["request"].get("sample", 0) for e in self.replay.entries), default=0)
        self.lock = threading.Lock()

    def answer(self, request: dict):
        with self.lock:  # choosing and marking a sample must be one step
            for sample in range(self.samples):
                asked = request | {"sample": sample}
                entry = self.replay.by_key.get(request_key(asked))
                if entry is not None and id(entry) not in self.replay._used:
                    return self.replay._complete(asked)
            return self.replay._complete(request | {"sample": 0})


@dataclass
class Stats:
    requests: int = 0  # every POST, 429s included
    answered: int = 0
    misses: int = 0
    rate_limited: int = 0
    waited: float = 0.0  # seconds calls spent between a 429 and their retry, summed over calls
    input_tokens: int = 0
    output_tokens: int = 0
    last_429: dict = field(default_factory=lambda: defaultdict(list))


def duration(seconds: float) -> str:
    """Go-style durations, as OpenAI's and Groq's x-ratelimit-reset-* headers write them ("7.66s", "2m59.56s")."""
    minutes, rest = divmod(max(seconds, 0.0), 60)
    return f"{int(minutes)}m{rest:.2f}s" if minutes else f"{rest:.2f}s"


def estimate_tokens(request: dict) -> int:
    # Providers estimate a prompt's size from its characters at admission (about 4 per token).
    return sum(len(m["content"]) for m in request["messages"]) // 4 + 1


class RehearsalServer:
    def __init__(self, profile: Profile, recording: Path, *, port: int = 0):
        self.profile, self.replies, self.stats = profile, RecordedReplies(recording), Stats()
        self.window = MinuteWindow(profile.rpm, profile.tpm)
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                gemini = ":generateContent" in self.path
                request = from_gemini(body) if gemini else from_openai(body)
                status, reply, headers = outer.handle(request, gemini)
                data = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def env(self, key: str = "rehearsal-not-a-real-key") -> dict:
        """The variables that point get_llm() and the real SDK at this server."""
        p = self.profile.provider
        base = {"openai": self.url + "/v1", "groq": self.url, "gemini": self.url}[p]
        key_var = {"openai": "OPENAI_API_KEY", "groq": "GROQ_API_KEY", "gemini": "GEMINI_API_KEY"}[p]
        return {"LLM_PROVIDER": p, key_var: key, f"{p.upper()}_BASE_URL": base}

    # -- one request ----------------------------------------------------------------------------------
    def handle(self, request: dict, gemini: bool) -> tuple[int, dict, dict]:
        p, identity = self.profile, request_key(request)
        reserve = estimate_tokens(request) + (request["max_tokens"] if p.tpm_counts == "input+max_tokens" else 0)
        ok, wait, which = self.window.admit(reserve)
        with self.lock:
            self.stats.requests += 1
            # a retry of a call that met 429 closes the wait the client spent since (retry-after or backoff)
            pending = self.stats.last_429.get(identity)
            if pending:
                self.stats.waited += time.monotonic() - pending.pop(0)
            if not ok:
                self.stats.rate_limited += 1
                self.stats.last_429[identity].append(time.monotonic())
        if not ok:
            return self.too_many(wait, which, reserve, gemini)
        reply = self.replies.answer(request)
        with self.lock:
            self.stats.answered += 1
            self.stats.misses += reply.source == "replay-miss"
            self.stats.input_tokens += reply.input_tokens
            self.stats.output_tokens += reply.output_tokens
        time.sleep(p.seconds_for(reply.output_tokens))
        if gemini:
            return 200, gemini_body(reply.text, reply.input_tokens, reply.output_tokens), {}
        return 200, chat_body(reply.text, reply.input_tokens, reply.output_tokens, p.model), self.limit_headers()

    def limit_headers(self) -> dict:
        """x-ratelimit-* as documented: OpenAI's request fields are per minute, Groq's per day."""
        s, p = self.window.state(), self.profile
        headers = {"x-ratelimit-limit-tokens": str(p.tpm), "x-ratelimit-remaining-tokens": str(s["remaining_tokens"]),
                   "x-ratelimit-reset-tokens": duration(s["reset_tokens"])}
        if p.headers == "groq":  # Groq: "x-ratelimit-*-requests always refers to Requests Per Day"
            with self.lock:
                answered = self.stats.answered
            headers |= {"x-ratelimit-limit-requests": str(p.rpd), "x-ratelimit-remaining-requests":
                        str(max(0, p.rpd - answered)), "x-ratelimit-reset-requests": duration(86400 / p.rpd)}
        else:
            headers |= {"x-ratelimit-limit-requests": str(p.rpm), "x-ratelimit-remaining-requests":
                        str(s["remaining_requests"]), "x-ratelimit-reset-requests": duration(s["reset_requests"])}
        return headers

    def too_many(self, wait: float, which: str, reserve: int, gemini: bool) -> tuple[int, dict, dict]:
        p = self.profile
        if gemini:  # Gemini says when in the body (RetryInfo), not in a header
            quota = "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" if which == "requests" else \
                "GenerateContentInputTokensPerModelPerMinute-FreeTier"
            body = {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                              "message": f"You exceeded your current quota. Please retry in {wait:.1f}s.",
                              "details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                                           "violations": [{"quotaId": quota}]},
                                          {"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                           "retryDelay": f"{math.ceil(wait)}s"}]}}
            return 429, body, {}
        unit = "requests per minute (RPM)" if which == "requests" else "tokens per minute (TPM)"
        limit = p.rpm if which == "requests" else p.tpm
        used = self.window.state()["used_tokens"] if which == "tokens" else limit
        message = (f"Rate limit reached for model `{p.model}` on {unit}: Limit {limit}, Used {used}, "
                   f"Requested {reserve if which == 'tokens' else 1}. Please try again in {wait:.3f}s.")
        body = error_body(429, message, code="rate_limit_exceeded", kind=which)
        return 429, body, self.limit_headers() | {"retry-after": str(math.ceil(wait))}


def from_openai(body: dict) -> dict:
    """The request as helpers.llm built it, from a chat completions body (openai or groq SDK)."""
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    request = {"messages": body["messages"], "temperature": body.get("temperature", 1.0), "max_tokens": max_tokens}
    if (body.get("response_format") or {}).get("type") == "json_object":
        request["json"] = True   # helpers' json_mode, as it keys the recording
    return request


def from_gemini(body: dict) -> dict:
    """The same from a generateContent body (google-genai): system instruction first, "model" is the assistant."""
    text = lambda content: "".join(part.get("text", "") for part in content.get("parts", []))  # noqa: E731
    messages = [{"role": "system", "content": text(body["systemInstruction"])}] if body.get("systemInstruction") else []
    messages += [{"role": "assistant" if c.get("role") == "model" else "user", "content": text(c)}
                 for c in body.get("contents", [])]
    config = body.get("generationConfig", {})
    request = {"messages": messages, "temperature": config.get("temperature", 1.0),
               "max_tokens": config.get("maxOutputTokens")}
    if config.get("responseMimeType") == "application/json":
        request["json"] = True
    return request
