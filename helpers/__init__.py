"""The workshop's shared machinery. Notebooks import only the names in ``__all__``."""

from .bugs import ZOO, Bug, get_bug, show_bug
from .errors import (
    KeyRejectedError,
    LLMError,
    MissingKeyError,
    ModelNotFoundError,
    ProviderUnavailableError,
    QuotaExhaustedError,
    RateLimitError,
)
from .evolution import (
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
from .keys import find_key
from .ledger import PRICES
from .llm import LLM, FakeLLM, get_llm
from .newsgroups import (
    POST_FINAL,
    POST_SEED,
    SEED_PROGRAM,
    NewsgroupsTask,
    check_speed_weights,
    extract_solve,
    load_newsgroups,
)
from .parsing import extract_code, parse_items
from .passwords import (
    CROSSOVER_PROMPT,
    PasswordTask,
    check_crossover_prompt,
    check_no_triple,
    find_emoji,
    parse_password,
    password_fitness,
)
from .plotting import plot_budget_comparison, plot_learning_curve, plot_lineage, plot_top_accuracy, plot_usage
from .providers import MODELS, list_models
from .repair import (
    FEEDBACK_LEVELS,
    SYSTEM,
    TIMEOUT,
    RepairRun,
    check_early_stop,
    check_my_bug,
    check_prompt,
    compare_levels,
    failure_feedback,
    plot_feedback_levels,
    plot_repairs,
    repair_prompt,
    repair_rate,
    run_zoo,
)
from .sandbox import (
    ForkServer,
    RunResult,
    TestOutcome,
    TestReport,
    call_function,
    run_code,
    run_many,
    run_tests,
    sandbox_layers,
)
from .team import (
    AGENTS,
    CLEAN,
    PROBLEMS,
    SPEEDY,
    Attempt,
    Problem,
    attempt_all,
    check_new_problem,
    check_selection_rule,
    check_third_agent,
    evolve_team,
    heldout_comparison,
    keep_if_not_worse,
    mean_score,
    plot_heldout,
    plot_team_rounds,
    prompt_diff,
    raises,
    reflect,
    reflection_prompt,
    show_attempt,
    solve,
    summarize_heldout,
    tech_lead,
)
from .toolmaker import (
    BROKEN_TOOLS,
    SHOUT_TESTS,
    ToolLibrary,
    Toolmaker,
    ToolNotFoundError,
    check_broken,
    check_own_tool,
    check_reuse,
    choose_tool,
    fix_prompt,
    plot_tool_builds,
    split_reply,
    stated_signature,
    tool_prompt,
)

__all__ = [
    # talking to models (helpers.llm and friends)
    "LLM", "FakeLLM", "get_llm", "list_models", "find_key", "MODELS", "PRICES",
    "LLMError", "MissingKeyError", "KeyRejectedError", "RateLimitError", "QuotaExhaustedError",
    "ModelNotFoundError", "ProviderUnavailableError",
    # reading replies
    "extract_code", "parse_items",
    # plots
    "plot_usage",
    # running untrusted code (helpers.sandbox)
    "run_code", "call_function", "run_tests", "run_many", "ForkServer", "RunResult", "TestReport", "TestOutcome",
    "sandbox_layers",
    # notebook 03: the toolmaker
    "ToolLibrary", "ToolNotFoundError", "Toolmaker", "choose_tool", "stated_signature", "tool_prompt", "fix_prompt",
    "plot_tool_builds", "split_reply", "BROKEN_TOOLS", "SHOUT_TESTS", "check_own_tool", "check_reuse",
    "check_broken",
    # notebook 01: self-repair
    "Bug", "ZOO", "get_bug", "show_bug", "SYSTEM", "TIMEOUT", "FEEDBACK_LEVELS", "failure_feedback",
    "repair_prompt", "RepairRun", "run_zoo", "repair_rate", "compare_levels", "plot_repairs",
    "plot_feedback_levels", "check_my_bug", "check_prompt", "check_early_stop",
    # notebook 04: the evolving dev team
    "AGENTS", "SPEEDY", "CLEAN", "PROBLEMS", "Problem", "raises", "Attempt", "tech_lead", "solve", "attempt_all",
    "mean_score", "reflection_prompt", "reflect", "keep_if_not_worse", "evolve_team", "heldout_comparison",
    "summarize_heldout", "prompt_diff", "show_attempt", "check_third_agent", "check_new_problem",
    "check_selection_rule", "plot_team_rounds", "plot_heldout",
    # notebook 02: code evolution
    "Candidate", "Check", "Fitness", "Evolution", "llm_mutation", "llm_crossover", "random_mutation", "best_of_n",
    "show_diff", "PasswordTask", "password_fitness", "find_emoji", "parse_password",
    "CROSSOVER_PROMPT", "check_no_triple", "check_crossover_prompt", "NewsgroupsTask", "load_newsgroups",
    "extract_solve", "SEED_PROGRAM", "POST_SEED", "POST_FINAL", "check_speed_weights", "plot_learning_curve",
    "plot_budget_comparison", "plot_lineage", "plot_top_accuracy",
]
