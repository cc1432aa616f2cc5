"""``ReplayLLM``: the provider that answers from a recording, with no network."""

import re
import threading
from pathlib import Path

from .base import LLM, Reply, request_key
from .recording import ROOT, load


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
