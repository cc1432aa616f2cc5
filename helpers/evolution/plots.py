"""Notebook 02's plots: learning curves, the same-budget comparison, the lineage (which the explorer draws
too), and the top accuracies."""

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


MARKERS = {"seed": "s", "mutation": "o", "crossover": "D", "repair": "P"}


def kind(c) -> str:
    """How a candidate was made, as a reader names it: seed, mutation, crossover or repair."""
    return c.op if c.op in ("seed", "repair") else "crossover" if len(c.parents) == 2 else "mutation"


def _positions(evo) -> dict:
    """x: the generation, the candidates of one generation spread side by side (by id); y: the score."""
    by_gen = {}
    for c in sorted(evo.candidates.values(), key=lambda c: c.id):
        by_gen.setdefault(c.generation, []).append(c.id)
    xy = {}
    for gen, ids in by_gen.items():
        for i, cid in enumerate(ids):
            offset = 0.0 if len(ids) == 1 else -0.3 + 0.6 * i / (len(ids) - 1)
            xy[cid] = (gen + offset, evo.candidates[cid].score)
    return xy


def plot_lineage(evo, selected=None, ax=None):
    """A run's lineage, its one view (the explorer draws this too): every scored candidate at (generation, score),
    lines from its parents; seeds, mutations, crossovers and repairs by marker, crashes as red crosses, a ring for
    a child re-asked after rejected copies, the winner's ancestry in red, the winner starred and ``selected``
    circled. Children given up (every reply a copy) are
    counted above their generation."""
    ax = ensure_axes(ax, figsize=(8, 3.8))
    xy = {k: v for k, v in _positions(evo).items() if v[1] != float("-inf")}
    line = {c.id for c in evo.lineage()} if xy else set()
    for c in evo.candidates.values():
        for p in c.parents:
            if c.id in xy and p in xy:
                red = c.id in line and p in line
                near = selected in (c.id, p)
                ax.plot(*zip(xy[p], xy[c.id], strict=True), "-", zorder=2 if red or near else 1,
                        color="tab:red" if red else "tab:orange" if near else "0.82", lw=2 if red or near else 0.8)
    for name, marker in MARKERS.items():
        cs = [c for c in evo.candidates.values() if kind(c) == name and c.id in xy and not c.failed]
        if cs:
            ax.scatter([xy[c.id][0] for c in cs], [xy[c.id][1] for c in cs], marker=marker, s=40, zorder=3,
                       c=["tab:red" if c.id in line else "tab:blue" for c in cs], label=name)
    crashed = [c for c in evo.candidates.values() if c.failed and c.id in xy]
    if crashed:
        ax.scatter([xy[c.id][0] for c in crashed], [xy[c.id][1] for c in crashed], marker="X", s=60,
                   color="tab:red", zorder=3, label="crashed")
    asked = [c for c in evo.candidates.values() if evo.record.of(c.id).rejected and c.id in xy]
    if asked:
        ax.scatter([xy[c.id][0] for c in asked], [xy[c.id][1] for c in asked], s=150, facecolors="none",
                   edgecolors="tab:orange", lw=1.5, zorder=4, label="re-asked after a copy")
    if xy:
        best = evo.best
        ax.scatter(*xy[best.id], marker="*", s=260, color="gold", edgecolors="black", zorder=5, label="winner")
    if selected in xy:
        ax.scatter(*xy[selected], s=420, facecolors="none", edgecolors="black", lw=2, zorder=6)
        ax.annotate(f"#{selected}", xy[selected], textcoords="offset points", xytext=(9, 7), fontsize=9)
    for gen in sorted({g["generation"] for g in evo.record.given_up}):
        n = sum(g["generation"] == gen for g in evo.record.given_up)
        ax.annotate(f"{n} given up", (gen, 1), xycoords=("data", "axes fraction"), ha="center", va="top",
                    fontsize=8, color="tab:orange")
    ax.set_xticks(sorted({c.generation for c in evo.candidates.values()}))
    ax.set_xlabel("generation")
    ax.set_ylabel("score")
    ax.set_title("The run: red = the winner's ancestry; circled = the selected candidate")
    legend_below(ax, ncol=4)
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
