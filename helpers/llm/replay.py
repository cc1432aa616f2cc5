"""``ReplayLLM``: the provider that answers from a recording, with no network."""

import difflib
import json
import os
import re
import threading
from pathlib import Path

from .base import LLM, Reply, request_key
from .recording import ROOT, load

# What one Python version prints differently from another, for the same error. The sandbox formats
# tracebacks the same way everywhere (no ^~ markers), but messages and counts are Python's own: a
# recording made on 3.11 must still replay on Colab's 3.13. Each pattern maps to one wording.
_VERSION_WORDINGS = [
    (re.compile(r"(max|min)\(\) iterable argument is empty"), r"\1() arg is an empty sequence"),  # 3.12
    (re.compile(r"\[Previous line repeated \d+ more times?\]"), "[Previous line repeated N more times]"),
    (re.compile(r"(unexpected keyword argument '\w+')\. Did you mean '\w+'\?"), r"\1"),   # 3.13's suggestion
    (re.compile(r"^[ \t]*[\^~]+[ \t]*\n|^[ \t]*\.\.\.<\d+ lines>\.\.\.[ \t]*\n", re.M), ""),  # 3.11+ markers
]


def portable(request: dict) -> dict:
    """The request with what differs between Python versions folded to one wording (for lookup only:
    the model was sent, and the recording keeps, the request as it was)."""
    def fold(text):
        for pattern, wording in _VERSION_WORDINGS:
            text = pattern.sub(wording, text)
        return text
    return {**request, "messages": [{**m, "content": fold(m["content"])} for m in request["messages"]]}


def _words(request: dict) -> set[str]:
    return set(re.findall(r"\w+", " ".join(m["content"] for m in request["messages"]).lower()))


class ReplayLLM(LLM):
    """Answers from a recording. An exact request gets its recorded reply (a hit), and so does one that
    differs only in how its Python version words an error (``portable``).

    A request the recording lacks (a miss: the run drifted, say because timing-dependent scores changed
    a prompt) gets the reply of the most similar recorded request not yet used, so the notebook still
    runs to its end; ``llm.usage`` counts the misses. With ``LLM_REPLAY_MISSES=<file>`` each miss is also
    appended to that file, as a diff of the missed request against the recorded one that answered it, so a
    maintainer sees what drifted (a prompt edited, or a score that changed between runs) before re-recording.
    """

    provider, model_env = "replay", "LLM_MODEL"

    def __init__(self, path: Path | None, **kw):
        self.path = Path(path) if path else None
        self.header, self.entries = load(self.path)
        super().__init__(self.header.get("model", "recorded"), max_retries=0, **kw)
        self.by_key, self.by_portable_key = {}, {}
        for e in self.entries:
            self.by_key.setdefault(e["key"], e)
            self.by_portable_key.setdefault(request_key(portable(e["request"])), e)
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
            entry = self.by_key.get(key) or self.by_portable_key.get(request_key(portable(request)))
            source = "replay"
            if entry is None:
                entry, source = self._nearest(request), "replay-miss"
                log_miss(request, entry)
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


def log_miss(request: dict, answered_by: dict | None) -> None:
    """Append a missed request's diff against the recorded request that answered it to ``LLM_REPLAY_MISSES``."""
    path = os.environ.get("LLM_REPLAY_MISSES")
    if not path:
        return
    def text(req):
        return "\n".join(m["content"] for m in req["messages"]).splitlines() if req else []
    diff = difflib.unified_diff(text(answered_by and answered_by["request"]), text(request), "recorded", "asked",
                                lineterm="", n=1)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"diff": "\n".join(diff)}, ensure_ascii=False) + "\n")
