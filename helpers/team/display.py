"""Reading the team's results: how a prompt changed, sentence by sentence, and one agent's attempt."""

import difflib
import re

from .lead import Attempt


def _sentences(prompt: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?:])\s+|\n+", prompt.strip()) if s.strip()]


def prompt_diff(lineage: list[str]) -> str:
    """Sentence-level diff of each prompt against the one before it: '+' added, '-' removed."""
    parts = []
    for i, (old, new) in enumerate(zip(lineage, lineage[1:], strict=False), start=1):
        lines = [d for d in difflib.ndiff(_sentences(old), _sentences(new)) if d[:1] in "+-"]
        parts.append(f"--- version {i - 1} -> version {i}\n" + ("\n".join(lines) or "  (no change)"))
    return "\n".join(parts) or "(only the original prompt: no rewrite was kept)"


def show_attempt(attempts: list[Attempt], agent: str, problem: str) -> str:
    """The code and the tech lead's feedback for one agent on one problem (first match)."""
    for a in attempts:
        if a.agent == agent and a.problem == problem:
            return (f"{agent} on {problem}: score {a.score:.2f} ({a.passed}/{a.total} hidden tests)\n\n"
                    f"{a.code.strip() or '(no code)'}\n\ntech lead: {a.feedback}")
    return f"no attempt by {agent} on {problem}"
