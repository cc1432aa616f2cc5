"""Notebook 01's plots: calls per bug, and the repair rate per bug at each feedback level side by side.
Both take run_zoo's DataFrames, one row per (bug, sample), and summarise each bug over its samples."""

from ..plotting import count_axis, ensure_axes, legend_below


def _per_bug(df):
    """One row per bug, in zoo order: runs, repaired runs, mean LLM calls, tokens."""
    grouped = df.groupby("bug", sort=False)
    return grouped.agg(runs=("repaired", "size"), repaired=("repaired", "sum"), calls=("attempts", "mean"),
                       tokens=("tokens", lambda t: t.fillna(0).sum()))


def plot_repairs(df, ax=None):
    """Mean LLM calls per bug; green: every sample repaired, orange: some, red: none. 'k/n' on top."""
    ax = ensure_axes(ax, figsize=(8, 3.5))
    bugs = _per_bug(df)
    colors = ["tab:green" if r == n else "tab:orange" if r else "tab:red"
              for r, n in zip(bugs["repaired"], bugs["runs"], strict=True)]
    bars = ax.bar(bugs.index, bugs["calls"], color=colors)
    ax.bar_label(bars, labels=[f"{int(r)}/{n}" for r, n in zip(bugs["repaired"], bugs["runs"], strict=True)],
                 fontsize=8)
    ax.set_ylabel("LLM calls (mean over samples)")
    count_axis(ax, max([*bugs["calls"], 1]))
    ax.set_title(f"{int(df['repaired'].sum())}/{len(df)} runs repaired (label: repaired/runs per bug)")
    ax.tick_params(axis="x", rotation=20)
    return ax


def plot_feedback_levels(results, ax=None):
    """The repair rate of each bug (the share of its samples repaired) at each level side by side.
    ``results`` maps a level (or prompt) name to its run_zoo DataFrame."""
    ax = ensure_axes(ax, figsize=(9, 3.8))
    names = list(results)
    bugs = list(dict.fromkeys(next(iter(results.values()))["bug"])) if results else []
    width = 0.8 / max(1, len(names))
    for k, name in enumerate(names):
        per_bug = _per_bug(results[name]).reindex(bugs)
        xs = [i + (k - (len(names) - 1) / 2) * width for i in range(len(bugs))]
        df = results[name]
        ax.bar(xs, per_bug["repaired"] / per_bug["runs"], width, color=f"C{k}",
               label=f"{name}: {int(df['repaired'].sum())}/{len(df)} runs repaired, {int(df['attempts'].sum())} calls")
    ax.set_xticks(range(len(bugs)), bugs, rotation=20)
    ax.set_ylabel("repair rate (share of samples)")
    ax.set_ylim(0, 1.1)
    legend_below(ax, ncol=1)
    ax.set_title("What feedback is worth, bug by bug")
    return ax
