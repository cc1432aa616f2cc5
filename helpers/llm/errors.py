"""Exceptions that tell you what to do next: each message says what went wrong, then the fix.

The raw SDK exception stays attached as ``__cause__`` for anyone who wants it.
"""


class HelpfulError(Exception):
    """An error whose message is the whole story: what went wrong and what to do next. In a notebook,
    ``get_llm`` shows its message on one line instead of a traceback (a problem that cannot be evolved,
    in notebook 05, is one too)."""


class LLMError(HelpfulError, RuntimeError):
    """Base class: anything that went wrong while talking to a model."""


class MissingKeyError(LLMError):
    """The chosen provider needs an API key and none was found."""


class KeyRejectedError(LLMError):
    """The provider answered 401/403: the key is wrong, revoked or for another provider."""


class RateLimitError(LLMError):
    """Still rate-limited (429) after the retries."""


class QuotaExhaustedError(LLMError):
    """The account is out of credit; retrying cannot help."""


class ModelNotFoundError(LLMError):
    """The model id is unknown or retired (decommissioned)."""


class ProviderUnavailableError(LLMError):
    """Timeouts, dropped connections or 5xx errors that outlasted the retries."""


class MissingPackageError(LLMError):
    """The provider's SDK is not installed."""
