"""The tech lead: runs a solution against the hidden tests in the sandbox and scores the share passed, with
feedback (expected against actual) that the agents will read; optionally an LLM review of readability."""

import re
from dataclasses import dataclass

from ..sandbox import run_tests
from .problems import Problem


@dataclass
class Attempt:
    """One solution and the tech lead's verdict on it."""
    agent: str
    problem: str
    code: str
    score: float  # share of hidden tests passed (times the review bonus, if a review ran)
    passed: int
    total: int
    feedback: str  # the failing tests, expected vs actual, or why nothing ran
    review: float | None = None


def tech_lead(code: str, problem: Problem, *, agent: str = "", timeout: float = 5, llm=None,
              review_weight: float = 0.2) -> Attempt:
    """Run ``code`` against the problem's hidden tests in the sandbox and score it.

    The score is the share of hidden tests passed. With ``llm``, a review of readability adds up to
    ``review_weight`` of the score, scaled by that share, so it can never rescue code that fails.
    """
    if not code.strip():
        return Attempt(agent, problem.name, code, 0.0, 0, len(problem.hidden), "no code in the reply")
    report = run_tests(code, problem.tests(), timeout=timeout)
    total = max(report.total, len(problem.hidden))
    share = report.passed / total if total else 0.0
    failing = [f"{o.name.removeprefix('test_')}: {tidy(o.message)}" for o in report.results if not o.passed]
    if report.passed == 0 and not report.run.ok:  # one reason for all: crash on import, timeout, memory
        failing = [f"no test passed, the run ended with status {report.run.status}: "
                   f"{tidy(report.results[0].message if report.results else report.run.feedback())}"]
    attempt = Attempt(agent, problem.name, code, round(share, 3), report.passed, total,
                      "\n".join(failing) or "all hidden tests pass")
    if llm is not None and share > 0:
        attempt.review = llm_review(llm, code, attempt)
        attempt.score = round(share * (1 - review_weight + review_weight * attempt.review), 3)
    return attempt


def tidy(message: str, limit: int = 160) -> str:
    """One deterministic line for a prompt: no source excerpt (the sandbox names its limit, not a timing)."""
    line = (message or "").strip().splitlines()[-1:] or [""]
    line = re.sub(r" \(line \d+: .*\)$", "", line[0])
    line = line.removeprefix("AssertionError: ")
    mine = re.search(r"\s\s\((\S.* -> expected .+)\)\s+-> left: ", line)  # our message inside the sandbox's
    line = mine.group(1) if mine else line
    return line[:limit] + ("..." if len(line) > limit else "")


def llm_review(llm, code: str, attempt: Attempt) -> float:
    """An LLM's 0..1 opinion of readability and idioms; it sees the test results first."""
    reply = llm.chat(f"Hidden tests: {attempt.passed}/{attempt.total} passed.\n```python\n{code}```\n"
                     "Rate this code's readability and idiomatic style from 0 to 10. Reply with the number only.",
                     temperature=0.0, max_tokens=8)
    m = re.search(r"\d+(\.\d+)?", reply)
    return min(1.0, float(m.group()) / 10) if m else 0.0
