"""What the model is told about a failed test run, at three levels (``FEEDBACK_LEVELS``), and the repair
prompt that carries it. No timings in the text: a replayed run asks exactly the recorded prompts."""

import re

from ..sandbox import outcome

TIMEOUT = 3  # seconds per test run: every zoo program finishes in milliseconds when it is right


SYSTEM = ("You are a careful Python developer who fixes bugs. Reply with the complete corrected code "
          "in one ```python block. Keep the function names and signatures. Do not add tests, examples "
          "or print calls.")


FEEDBACK_LEVELS = {
    "none": "only that the tests failed: no error, no test name, no values (the baseline)",
    "traceback": "the error only, as a plain Python run shows it (type, message, line of the code)",
    "full": "the error plus each failing test's assertion with expected and actual values, and stdout",
}


NO_FEEDBACK = "The tests failed."


def _timeout_text(report) -> str:
    # No durations: they differ between runs, and a prompt that differs misses the recording.
    return (f"The run timed out: it was still running after {TIMEOUT} seconds and was killed "
            f"(an infinite loop?).")


def _short_error(message: str) -> str:
    """The traceback-level view of a test's failure: the error and where the code raised it,
    without the test's line (which would reveal the expected value)."""
    if message.startswith("assert "):
        extra = re.search(r"  \((.*)\)  -> ", message) or re.search(r"  \((.*)\)$", message)
        return "AssertionError" + (f": {extra.group(1)}" if extra else "")
    head, _, rest = message.partition(" (test line ")
    raised = re.search(r"; raised at <candidate> (line \d+: .*)$", rest)
    return head + (f" (raised at {raised.group(1)})" if raised else "")


def _got_expected(message: str) -> str:
    """'assert f(x) == y  -> left: A, right: B' reads better as got A, expected B."""
    head, arrow, values = message.partition("  -> left: ")
    if not arrow or ", right: " not in values:
        return message
    got, _, expected = values.rpartition(", right: ")
    return f"{head}\n    got:      {got}\n    expected: {expected}"


def failure_feedback(report, level: str = "full") -> str:
    """What the model is told about a failed test run.

    ``"none"``: only that the tests failed, the baseline every other level is measured against.
    ``"traceback"``: the error of each failing test as a plain run would print it.
    ``"full"``: each failing test's assertion with expected (right) and actual (left) values, the
    error and the test line for crashes, and the end of stdout.
    """
    if level not in FEEDBACK_LEVELS:
        raise ValueError(f"level must be one of {list(FEEDBACK_LEVELS)}, not {level!r}")
    if level == "none":
        return NO_FEEDBACK
    run = report.run
    if run.status == "timeout":
        text = f"{report.passed}/{report.total} tests passed. " + _timeout_text(report)
        running = [r.name for r in report.results if "was running" in r.message]
        if level == "full" and running:
            text += f" The test running when it was killed: {running[0]}."
        return text
    if run.status in ("memory", "killed"):
        return f"The run {outcome(run.status)}."   # sandbox/results.py: the one wording of an outcome
    if run.traceback and not any(r.passed for r in report.results) and run.error_type:
        tb = "\n".join(run.traceback.rstrip().splitlines()[-8:])
        return "The code failed before any test could run:\n" + tb
    lines = [f"{report.passed}/{report.total} tests passed."]
    for r in report.results:
        if not r.passed:
            message = _got_expected(r.message) if level == "full" else _short_error(r.message)
            lines.append(f"FAILED {r.name}: {message}")
    if level == "full" and run.stdout.strip():
        lines.append("stdout (last lines):\n" + "\n".join(run.stdout.rstrip().splitlines()[-10:]))
    return "\n".join(lines)


def repair_prompt(code: str, report, level: str = "full") -> str:
    """The repair prompt: the code, what happened when its tests ran, and what to send back."""
    return (f"This Python code fails its tests.\n\n```python\n{code.strip()}\n```\n\n"
            f"What happened when the tests ran:\n{failure_feedback(report, level)}\n\n"
            "Fix the code so that every test passes. Reply with the whole corrected code in one "
            "```python block.")


SYSTEM_FUNCTIONS = ("You are a careful Python developer who fixes bugs. Reply with only the functions you "
                    "change, each complete, in one ```python block. Keep the function names and signatures. "
                    "Do not add tests, examples or print calls.")


def functions_prompt(code: str, report, level: str = "full") -> str:
    """The repair prompt for a reply the size of the fix (``repair(..., ask_for="functions")``): the same code
    and feedback as ``repair_prompt``; the model sends back only the functions it changes."""
    return (f"This Python program fails its tests.\n\n```python\n{code.strip()}\n```\n\n"
            f"What happened when the tests ran:\n{failure_feedback(report, level)}\n\n"
            "Find the function that causes the failure and fix it. Reply with only the function or functions "
            "you change, each complete (its def line and its body), in one ```python block. The rest of the "
            "program stays as it is.")


# What the loop asks the model to send back, as (system prompt, repair prompt): the whole corrected program
# (notebook 01's short bugs, and notebooks 02 and 05 repairing a child), or only the functions it changes.
ASK_FOR = {"program": (SYSTEM, repair_prompt), "functions": (SYSTEM_FUNCTIONS, functions_prompt)}


def refusal_note(reason: str) -> str:
    """Added to the next prompt when the loop could not use a reply (``ask_for="functions"`` only)."""
    return f"\n\nYour last reply could not be used: {reason}."


def repeat_note(report, level: str = "full", *, unchanged: bool = False) -> str:
    """Added to the next prompt when the model sends a fix the loop has already run: that fix is not run
    again, and the model is told what it did last time."""
    if unchanged:
        return ("\n\nYour last reply sent back this same code, unchanged: it fails as shown above. "
                "Change the code.")
    return (f"\n\nYou sent this exact fix before; it failed with:\n{failure_feedback(report, level)}\n"
            "Do not send it again: try a different fix.")
