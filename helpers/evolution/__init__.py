"""Notebook 02, code evolution: a small genetic algorithm whose operators are LLM calls (``engine``), applied
to passwords (part 1) and to a scikit-learn classifier for 20 Newsgroups (part 2), with plots and checks; and
notebook 05's ``Problem``: a seed and an evaluator of your own on the same engine (``problem``, ``problems``)."""

from .checks import check_crossover_prompt, check_no_triple, check_speed_weights
from .compare import difference, run_arms, summarise_arms
from .emoji import find_emoji
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
from .newsgroups import (
    POST_FINAL,
    POST_SEED,
    SEED_PROGRAM,
    SEEDS,
    NewsgroupsTask,
    changes,
    extract_solve,
    summarise,
)
from .newsgroups_data import load_newsgroups
from .passwords import CROSSOVER_PROMPT, HARDER, MONTH, PasswordTask, parse_password, password_fitness
from .passwords import SEEDS as PASSWORD_SEEDS
from .plots import plot_budget_comparison, plot_learning_curve, plot_lineage, plot_top_accuracy
from .problem import Problem, ProblemError, evolve
from .problem_checks import check_cascade, check_evaluator, check_own_problem
from .problems import FIRST_FIT, load_example
from .tidy import strip_junk

__all__ = [
    "Candidate", "Check", "Context", "Fitness", "Evolution", "llm_mutation", "llm_crossover", "random_mutation",
    "best_of_n", "best_within", "exact", "ast_key", "show_diff", "PasswordTask", "password_fitness", "find_emoji",
    "parse_password", "CROSSOVER_PROMPT", "PASSWORD_SEEDS", "NewsgroupsTask", "load_newsgroups", "extract_solve",
    "summarise", "changes", "strip_junk", "run_arms", "summarise_arms", "difference", "HARDER", "MONTH", "SEED_PROGRAM", "SEEDS", "POST_SEED", "POST_FINAL",
    "check_no_triple", "check_crossover_prompt", "check_speed_weights",
    "plot_learning_curve", "plot_budget_comparison", "plot_lineage", "plot_top_accuracy",
    "explore", "Explorer", "plot_run",
    "Problem", "ProblemError", "evolve", "load_example", "FIRST_FIT", "check_evaluator", "check_cascade",
    "check_own_problem",
]
