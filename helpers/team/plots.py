"""Notebook 04's plots: the training rounds (kept and rejected rewrites), and the held-out comparison."""

from ..plotting import ensure_axes, legend_below


def plot_team_rounds(history, ax=None):
    """Training score per round and agent: the line is the kept prompt, markers are the rewrites
    (filled = kept by selection, hollow = rejected)."""
    ax = ensure_axes(ax)
    for i, (agent, rows) in enumerate(history.groupby("agent", sort=False)):
        color = f"C{i}"
        ax.plot(rows["round"], rows["kept"], "-", color=color, label=f"{agent} (kept prompt)")
        for _, r in rows[rows["round"] > 0].iterrows():
            ax.plot(r["round"], r["candidate"], "o", color=color, mfc=color if r["accepted"] else "none", ms=8)
    ax.set_xticks(sorted(history["round"].unique()))
    ax.set_xlabel("round (0 = original prompts)")
    ax.set_ylabel("share of hidden tests passed")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("Training problems: filled = rewrite kept, hollow = rejected")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_heldout(summary, ax=None):
    """Held-out score per agent and arm (original / evolved / control), mean with a std error bar."""
    ax = ensure_axes(ax)
    arms = ["original", "evolved", "control"]
    agents = list(dict.fromkeys(summary["agent"]))
    width = 0.8 / len(arms)
    for j, arm in enumerate(arms):
        rows = summary[summary["arm"] == arm].set_index("agent").reindex(agents)
        xs = [i + (j - 1) * width for i in range(len(agents))]
        mean, std = rows["mean"], rows["std"].fillna(0)
        # a share lives in [0, 1]: the bar shows the spread, clipped where the scale ends
        spread = [(mean - std).clip(lower=0).rsub(mean), (mean + std).clip(upper=1) - mean]
        bars = ax.bar(xs, mean, width, yerr=spread, capsize=4, label=arm, color=f"C{j + 2}")
        ax.bar_label(bars, labels=[f"{m:.2f}" for m in mean], fontsize=8, padding=2, label_type="center")
    ax.set_xticks(range(len(agents)), agents)
    ax.set_ylabel("share of hidden tests passed")
    ax.set_ylim(0, 1.05)
    ax.set_title("Held-out problems: mean ± std over problems × samples (clipped to 0..1)")
    legend_below(ax)
    return ax
