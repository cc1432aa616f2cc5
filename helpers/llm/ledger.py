"""The usage ledger: one row per LLM call, so a notebook can show what its run cost."""

import threading
from dataclasses import asdict, dataclass, field

from ..plotting import count_axis, ensure_axes

# USD per 1M tokens (input, output). Edit freely: prices change, and estimates are only estimates.
PRICES = {
    "gpt-6-luna": (0.10, 0.50),         # developers.openai.com model page, looked up 2026-11-24
    "gpt-4o-mini": (0.15, 0.60),
    "gemini-3.5-flash-lite": (0.10, 0.40),
    "openai/gpt-oss-20b": (0.075, 0.30),
}


@dataclass
class Call:
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    latency: float  # seconds, wall clock
    source: str  # "api", "cache", "replay" or "replay-miss"

    @property
    def cost(self) -> float:
        price_in, price_out = PRICES.get(self.model, (0.0, 0.0))
        spent = self.source == "api"
        return spent * (self.input_tokens * price_in + self.output_tokens * price_out) / 1e6


@dataclass
class Usage:
    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def totals(self) -> dict:
        by = {s: [c for c in self.calls if c.source == s] for s in ("api", "cache", "replay", "replay-miss")}
        api = by["api"]
        return {
            "calls": len(self.calls),
            "api_calls": len(api),
            "cache_hits": len(by["cache"]),
            "replay_hits": len(by["replay"]),
            "replay_misses": len(by["replay-miss"]),
            # tokens actually spent on a provider; cache and replay hits cost nothing
            "input_tokens": sum(c.input_tokens for c in api),
            "output_tokens": sum(c.output_tokens for c in api),
            "replayed_tokens": sum(c.input_tokens + c.output_tokens for c in by["replay"] + by["replay-miss"]),
            "seconds": round(sum(c.latency for c in api), 2),
            "cost_usd": round(sum(c.cost for c in api), 4),
        }

    def table(self):
        """Per provider, model and source: calls, tokens, seconds and estimated cost (a pandas DataFrame)."""
        import pandas as pd

        rows = [asdict(c) | {"cost_usd": c.cost, "calls": 1} for c in self.calls]
        if not rows:
            return pd.DataFrame(columns=["provider", "model", "source", "calls"])
        df = pd.DataFrame(rows)
        cols = ["calls", "input_tokens", "output_tokens", "latency", "cost_usd"]
        return df.groupby(["provider", "model", "source"])[cols].sum().round(4).reset_index()

    def __repr__(self) -> str:
        t = self.totals()
        return (f"{t['calls']} LLM calls ({t['api_calls']} to the provider, {t['cache_hits']} cache hits, "
                f"{t['replay_hits']} replayed, {t['replay_misses']} replay misses); tokens spent: "
                f"{t['input_tokens']} in + {t['output_tokens']} out; ~${t['cost_usd']:.4f}")


def plot_usage(usage, ax=None):
    """Calls per source (provider, cache, replay, misses) with the tokens they carried."""
    ax = ensure_axes(ax)
    t = usage.totals()
    labels = ["provider", "cache", "replay", "replay miss"]
    counts = [t["api_calls"], t["cache_hits"], t["replay_hits"], t["replay_misses"]]
    bars = ax.bar(labels, counts, color=["tab:blue", "tab:green", "tab:gray", "tab:red"])
    ax.bar_label(bars)
    count_axis(ax, max(counts))
    ax.set_ylabel("LLM calls")
    ax.set_title(f"Tokens spent: {t['input_tokens']} in + {t['output_tokens']} out (~${t['cost_usd']:.4f})")
    return ax
