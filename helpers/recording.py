"""Recordings: every live call written to JSON Lines, and replayed later with no network.

File layout (``recordings/<notebook>.jsonl``): the first line is a header naming the model and the
date; every other line is one call: its key, the request, the reply text, provider, model, usage.
Keys depend only on the request (messages, temperature, max_tokens, sample), never on the key or the
provider, and no API key is ever written.
"""

import json
import os
import re
import threading
import time
from pathlib import Path

from .llm import LLM, Reply, request_key

ROOT = Path(__file__).resolve().parent.parent


def recording_path(name: str) -> Path:
    """``recordings/<name>.jsonl`` in this repository (or in ``LLM_RECORDINGS_DIR``)."""
    folder = Path(os.environ.get("LLM_RECORDINGS_DIR") or ROOT / "recordings")
    return folder / (name if name.endswith(".jsonl") else f"{name}.jsonl")


def _dump(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


class Recorder:
    """Appends each live call; the first call of a session starts the file afresh with its header."""

    def __init__(self, path: Path, provider: str, model: str):
        self.path, self.provider, self.model = Path(path), provider, model
        self._lock, self._started = threading.Lock(), False

    def write(self, key: str, request: dict, reply: Reply, provider: str, model: str, latency: float):
        entry = {"key": key, "request": request, "reply": reply.text, "provider": provider, "model": model,
                 "usage": {"input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens},
                 "latency": round(latency, 3), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        with self._lock:
            if not self._started:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                header = {"type": "header", "provider": self.provider, "model": self.model,
                          "date": time.strftime("%Y-%m-%d", time.gmtime()), "notebook": self.path.stem}
                self.path.write_text(_dump(header) + "\n", encoding="utf-8")
                self._started = True
            with self.path.open("a", encoding="utf-8") as f:
                f.write(_dump(entry) + "\n")


def load(path: Path) -> tuple[dict, list[dict]]:
    """(header, entries) of a recording; a missing file is an empty recording."""
    if path is None or not Path(path).exists():
        return {}, []
    lines = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    header = lines[0] if lines and lines[0].get("type") == "header" else {}
    return header, [e for e in lines if e.get("type") != "header"]


def _words(request: dict) -> set[str]:
    return set(re.findall(r"\w+", " ".join(m["content"] for m in request["messages"]).lower()))


class ReplayLLM(LLM):
    """Answers from a recording. An exact request gets its recorded reply (a hit).

    A request the recording lacks (a miss: the run drifted, say because timing-dependent scores changed
    a prompt) gets the reply of the most similar recorded request not yet used, so the notebook still
    runs to its end; ``llm.usage`` counts the misses.
    """

    provider, model_env = "replay", "LLM_MODEL"

    def __init__(self, path: Path | None, **kw):
        self.path = Path(path) if path else None
        self.header, self.entries = load(self.path)
        super().__init__(self.header.get("model", "recorded"), max_retries=0, **kw)
        self.by_key = {}
        for e in self.entries:
            self.by_key.setdefault(e["key"], e)
        self._used: set[int] = set()
        self._lock = threading.Lock()
        self._word_sets = [_words(e["request"]) for e in self.entries]

    def describe(self) -> str:
        if not self.entries:
            return f"{self.path or 'no recording'} (empty: every answer will be blank)"
        h = self.header
        return (f"{self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path}, "
                f"{len(self.entries)} calls recorded from {h.get('provider', '?')} {h.get('model', '?')} "
                f"on {h.get('date', '?')}")

    def _complete(self, request: dict) -> Reply:
        key = request_key(request)
        with self._lock:
            entry = self.by_key.get(key)
            source = "replay"
            if entry is None:
                entry, source = self._nearest(request), "replay-miss"
            if entry is None:
                return Reply("", source="replay-miss")
            self._used.add(id(entry))
        u = entry.get("usage", {})
        return Reply(entry["reply"], u.get("input_tokens", 0), u.get("output_tokens", 0), source)

    def _nearest(self, request: dict):
        if not self.entries:
            return None
        want = _words(request)
        unused = [i for i, e in enumerate(self.entries) if id(e) not in self._used] or range(len(self.entries))

        def similarity(i):  # Jaccard on words; same sample index first so children stay distinct
            words = self._word_sets[i]
            same_sample = self.entries[i]["request"].get("sample") == request.get("sample")
            return (len(want & words) / max(1, len(want | words)), same_sample)

        return self.entries[max(unused, key=similarity)]
