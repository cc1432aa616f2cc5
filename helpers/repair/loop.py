"""The self-repair loop: run the tests, show the model the failure, run its fix, repeat.

It lives here, not in notebook 01, because notebook 02's evolution reuses it to repair a crashing child before
discarding it. Notebook 01 prints it with ``show_source(repair)`` and walks through it line by line."""

from ..llm.parsing import extract_code
from ..sandbox import run_tests
from .experiment import RepairRun
from .feedback import SYSTEM, TIMEOUT, repair_prompt


def repair(code, tests, *, llm, max_attempts=3, feedback="full", prompt=repair_prompt, timeout=TIMEOUT):
    """Run the tests; while they fail, show the model the failure and try its fix. Success = every test passes."""
    history = []                                          # (code, test report) for every version tried
    for attempt in range(max_attempts + 1):               # version 0 is the original code
        report = run_tests(code, tests, timeout=timeout)  # in a child process: crashes and hangs stay there
        history.append((code, report))
        if report.all_passed or attempt == max_attempts:
            break
        reply = llm.chat(prompt(code, report, feedback), system=SYSTEM,
                         temperature=0.2, max_tokens=400, sample=attempt)
        code = extract_code(reply) or code                # no code in the reply: this attempt is wasted
    return RepairRun(history)
