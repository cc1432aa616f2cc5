"""The fair comparison of part 1: the LLM GA, a random-mutation GA and LLM best-of-N, each from the same seeds,
at a budget fixed in advance, over several random seeds; judged at equal LLM calls and at equal evaluations."""

import statistics

from ..engine import Evolution, best_of_n, best_within

ARMS = ("LLM GA", "random-mutation GA", "LLM best-of-N")


def run_arms(task, llm, seeds, rng_seed, *, calls=12, k=3, population_size=6, children=3):
    """One random seed of the three arms; returns {arm: trace of (evaluations, calls, best so far)}.

    Every arm starts from ``seeds`` (scored: the first evaluations, at call 0). The LLM GA runs until its
    operators have made ``calls`` LLM calls (re-asks included); best-of-N makes ``calls`` calls of ``k``
    fresh passwords each; the random GA makes ``calls * k`` blind edits, and on the calls axis one blind edit
    stands in for one call (it costs no LLM call at all)."""
    ga = Evolution(task.fitness, task.operators(llm), population_size=population_size, children=children,
                   seed=rng_seed)
    ga.run(seeds=seeds, max_calls=calls, progress=False)
    blind = Evolution(task.fitness, task.random_operators(seed=rng_seed), population_size=population_size,
                      children=children, seed=rng_seed)
    blind.run(seeds=seeds, max_evaluations=len(seeds) + calls * k, progress=False)
    n = len(set(seeds))
    samples = task.samples(llm, calls, k=k, first=100 * rng_seed)
    return {"LLM GA": ga.trace,
            "random-mutation GA": [(e, max(0, e - n), b) for e, _, b in blind.trace],
            "LLM best-of-N": best_of_n([list(seeds)] + samples, task.fitness, first_call=0)}, ga


def summarise_arms(runs, calls, evaluations):
    """Mean and spread (population standard deviation) of each arm's best score, at the two budgets."""
    rows = []
    for arm in ARMS:
        at_calls = [best_within(r[arm], calls, "calls") for r in runs]
        at_evals = [best_within(r[arm], evaluations, "evaluations") for r in runs]
        rows.append({"arm": arm, f"best at {calls} calls": _pm(at_calls),
                     f"best at {evaluations} evaluations": _pm(at_evals)})
    return rows


def difference(runs, budget, axis="calls", a="LLM GA", b="random-mutation GA"):
    """Arm ``a`` minus arm ``b`` at the same budget, seed by seed (both arms of a seed start from the same
    population): the mean difference, its standard error over the seeds, and the per-seed differences."""
    diffs = [best_within(r[a], budget, axis) - best_within(r[b], budget, axis) for r in runs]
    se = statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else float("nan")
    return statistics.mean(diffs), se, diffs


def _pm(xs):
    return f"{statistics.mean(xs):.3f} ± {statistics.pstdev(xs):.3f}"


def curve(traces, budget, axis):
    """Per x in 0..budget: the mean and the spread over random seeds of the best score reached within x."""
    xs = list(range(0, budget + 1))
    per_x = [[best_within(t, x, axis) for t in traces] for x in xs]
    per_x = [[v for v in vs if v == v] for vs in per_x]   # nan: nothing scored yet within x
    keep = [i for i, vs in enumerate(per_x) if len(vs) == len(traces)]
    return ([xs[i] for i in keep], [statistics.mean(per_x[i]) for i in keep],
            [statistics.pstdev(per_x[i]) for i in keep])
