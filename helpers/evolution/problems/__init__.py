"""Notebook 05's worked examples, each a folder in OpenEvolve's layout (``initial_program.py`` and
``evaluator.py``) plus the few words and directions that go into the prompts.

``bin_packing``: FunSearch's online bin packing on Weibull instances; the seed is best fit.
``faster``: make a slow function faster with its answers unchanged; correctness is the cascade's first stage.
"""

from pathlib import Path

from ..problem import Problem

HERE = Path(__file__).resolve().parent

# First fit, as a priority: the valid bins come in the order they were opened, so the first one wins.
FIRST_FIT = '''def priority(item, bins):
    """First fit: the earliest-opened bin the item fits in."""
    return -np.arange(len(bins))
'''

EXAMPLES = {
    "bin_packing": dict(
        description="Online bin packing: items of sizes 1 to 100 arrive one at a time and each must go into a bin "
                    "of capacity 100 at once. priority(item, bins) scores every bin the item fits in (bins holds "
                    "their remaining capacities, a numpy array); the item goes into the bin with the highest "
                    "score. It must return a numpy array with one number per bin, the same shape as bins: use "
                    "numpy operations such as np.where, not if statements on the array, and never return a single "
                    "number or an index. Fewer bins is better: "
                    "combined_score is the lower bound divided by the bins used (1.0 would be perfect), and "
                    "excess_pct is how many percent more bins than the lower bound were used.",
        cascade=0.85, held_out="evaluate_held_out", name="online bin packing (FunSearch)",
        # Directions for explore prompts (AlphaEvolve's prompts carry such human hints): what someone who packs
        # bins would try, in the order they would try them. The model still writes the code and picks the
        # numbers; the evaluation decides what stays.
        ideas=["penalise bins where the item would leave a gap that later items rarely fill: subtract 1000 from "
               "the priority of bins whose space left after the item (bins - item) is between 5 and 15 (np.where)",
               "give a large bonus (say 1000) to bins that the item fills exactly (space left after it is 0)",
               "score the space left after the item with a nonlinear function, such as minus its square root",
               "treat large items (over 50) differently from small ones, for example with a different gap limit",
               "prefer bins that are nearly full already, unless the item would leave a gap between 1 and 10"]),
    "faster": dict(
        description="count_pairs(numbers, target) returns how many pairs i < j have numbers[i] + numbers[j] == "
                    "target. Make it faster: combined_score is how many times fewer Python lines it executes "
                    "than the original on large inputs, and only a version whose answers are all still right "
                    "gets past the first stage (correct is the share of right answers).",
        cascade=1.0, held_out="evaluate_held_out", name="a faster count_pairs",
        ideas=["count how often each number occurs with a dictionary, then look up target minus each number",
               "sort the numbers and walk two pointers towards each other",
               "use collections.Counter"]),
}


def load_example(name: str, **overrides) -> Problem:
    """One of the worked examples as a ``Problem`` (``overrides`` change its settings, e.g. ``cascade=None``)."""
    if name not in EXAMPLES:
        raise KeyError(f"no example {name!r}: choose one of {', '.join(EXAMPLES)}")
    folder = HERE / name
    return Problem(folder / "initial_program.py", folder / "evaluator.py", **{**EXAMPLES[name], **overrides})
