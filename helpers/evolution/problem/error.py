"""The one error a problem raises before any LLM call: one line, what is wrong and how to fix it."""

from ...llm.errors import HelpfulError


class ProblemError(HelpfulError, ValueError):
    """A problem that cannot be evolved as given; the message says what is wrong and how to fix it."""
