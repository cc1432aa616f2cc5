"""Plots the notebooks share. Every function takes ``ax=None`` and returns the axes it drew on."""

import matplotlib.pyplot as plt


def _axes(ax, figsize=(6, 3.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_usage(usage, ax=None):
    """Calls per source (provider, cache, replay, misses) with the tokens they carried."""
    ax = _axes(ax)
    t = usage.totals()
    labels = ["provider", "cache", "replay", "replay miss"]
    counts = [t["api_calls"], t["cache_hits"], t["replay_hits"], t["replay_misses"]]
    bars = ax.bar(labels, counts, color=["tab:blue", "tab:green", "tab:gray", "tab:red"])
    ax.bar_label(bars)
    ax.set_ylabel("LLM calls")
    ax.set_title(f"Tokens spent: {t['input_tokens']} in + {t['output_tokens']} out (~${t['cost_usd']:.4f})")
    return ax
