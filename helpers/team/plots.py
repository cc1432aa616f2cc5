"""Notebook 04's plots: the training rounds (kept and rejected rewrites), and the held-out comparison."""

from ..plotting import ensure_axes, legend_below


def plot_team_rounds(history, ax=None):
    """Training score per round and agent: the line is the kept prompt, markers are the proposed rewrites
    (filled = kept by selection, hollow = rejected)."""
    ax = ensure_axes(ax)
    for i, (agent, rows) in enumerate(history.groupby("agent", sort=False)):
        color = f"C{i}"
        ax.plot(rows["round"], rows["kept"], "-", color=color, label=f"{agent} (kept prompt)")
        for _, r in rows[rows["round"] > 0].iterrows():
            ax.plot(r["round"], r["score"], "o", color=color, mfc=color if r["accepted"] else "none", ms=8)
    ax.set_xticks(sorted(history["round"].unique()))
    ax.set_xlabel("round (0 = original prompts)")
    ax.set_ylabel("mean share of hidden tests passed")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("Training problems: filled = rewrite kept, hollow = rejected")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_heldout(summary, ax=None):
    """Held-out score per agent and arm (original / evolved / control): the mean, with its standard error."""
    ax = ensure_axes(ax)
    arms = ["original", "evolved", "control"]
    agents = list(dict.fromkeys(summary["agent"]))
    width = 0.8 / len(arms)
    for j, arm in enumerate(arms):
        rows = summary[summary["arm"] == arm].set_index("agent").reindex(agents)
        xs = [i + (j - 1) * width for i in range(len(agents))]
        mean, se = rows["mean"], rows["se"].fillna(0)
        bars = ax.bar(xs, mean, width, yerr=se, capsize=4, label=arm, color=f"C{j + 2}")
        ax.bar_label(bars, labels=[f"{m:.2f}" for m in mean], fontsize=8, padding=2, label_type="center")
    ax.set_xticks(range(len(agents)), agents)
    ax.set_ylabel("share of hidden tests passed")
    ax.set_ylim(0, 1.05)
    ax.set_title("Held-out problems: mean ± standard error over problems × samples")
    legend_below(ax)
    return ax
