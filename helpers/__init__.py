"""The workshop's shared machinery. Notebooks import only the names in ``__all__``."""

from .errors import (KeyRejectedError, LLMError, MissingKeyError, ModelNotFoundError, ProviderUnavailableError,
                     QuotaExhaustedError, RateLimitError)
from .keys import find_key
from .ledger import PRICES
from .llm import LLM, FakeLLM, get_llm
from .parsing import extract_code, parse_items
from .plotting import plot_usage
from .providers import MODELS, list_models

__all__ = [
    # talking to models (helpers.llm and friends)
    "LLM", "FakeLLM", "get_llm", "list_models", "find_key", "MODELS", "PRICES",
    "LLMError", "MissingKeyError", "KeyRejectedError", "RateLimitError", "QuotaExhaustedError",
    "ModelNotFoundError", "ProviderUnavailableError",
    # reading replies
    "extract_code", "parse_items",
    # plots
    "plot_usage",
]
