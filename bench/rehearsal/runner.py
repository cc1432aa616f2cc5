"""One notebook, one profile: run it headless and live against a fresh loopback server, and measure it.

The kernel inherits this process's environment, so the notebook's own ``get_llm()`` picks the profile's
provider and the real SDK, pointed at the server; recording stays off. The in-memory cache of
``helpers.llm`` stays as it is in a live room (it only saves repeats within a session, which a room saves
too), so every call that leaves the notebook is a real HTTP request.
"""

import os
import re
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers.llm import errors as helpers_errors
from helpers.llm.ledger import PRICES
from helpers.llm.recording import recording_path

from .profiles import PAGE_PRICES
from .server import RehearsalServer

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# whatever could make get_llm() choose something other than the profile, or record, or replay
CLEARED = ("OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GROQ_API_KEY", "LLM_MODEL", "LLM_RECORD", "CI",
           "OPENAI_MODEL", "GEMINI_MODEL", "GROQ_MODEL", "LLM_BASE_URL", "OPENAI_BASE_URL", "GROQ_BASE_URL",
           "GEMINI_BASE_URL", "LLM_RECORDINGS_DIR")
FREE_WALL, FREE_CELL, BUDGET = 600, 180, 0.05
HELPERS_ERRORS = sorted(name for name in dir(helpers_errors) if name.endswith("Error"))


def cost(model: str, tokens_in: int, tokens_out: int, prices=PRICES) -> float:
    price_in, price_out = prices.get(model, (0.0, 0.0))
    return (tokens_in * price_in + tokens_out * price_out) / 1e6


def cell_seconds(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.status.busy"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return (datetime.fromisoformat(end.replace("Z", "+00:00")) -
            datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def rehearse(path: Path, profile, *, timeout: int = 1800) -> dict:
    """Run one notebook live against a fresh loopback server (fresh limits: one participant, one notebook)."""
    load_before = os.getloadavg()[0]
    with RehearsalServer(profile, recording_path(path.stem)) as server, \
            tempfile.TemporaryDirectory() as work:
        saved = {k: os.environ.get(k) for k in (*CLEARED, "LLM_PROVIDER", "WORKSHOP_WORKDIR", "MPLBACKEND")}
        for k in CLEARED:
            os.environ.pop(k, None)
        os.environ.update(server.env(), MPLBACKEND="Agg", WORKSHOP_WORKDIR=work)
        shared = ROOT.parent / "shared" / "data" / "sklearn"
        if shared.exists():
            os.environ.setdefault("SCIKIT_LEARN_DATA", str(shared))
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:  # the kernel inherits this environment, so the notebook's get_llm() finds the server
            NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True, record_timing=True,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        finally:
            wall = time.perf_counter() - start
            for k, v in saved.items():
                os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        stats = server.stats
    cells = [c for c in nb.cells if c.cell_type == "code"]
    longest = max(cells, key=cell_seconds)
    text = "\n".join(o.get("text", "") or str(o.get("data", {}).get("text/plain", ""))
                     for c in cells for o in c.get("outputs", []))
    # helpers shows its own errors as one printed line ("RateLimitError: ..."), not as a traceback
    errors = [o.get("ename", "?") for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    errors += re.findall(rf"^({'|'.join(HELPERS_ERRORS)}): ", text, re.M)
    failing = next((c for c in cells if any(o.get("output_type") == "error" or re.search(
        rf"^({'|'.join(HELPERS_ERRORS)}): ", o.get("text", ""), re.M) for o in c.get("outputs", []))), None)
    return {"notebook": path.stem, "profile": profile.name, "model": profile.model, "wall": wall,
            "longest": cell_seconds(longest), "longest_line": longest.source.strip().splitlines()[0][:60],
            "requests": stats.requests, "answered": stats.answered, "misses": stats.misses,
            "rate_limited": stats.rate_limited, "waited": stats.waited, "failed_calls": text.count("LLM call failed"),
            "tokens_in": stats.input_tokens, "tokens_out": stats.output_tokens,
            "cost": cost(profile.model, stats.input_tokens, stats.output_tokens),
            "page_cost": cost(profile.model, stats.input_tokens, stats.output_tokens, PAGE_PRICES),
            "errors": errors, "first_error_line": failing.source.strip().splitlines()[0][:60] if failing else "", "live": f"LLM: {profile.provider} {profile.model}" in text,
            "load": (load_before, os.getloadavg()[0]), "rpd": profile.rpd,
            "provider_calls": [int(n) for n in re.findall(r"\((\d+) to the provider", text)]}


def verdict(row: dict, profile) -> str:
    notes = []
    if profile.name.endswith("free"):
        if row["wall"] > FREE_WALL:
            notes.append(f"wall +{row['wall'] - FREE_WALL:.0f}s over 10 min")
        if row["longest"] > FREE_CELL:
            notes.append(f"cell +{row['longest'] - FREE_CELL:.0f}s over 3 min")
    if row["rpd"] and row["answered"] > row["rpd"]:
        notes.append(f"{row['answered']} calls > {row['rpd']}/day")
    if row["errors"]:
        notes.append(f"{len(row['errors'])} errors ({', '.join(sorted(set(row['errors'])))}), "
                     f"first in `{row['first_error_line']}`")
    if row["failed_calls"]:
        notes.append(f"{row['failed_calls']} calls failed (counted as empty replies)")
    if not row["live"]:
        notes.append("NOT LIVE (the notebook did not use the profile's provider)")
    return "; ".join(notes) or "ok"


