"""Notebooks 02 and 05: code evolution with LLM calls as the operators.

    engine.py, explore.py, explore_view.py, plots.py   the engine (Evolution, LLM operators, novelty by AST,
                                                       repair before discard) and its explorer and plots
    tasks/      notebook 02's tasks: passwords (part 1) and the 20 Newsgroups classifier (part 2), its checks
    problem/    notebook 05's interface: a problem is a seed and an evaluator (Problem, evolve), read from a
                folder in OpenEvolve's layout (load_problem); export.py writes one; problem_checks.py: 05's checks
    problems/   the folders: bin_packing and faster (05), newsgroups (02)

Notebooks import what they use from here (the names below)."""

from .engine import (
    Candidate,
    Check,
    Context,
    Evolution,
    Fitness,
    ast_key,
    best_of_n,
    best_within,
    exact,
    llm_crossover,
    llm_mutation,
    random_mutation,
    show_diff,
)
from .explore import Explorer, explore, plot_run
from .plots import plot_budget_comparison, plot_learning_curve, plot_lineage, plot_top_accuracy
from .problem import Problem, ProblemError, evolve, load_problem
from .problem_checks import check_cascade, check_evaluator, check_own_problem
from .problems import FIRST_FIT, load_example
from .tasks.checks import check_crossover_prompt, check_no_triple, check_speed_weights
from .tasks.compare import difference, run_arms, summarise_arms
from .tasks.emoji import find_emoji
from .tasks.newsgroups import (
    POST_FINAL,
    POST_SEED,
    SEED_PROGRAM,
    SEEDS,
    changes,
    extract_solve,
    newsgroups_problem,
    summarise,
)
from .tasks.newsgroups_data import load_newsgroups
from .tasks.passwords import CROSSOVER_PROMPT, HARDER, MONTH, PasswordTask, parse_password, password_fitness
from .tasks.passwords import SEEDS as PASSWORD_SEEDS
from .tasks.tidy import strip_junk

__all__ = [
    "Candidate", "Check", "Context", "Fitness", "Evolution", "llm_mutation", "llm_crossover", "random_mutation",
    "best_of_n", "best_within", "exact", "ast_key", "show_diff", "PasswordTask", "password_fitness", "find_emoji",
    "parse_password", "CROSSOVER_PROMPT", "PASSWORD_SEEDS", "newsgroups_problem", "load_newsgroups", "extract_solve",
    "summarise", "changes", "strip_junk", "run_arms", "summarise_arms", "difference", "HARDER", "MONTH", "SEED_PROGRAM", "SEEDS", "POST_SEED", "POST_FINAL",
    "check_no_triple", "check_crossover_prompt", "check_speed_weights",
    "plot_learning_curve", "plot_budget_comparison", "plot_lineage", "plot_top_accuracy",
    "explore", "Explorer", "plot_run",
    "Problem", "ProblemError", "evolve", "load_problem", "load_example", "FIRST_FIT", "check_evaluator", "check_cascade",
    "check_own_problem",
]
