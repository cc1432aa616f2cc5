"""Notebook 05's interface, the capstone's: a problem is a seed and an evaluator (``Problem``), usually a folder in
OpenEvolve's layout (``load_problem``), evolved on notebook 02's engine (``evolve``).

    core.py      Problem and evolve: the sandboxed evaluation, the cascade, the held-out table, the repair
    metrics.py   what an evaluator returns, read as OpenEvolve reads it (dict or EvaluationResult; the score rule)
    prompts.py   the words of the prompts (Prompts), which a folder or a task may reword
    folder.py    load_problem: initial_program.py, evaluator.py, config.yaml and the kit's workshop.toml
    harness.py   the lines that run beside the evaluator in the sandbox (and OpenEvolve's stand-in class)
    blocks.py    the EVOLVE-BLOCK markers;  error.py: ProblemError
"""

from .blocks import END, START, split_blocks
from .core import Problem, evolve, openevolve_judge
from .error import ProblemError
from .folder import load_problem
from .prompts import Prompts

__all__ = ["Problem", "ProblemError", "evolve", "load_problem", "Prompts", "openevolve_judge", "split_blocks",
           "START", "END"]
