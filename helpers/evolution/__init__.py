"""Notebook 02, code evolution: a small genetic algorithm whose operators are LLM calls (``engine``), applied
to passwords (part 1) and to a scikit-learn classifier for 20 Newsgroups (part 2), with plots and checks."""

from .checks import check_crossover_prompt, check_no_triple, check_speed_weights
from .emoji import find_emoji
from .engine import (
    Candidate,
    Check,
    Evolution,
    Fitness,
    best_of_n,
    llm_crossover,
    llm_mutation,
    random_mutation,
    show_diff,
)
from .newsgroups import POST_FINAL, POST_SEED, SEED_PROGRAM, NewsgroupsTask, extract_solve
from .newsgroups_data import load_newsgroups
from .passwords import CROSSOVER_PROMPT, PasswordTask, parse_password, password_fitness
from .plots import plot_budget_comparison, plot_learning_curve, plot_lineage, plot_top_accuracy

__all__ = [
    "Candidate", "Check", "Fitness", "Evolution", "llm_mutation", "llm_crossover", "random_mutation", "best_of_n",
    "show_diff", "PasswordTask", "password_fitness", "find_emoji", "parse_password", "CROSSOVER_PROMPT",
    "NewsgroupsTask", "load_newsgroups", "extract_solve", "SEED_PROGRAM", "POST_SEED", "POST_FINAL",
    "check_no_triple", "check_crossover_prompt", "check_speed_weights",
    "plot_learning_curve", "plot_budget_comparison", "plot_lineage", "plot_top_accuracy",
]
