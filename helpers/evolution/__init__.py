"""Notebooks 02 and 05: code evolution with LLM calls as the operators.

    engine.py     the loop (Evolution): its steps, novelty by AST, repair before discard; beside it, what the
                  steps use: candidate.py (Candidate, Fitness, Context), operators.py (the Operator and Repair
                  contracts, the LLM and blind operators), budget.py (when run() stops, the progress bar),
                  record.py (what the explorer shows)
    explore.py, explore_view.py, plots.py   the explorer and the plots
    tasks/      notebook 02's tasks: passwords (part 1) and the 20 Newsgroups classifier (part 2), its checks
    problem/    notebook 05's interface: a problem is a seed and an evaluator (Problem, evolve), read from a
                folder in OpenEvolve's layout (load_problem); export.py writes one; problem_checks.py: 05's checks
    problems/   the folders: bin_packing and faster (05), newsgroups (02)

Notebooks import what they use from here (the names below)."""

from .candidate import Candidate, Check, Context, Fitness
from .engine import Evolution, ast_key, best_of_n, best_within, exact, show_diff
from .explore import Explorer, explore
from .operators import ContractError, Operator, Repair, llm_crossover, llm_mutation, random_mutation
from .plots import plot_budget_comparison, plot_learning_curve, plot_lineage, plot_top_accuracy
from .problem import Problem, ProblemError, evolve, load_problem
from .problem_checks import check_cascade, check_evaluator, check_own_problem
from .problems import FIRST_FIT, load_example
from .tasks.checks import check_crossover_prompt, check_my_operator, check_no_triple, check_speed_weights
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
    "Candidate", "Check", "Context", "Fitness", "Evolution", "Operator", "Repair", "ContractError", "llm_mutation", "llm_crossover", "random_mutation",
    "best_of_n", "best_within", "exact", "ast_key", "show_diff", "PasswordTask", "password_fitness", "find_emoji",
    "parse_password", "CROSSOVER_PROMPT", "PASSWORD_SEEDS", "newsgroups_problem", "load_newsgroups", "extract_solve",
    "summarise", "changes", "strip_junk", "run_arms", "summarise_arms", "difference", "HARDER", "MONTH", "SEED_PROGRAM", "SEEDS", "POST_SEED", "POST_FINAL",
    "check_no_triple", "check_crossover_prompt", "check_my_operator", "check_speed_weights",
    "plot_learning_curve", "plot_budget_comparison", "plot_lineage", "plot_top_accuracy",
    "explore", "Explorer",
    "Problem", "ProblemError", "evolve", "load_problem", "load_example", "FIRST_FIT", "check_evaluator", "check_cascade",
    "check_own_problem",
]
