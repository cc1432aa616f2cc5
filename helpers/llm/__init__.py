"""The LLM layer: ``get_llm`` (factory) over the providers, over the ``LLM`` base, its ledger and errors.

Read it top-down: factory -> choose / keys -> providers, replay (-> recording) and fake -> base -> ledger, errors.
"""

from .base import LLM, Reply
from .errors import (
    KeyRejectedError,
    LLMError,
    MissingKeyError,
    MissingPackageError,
    ModelNotFoundError,
    ProviderUnavailableError,
    QuotaExhaustedError,
    RateLimitError,
)
from .factory import get_llm, list_models
from .fake import FakeLLM
from .keys import find_key
from .ledger import PRICES, Usage, plot_usage
from .parsing import extract_code, parse_items
from .providers import MODELS
from .replay import ReplayLLM

__all__ = [
    "get_llm", "list_models", "LLM", "Reply", "FakeLLM", "ReplayLLM", "MODELS", "PRICES", "Usage", "plot_usage",
    "find_key", "extract_code", "parse_items",
    "LLMError", "MissingKeyError", "KeyRejectedError", "RateLimitError", "QuotaExhaustedError",
    "ModelNotFoundError", "ProviderUnavailableError", "MissingPackageError",
]
