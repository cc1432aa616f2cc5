"""The workshop's shared machinery: talking to models (``helpers.llm``) and running their code (``helpers.sandbox``).

Each lesson has its own package with its own ``__all__``: ``helpers.repair`` (01), ``helpers.evolution`` (02),
``helpers.toolmaker`` (03) and ``helpers.team`` (04). Notebooks import public names only.
"""

from .llm import (
    LLM,
    MODELS,
    PRICES,
    FakeLLM,
    KeyRejectedError,
    LLMError,
    MissingKeyError,
    ModelNotFoundError,
    ProviderUnavailableError,
    QuotaExhaustedError,
    RateLimitError,
    extract_code,
    find_key,
    get_llm,
    list_models,
    parse_items,
    plot_usage,
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
from .show import show_source

__all__ = [
    # talking to models (helpers.llm)
    "LLM", "FakeLLM", "get_llm", "list_models", "find_key", "MODELS", "PRICES",
    "LLMError", "MissingKeyError", "KeyRejectedError", "RateLimitError", "QuotaExhaustedError",
    "ModelNotFoundError", "ProviderUnavailableError",
    # reading replies, and the ledger's plot
    "extract_code", "parse_items", "plot_usage",
    # running untrusted code (helpers.sandbox)
    "run_code", "call_function", "run_tests", "run_many", "ForkServer", "RunResult", "TestReport", "TestOutcome",
    "sandbox_layers",
    # showing a helper's code in a notebook
    "show_source",
]
