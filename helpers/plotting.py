"""Plot conventions every helper follows (``ax=None`` in, the axes out), and the lessons' plots."""

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator


def ensure_axes(ax=None, figsize=(6, 3.5)):
    """``ax`` itself, or new axes of ``figsize``: the convention every plot in helpers follows."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def count_axis(ax, top):
    """A y axis of whole numbers (no 0.5 ticks for counts) with room above the tallest bar for its label."""
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(top, 1) * 1.2 + 0.5)


def legend_below(ax, ncol=3):
    """A legend under the axes, where it can hide neither lines nor value labels."""
    ax.legend(fontsize=8, ncol=ncol, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)


# --- notebook 04: the evolving dev team ---
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


# --- notebook 03: the toolmaker ---
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


# --- notebook 01: self-repair ---

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


# --- notebook 02: code evolution ---
def plot_learning_curve(runs, ax=None):
    """Best (solid) and mean (dashed) score per generation; ``runs`` is an Evolution or {label: Evolution}."""
    ax = ensure_axes(ax)
    runs = runs if isinstance(runs, dict) else {"evolution": runs}
    for i, (label, evo) in enumerate(runs.items()):
        gens = [h.generation for h in evo.history]
        ax.plot(gens, [h.best for h in evo.history], "o-", color=f"C{i}", label=f"{label}: best")
        ax.plot(gens, [h.mean for h in evo.history], "--", color=f"C{i}", alpha=0.6, label=f"{label}: mean")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("generation")
    ax.set_ylabel("score")
    ax.set_title("Learning curve")
    ax.legend(fontsize=8)
    return ax


def plot_budget_comparison(traces, ax=None):
    """Best score so far against evaluations spent; ``traces`` maps a label to [(evaluations, best), ...]."""
    ax = ensure_axes(ax)
    styles = [("-", 4.5, "o"), ("--", 3, "s"), (":", 2, "^")]   # wide to thin: a line on top of another shows
    for i, (label, trace) in enumerate(traces.items()):
        if trace:
            xs, ys = zip(*trace, strict=True)
            ls, lw, marker = styles[i % len(styles)]
            ax.step(xs, ys, where="post", ls=ls, lw=lw, color=f"C{i}", alpha=0.8, label=f"{label} (best {ys[-1]:.2f})")
            ax.plot(xs[-1], ys[-1], marker, color=f"C{i}", ms=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("evaluations (distinct candidates scored)")
    ax.set_ylabel("best score so far")
    ax.set_title("Same budget, three searches")
    legend_below(ax, ncol=1)
    return ax


def plot_lineage(evo, ax=None):
    """Every candidate (generation, score), lines from parents to children; the winner's ancestry in red."""
    ax = ensure_axes(ax, figsize=(7, 4))
    line = {c.id for c in evo.lineage()}
    jitter = {}
    for c in sorted(evo.candidates.values(), key=lambda c: c.id):
        jitter[c.id] = c.generation + 0.08 * (len([k for k in jitter if evo.candidates[k].generation
                                                    == c.generation]) % 5 - 2)
    for c in evo.candidates.values():
        for p in c.parents:
            red = c.id in line and p in line
            ax.plot([jitter[p], jitter[c.id]], [evo.candidates[p].score, c.score], "-",
                    color="tab:red" if red else "0.8", lw=2 if red else 0.8, zorder=2 if red else 1)
    markers = {"seed": "s", "llm-crossover": "D", "random-mutation": "x"}
    for op in sorted({c.op for c in evo.candidates.values()}):
        cs = [c for c in evo.candidates.values() if c.op == op and c.fitness]
        ax.scatter([jitter[c.id] for c in cs], [c.score for c in cs], marker=markers.get(op, "o"),
                   c=["tab:red" if c.id in line else "tab:blue" for c in cs], label=op, zorder=3)
    best = evo.best
    ax.annotate(f"#{best.id}", (jitter[best.id], best.score), textcoords="offset points", xytext=(5, 5))
    ax.set_xlabel("generation")
    ax.set_ylabel("score")
    ax.set_title("Lineage: red = ancestors of the winner")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_top_accuracy(evo, ax=None, reference=None):
    """As in the Mini Evolve post: accuracy of the top-ranked solution of each generation."""
    ax = ensure_axes(ax)
    gens = [h.generation for h in evo.history]
    accs = [evo.candidates[h.best_id].fitness.info.get("accuracy", 0.0) for h in evo.history]
    ax.plot(gens, accs, "o-", label="top-ranked candidate")
    for g, a in zip(gens, accs, strict=True):
        ax.annotate(f"{a:.3f}", (g, a), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    if reference is not None:
        ax.axhline(reference, color="tab:gray", ls=":", label=f"the post's final pipeline ({reference:.3f})")
    ax.set_xlabel("generation")
    ax.set_ylabel("accuracy (held-out 30%)")
    ax.set_xticks(gens)
    ax.set_title("Accuracy of the #1 solution per generation")
    ax.legend(fontsize=8, loc="lower right")
    return ax
