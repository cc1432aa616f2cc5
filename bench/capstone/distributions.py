"""The held-out verdict on two item distributions, for every arm's winner and for the classic heuristics.

- **Weibull 5k**: the evaluator's own ``evaluate_held_out`` (FunSearch's Weibull(3, 45), capacity 100, five
  instances of 5,000 items from seeds selection never saw).
- **OR-style**: the parameters of the OR-Library instances FunSearch also reports (Falkenauer's uniform class:
  integer sizes uniform in 20..100, capacity 150), five instances of 1,000 items (OR4's size) from seeds 200 to
  204. Nothing in the search saw capacity 150 or this distribution: a heuristic tuned to Weibull's gaps may not
  carry over (Herrmann and Pallez; "Beyond the Hype").
The excess is over the same L2 lower bound, in percent; lower is better.
"""

from helpers.evolution import FIRST_FIT, Problem, load_example

OR_STYLE = '''

OR_STYLE = [(seed, 1000) for seed in range(200, 205)]


def evaluate_or_style(program_path, capacity=150):
    priority = load_priority(program_path)
    rows = []
    for seed, n in OR_STYLE:
        items = np.random.default_rng(seed).integers(20, 101, n)
        used, bound = pack(priority, items, capacity), l2_lower_bound(items, capacity)
        rows.append((100.0 * (used - bound) / bound, bound / used))
    return {"combined_score": float(np.mean([r[1] for r in rows])), "excess_pct": float(np.mean([r[0] for r in rows]))}
'''

DISTRIBUTIONS = {"Weibull 5k": "evaluate_held_out", "OR-style": "evaluate_or_style"}


def judge() -> Problem:
    """The bin-packing problem with the second distribution's function added to its evaluator (only for
    scoring winners: the arms evolve on the evaluator as it ships)."""
    bp = load_example("bin_packing")
    return Problem(bp.seed, bp.evaluator + OR_STYLE, description=bp.description, held_out="evaluate_or_style")


def held_out(block: str, problem: Problem | None = None) -> dict:
    """{distribution: excess %} for one block, or an error string where it failed."""
    problem = problem or judge()
    out = {}
    for name, function in DISTRIBUTIONS.items():
        fit = problem.run(block, function)
        out[name] = fit.error or round(fit.info["excess_pct"], 4)
    return out


def baselines(problem: Problem | None = None) -> dict:
    problem = problem or judge()
    return {"first fit": held_out(FIRST_FIT, problem), "best fit": held_out(problem.block, problem)}
