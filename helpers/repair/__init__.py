"""Notebook 01, self-repair: the loop (``loop.py``, which notebook 01 prints and notebook 02 reuses), the bug zoo,
the feedback and prompt, the experiment that runs the loop over the zoo, plots and the exercises' checks; the
long programs of the feedback experiment (``long_zoo.py``) and the reply the size of the fix (``splice.py``)."""

from .checks import check_early_stop, check_my_bug, check_prompt
from .experiment import (
    ARMS,
    RepairRun,
    arm_line,
    arms_table,
    compare_levels,
    print_arms,
    print_difference,
    print_repair_rates,
    print_repeats,
    rate_line,
    rate_with_se,
    repair_rate,
    run_arms,
    run_zoo,
    runs_needed,
)
from .feedback import (
    ASK_FOR,
    FEEDBACK_LEVELS,
    NO_FEEDBACK,
    SYSTEM,
    SYSTEM_FUNCTIONS,
    TIMEOUT,
    failure_feedback,
    functions_prompt,
    repair_prompt,
    repeat_note,
)
from .long_zoo import ALL_LONG, HELD_OUT, LONG_ZOO
from .loop import repair
from .plots import plot_feedback_levels, plot_repairs
from .splice import SpliceRefused, splice, splice_reply
from .zoo import ZOO, Bug, get_bug, show_bug

__all__ = [
    "repair", "repeat_note", "Bug", "ZOO", "get_bug", "show_bug", "SYSTEM", "TIMEOUT",
    "FEEDBACK_LEVELS", "NO_FEEDBACK", "failure_feedback", "repair_prompt", "RepairRun", "run_zoo", "repair_rate", "rate_with_se",
    "rate_line", "print_repair_rates", "print_difference", "print_repeats", "compare_levels", "plot_repairs", "plot_feedback_levels", "check_my_bug",
    "check_prompt", "check_early_stop",
    "LONG_ZOO", "HELD_OUT", "ALL_LONG", "ASK_FOR", "SYSTEM_FUNCTIONS", "functions_prompt", "splice", "splice_reply",
    "SpliceRefused", "ARMS", "run_arms", "arm_line", "arms_table", "print_arms", "runs_needed",
]
