"""Notebook 01, self-repair. The loop itself lives in the notebook, because it is the lesson; this package
holds what it needs: the bug zoo, the feedback and prompt, the experiment that runs the notebook's loop, plots
and the exercises' checks."""

from .checks import check_early_stop, check_my_bug, check_prompt
from .experiment import RepairRun, compare_levels, repair_rate, run_zoo
from .feedback import FEEDBACK_LEVELS, SYSTEM, TIMEOUT, failure_feedback, repair_prompt
from .plots import plot_feedback_levels, plot_repairs
from .zoo import ZOO, Bug, get_bug, show_bug

__all__ = [
    "Bug", "ZOO", "get_bug", "show_bug", "SYSTEM", "TIMEOUT", "FEEDBACK_LEVELS", "failure_feedback",
    "repair_prompt", "RepairRun", "run_zoo", "repair_rate", "compare_levels", "plot_repairs",
    "plot_feedback_levels", "check_my_bug", "check_prompt", "check_early_stop",
]
