"""Notebook 03's plot: LLM replies per tool the agent tried to build."""

from ..plotting import count_axis, ensure_axes


def plot_tool_builds(builds, ax=None):
    """One bar per tool the agent tried to write: LLM replies it took (green: added, red: gave up)."""
    ax = ensure_axes(ax)
    names = [b["tool"] for b in builds]
    bars = ax.bar(range(len(builds)), [b["attempts"] for b in builds],
                  color=["tab:green" if b["ok"] else "tab:red" for b in builds])
    ax.bar_label(bars, labels=["added" if b["ok"] else "gave up" for b in builds])
    ax.set_xticks(range(len(builds)), names, rotation=20, ha="right")
    ax.set_ylabel("attempts (1 = right first time)")
    ax.set_title(f"Tools written: {sum(b['ok'] for b in builds)} of {len(builds)} added")
    count_axis(ax, max([b["attempts"] for b in builds], default=1))
    return ax
