"""Notebook 01's plots: attempts per bug, and the two feedback levels side by side."""

from ..plotting import count_axis, ensure_axes, legend_below


def plot_repairs(df, ax=None):
    """Attempts per bug (green: repaired, red: not), with the tokens each repair carried on top."""
    ax = ensure_axes(ax, figsize=(7, 3.5))
    colors = ["tab:green" if r else "tab:red" for r in df["repaired"]]
    bars = ax.bar(df["bug"], df["attempts"], color=colors)
    tokens = df["tokens"] if "tokens" in df else [None] * len(df)
    ax.bar_label(bars, labels=["" if t is None or t != t else f"{int(t)} tok" if t else "cached" for t in tokens],
                 fontsize=8)
    ax.set_ylabel("LLM attempts")
    count_axis(ax, max([*df["attempts"], 1]))
    ax.set_title(f"{int(df['repaired'].sum())}/{len(df)} bugs repaired (green) - red: gave up")
    ax.tick_params(axis="x", rotation=20)
    return ax


def plot_feedback_levels(results, ax=None):
    """Attempts per bug for each feedback level side by side; hatched bars were not repaired.
    ``results`` maps a level (or prompt) name to its run_zoo DataFrame."""
    ax = ensure_axes(ax, figsize=(8, 3.8))
    names = list(results)
    bugs = list(next(iter(results.values()))["bug"]) if results else []
    width = 0.8 / max(1, len(names))
    for k, name in enumerate(names):
        df = results[name].set_index("bug").reindex(bugs)
        xs = [i + (k - (len(names) - 1) / 2) * width for i in range(len(bugs))]
        rate = f"{int(df['repaired'].sum())}/{len(df)} repaired"
        bars = ax.bar(xs, df["attempts"], width, label=f"{name}: {rate}, {int(df['attempts'].sum())} attempts",
                      color=f"C{k}", hatch=None)
        for bar, ok in zip(bars, df["repaired"], strict=True):
            if not ok:
                bar.set_hatch("//")
                bar.set_alpha(0.5)
    ax.set_xticks(range(len(bugs)), bugs, rotation=20)
    ax.set_ylabel("LLM attempts")
    count_axis(ax, max([*(results[n]["attempts"].max() for n in names), 1]))
    legend_below(ax, ncol=1)
    ax.set_title("What feedback is worth (hatched: not repaired)")
    return ax
