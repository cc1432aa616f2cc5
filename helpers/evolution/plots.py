"""Notebook 02's plots: learning curves, the same-budget comparison, the lineage, and the top accuracies."""

from matplotlib.ticker import MaxNLocator

from ..plotting import ensure_axes, legend_below


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


def plot_budget_comparison(runs, budget, axis="calls", ax=None):
    """Mean best score so far (line) and its spread over the random seeds (band: ± one standard deviation)
    against the budget spent on ``axis`` ("calls" or "evaluations"); ``runs`` holds one {arm: trace} per seed."""
    from .tasks.compare import ARMS, curve
    ax = ensure_axes(ax)
    styles = ["-", "--", ":"]
    for i, arm in enumerate(ARMS):
        xs, mean, spread = curve([r[arm] for r in runs], budget, axis)
        if not xs:
            continue
        ax.step(xs, mean, where="post", ls=styles[i], lw=2.5, color=f"C{i}",
                label=f"{arm} ({mean[-1]:.3f} ± {spread[-1]:.3f} at {xs[-1]})")
        ax.fill_between(xs, [m - s for m, s in zip(mean, spread, strict=True)],
                        [m + s for m, s in zip(mean, spread, strict=True)], step="post", color=f"C{i}", alpha=0.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("LLM calls (a blind edit counts as one)" if axis == "calls" else
                  "evaluations (distinct candidates scored, seeds included)")
    ax.set_ylabel("best score so far")
    ax.set_title(f"Equal {'LLM calls' if axis == 'calls' else 'evaluations'}: mean ± spread over {len(runs)} seeds")
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
