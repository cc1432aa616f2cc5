"""My tool library: plain functions the toolmaker agent can call.

The agent reads each tool's name, signature and docstring to choose one, and adds the tools it writes
itself at the end of this file. The tests that pin each tool live in registry.json next to this file.
Edit freely, but keep every tool's tests passing: the library refuses a version that breaks them.
"""


def add(a: float, b: float) -> float:
    """Add two numbers and return their sum."""
    return a + b


def multiply(a: float, b: float) -> float:
    """Multiply two numbers and return their product."""
    return a * b


def reverse_text(text: str) -> str:
    """Return the text written backwards, last character first."""
    return text[::-1]
