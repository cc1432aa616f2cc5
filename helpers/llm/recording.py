"""Recordings (``recordings/<notebook>.jsonl``): a header naming the model and date, then one line per call.

``Recorder`` writes live calls, keyed by the request alone (never by key or provider; no API key is ever
written); ``load`` reads them back for replay.
"""

import json
import os
import threading
import time
from pathlib import Path

from .base import Reply

ROOT = Path(__file__).resolve().parents[2]  # the repository


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
