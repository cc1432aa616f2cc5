"""The kit's problems, each a folder in OpenEvolve's layout (``initial_program.py``, ``evaluator.py``) with the
kit's ``workshop.toml`` beside them: its words for the prompts, explore ideas, baselines, held-out function and
cascade. Adding a worked example is adding a folder here.

``bin_packing``: FunSearch's online bin packing on Weibull instances (notebook 05); the seed is best fit.
``faster``: make a slow function faster with its answers unchanged; correctness is the cascade's first stage.
``newsgroups``: notebook 02's 20 Newsgroups classifier; it needs its data, so load it with
``helpers.evolution.newsgroups_problem(data)``.
"""

from pathlib import Path

from ..problem import Problem, ProblemError, load_problem

HERE = Path(__file__).resolve().parent


def examples() -> list[str]:
    """The names of the folders here."""
    return sorted(p.parent.name for p in HERE.glob("*/initial_program.py"))


def load_example(name: str, **overrides) -> Problem:
    """One of the worked examples as a ``Problem`` (``overrides`` change its settings, e.g. ``cascade=None``)."""
    if name not in examples():
        raise ProblemError(f"no example {name!r}: choose one of {', '.join(examples())}")
    return load_problem(HERE / name, **overrides)


FIRST_FIT = load_example("bin_packing").baselines["first fit"]
