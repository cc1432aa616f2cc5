"""Every reply of the benchmark, kept: a request asked before is answered from its JSON Lines file and costs
nothing; a new one goes to the live model and is written at once, so a run killed halfway resumes where it
stopped, and a reader with no model replays the whole benchmark.

Two keepers: ``KeptLLM`` for the kit's arms (an ``LLM`` whose one method looks in the file first), and
``KeepingProxy`` for OpenEvolve, which speaks only HTTP: an OpenAI-compatible endpoint on 127.0.0.1 that answers
from its file or forwards to the live server. Neither writes a key: the local server checks none.
"""

import hashlib
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from helpers.llm.base import LLM, Reply, request_key
from helpers.llm.errors import LLMError
from helpers.llm.recording import load


def _append(path: Path, entry: dict, lock: threading.Lock) -> None:
    with lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")


class KeptLLM(LLM):
    """Answers from ``path`` (and from ``also``: e.g. the notebook's own recording, whose run is this arm's
    seed 0); asks ``live`` for anything new and keeps it. Without ``live``, a new request is an error that says
    how to run the benchmark live, never a made-up reply."""

    provider = "kept"

    def __init__(self, path: Path, live: LLM | None = None, also=()):
        self.path, self.live, self._lock = Path(path), live, threading.Lock()
        entries = [e for p in (*also, self.path) for e in load(Path(p))[1]]   # the recording's reader
        self.kept = {e["key"]: e for e in entries}
        super().__init__(live.model if live else "kept", max_retries=0)

    def _complete(self, request: dict) -> Reply:
        key = request_key(request)
        entry = self.kept.get(key)
        if entry is not None:
            u = entry.get("usage", {})
            return Reply(entry["reply"], u.get("input_tokens", 0), u.get("output_tokens", 0), "replay")
        if self.live is None:
            raise LLMError(f"{self.path.name} keeps no reply to this request: run the benchmark with --live "
                           "and a model server to ask it")
        start = time.perf_counter()
        reply = self.live._with_retries(request)
        entry = {"key": key, "request": request, "reply": reply.text, "model": self.live.model,
                 "usage": {"input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens},
                 "latency": round(time.perf_counter() - start, 3), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ")}
        self.kept[key] = entry
        _append(self.path, entry, self._lock)
        return reply


class KeepingProxy:
    """An OpenAI-compatible endpoint for OpenEvolve: ``POST .../chat/completions`` is answered from ``path``
    when the same body was kept (the n-th repeat of a body gets the n-th kept reply), else forwarded to
    ``upstream`` and kept. ``calls`` counts what OpenEvolve asked, kept or live: the arm's LLM budget."""

    def __init__(self, path: Path, upstream: str | None):
        self.path, self.upstream, self._lock = Path(path), upstream, threading.Lock()
        self.kept: dict[str, list[dict]] = {}
        for e in load(self.path)[1]:
            self.kept.setdefault(e["key"], []).append(e)
        self.seen: dict[str, int] = {}
        self.calls = self.live_calls = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):   # quiet: OpenEvolve's own log says what happened
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, payload = proxy.answer(self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                self.send_response(404)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, route: str, body: bytes) -> tuple[int, bytes]:
        request = json.loads(body)
        key = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:24]
        with self._lock:
            n = self.seen.get(key, 0)
            self.seen[key] = n + 1
            self.calls += 1
            kept = self.kept.get(key, [])
        if n < len(kept):
            return 200, json.dumps(kept[n]["response"]).encode()
        if self.upstream is None:
            return 503, json.dumps({"error": {"message": "not kept: run the benchmark with --live"}}).encode()
        start = time.perf_counter()
        req = urllib.request.Request(self.upstream.rstrip("/") + route.removeprefix("/v1"), data=body,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                response = json.loads(r.read())
        except OSError as exc:
            return 502, json.dumps({"error": {"message": f"upstream failed: {exc}"}}).encode()
        entry = {"key": key, "request": request, "response": response,
                 "latency": round(time.perf_counter() - start, 3), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ")}
        with self._lock:
            self.live_calls += 1
            self.kept.setdefault(key, []).append(entry)
        _append(self.path, entry, self._lock)
        return 200, json.dumps(response).encode()

    def close(self):
        self.server.shutdown()
