"""Notebook 04, the evolving dev team: developer agents are system prompts (``developers``), a tech lead
grades them with hidden tests (``lead``, ``problems``), they propose new rules for themselves (``reflection``)
in the lesson's loop (``loop``), and a paired before-and-after (``heldout``) says whether it helped."""

from .checks import check_new_problem, check_selection_rule, check_third_agent
from .developers import AGENTS, CLEAN, SPEEDY, attempt_all, mean_score, solve
from .display import prompt_diff, show_attempt
from .heldout import control_prompt, heldout_comparison, paired_difference, summarize_heldout
from .lead import Attempt, tech_lead
from .loop import evaluate, evolve_team
from .plots import plot_heldout, plot_team_rounds
from .problems import PROBLEMS, Problem, raises
from .reflection import extract_rules, keep_if_better, propose, reflection_prompt, with_rules

__all__ = [
    "AGENTS", "SPEEDY", "CLEAN", "PROBLEMS", "Problem", "raises", "Attempt", "tech_lead", "solve",
    "attempt_all", "mean_score", "reflection_prompt", "propose", "extract_rules", "with_rules", "keep_if_better",
    "evaluate", "evolve_team", "control_prompt", "heldout_comparison", "paired_difference", "summarize_heldout",
    "prompt_diff", "show_attempt", "plot_team_rounds", "plot_heldout",
    "check_third_agent", "check_new_problem", "check_selection_rule",
]
