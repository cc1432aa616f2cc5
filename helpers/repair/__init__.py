"""Notebook 01, self-repair: the loop (``loop.py``, which notebook 01 prints and notebook 02 reuses), the bug zoo,
the feedback and prompt, the experiment that runs the loop over the zoo, plots and the exercises' checks."""

from .checks import check_early_stop, check_my_bug, check_prompt
from .experiment import (
    RepairRun,
    compare_levels,
    print_difference,
    print_repair_rates,
    print_repeats,
    rate_line,
    rate_with_se,
    repair_rate,
    run_zoo,
)
from .feedback import (
    FEEDBACK_LEVELS,
    NO_FEEDBACK,
    SYSTEM,
    TIMEOUT,
    failure_feedback,
    repair_prompt,
    repeat_note,
)
from .loop import fingerprint, repair
from .plots import plot_feedback_levels, plot_repairs
from .zoo import ZOO, Bug, get_bug, show_bug

__all__ = [
    "repair", "fingerprint", "repeat_note", "Bug", "ZOO", "get_bug", "show_bug", "SYSTEM", "TIMEOUT",
    "FEEDBACK_LEVELS", "NO_FEEDBACK", "failure_feedback", "repair_prompt", "RepairRun", "run_zoo", "repair_rate", "rate_with_se",
    "rate_line", "print_repair_rates", "print_difference", "print_repeats", "compare_levels", "plot_repairs", "plot_feedback_levels", "check_my_bug",
    "check_prompt", "check_early_stop",
]
