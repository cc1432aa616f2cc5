"""Notebook 01's exercise checks: your own bug, your own prompt, a loop that stops early."""

import ast

from ..checks import say
from ..llm import FakeLLM
from ..sandbox import run_tests
from .experiment import as_run, compare_levels
from .feedback import TIMEOUT, repair_prompt
from .zoo import ZOO, Bug, get_bug


def _tests_of(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]


def check_my_bug(bug=None, result=None) -> bool:
    """Exercise 1: a bug of your own, with tests that the bug fails and the fix passes."""
    print("Exercise 1, your own bug:")
    if not isinstance(bug, Bug):
        say(False, "make MY_BUG = Bug(name, kind, code, tests, fixed) and call check_my_bug(MY_BUG)")
        return False
    if any(bug.name == b.name for b in ZOO) and bug.code == get_bug(bug.name).code:
        say(False, f"{bug.name!r} is already in the zoo: write a bug of your own")
        return False
    ok = say(len(_tests_of(bug.tests)) >= 2, f"tests: {len(_tests_of(bug.tests))} test functions (want 2 or more)")
    before = run_tests(bug.code, bug.tests, timeout=TIMEOUT)
    ok &= say(not before.all_passed, f"the buggy code fails its tests ({before.summary()})")
    if bug.fixed.strip():
        after = run_tests(bug.fixed, bug.tests, timeout=TIMEOUT)
        ok &= say(after.all_passed, f"your fixed version passes them ({after.summary()}): the tests are fair")
    else:
        ok &= say(False, "give Bug a fixed= version, so we know the tests can be passed")
    if result is None:
        say(False, "run repair(MY_BUG.code, MY_BUG.tests) and pass the result: check_my_bug(MY_BUG, run)")
        return False
    run = as_run(result)
    say(True, f"the loop ran: {'repaired' if run.repaired else 'not repaired'} after {run.attempts} attempt(s)"
               + ("" if run.repaired else " (a fair result too: say why in a markdown cell)"))
    if ok:
        print("Done: your bug is in the zoo.")
    return ok


def check_prompt(my_prompt=None, results: dict | None = None) -> bool:
    """Exercise 2: a prompt of your own (minimal diff, or explain the cause first), compared."""
    print("Exercise 2, your repair prompt:")
    if not callable(my_prompt):
        say(False, "define my_prompt(code, report, level) returning the prompt text, then check_prompt(my_prompt)")
        return False
    bug = get_bug("mean")
    report = run_tests(bug.code, bug.tests, timeout=TIMEOUT)
    try:
        text = my_prompt(bug.code, report, "full")
    except Exception as exc:  # the learner's code: say what went wrong, don't raise
        say(False, f"my_prompt raised {type(exc).__name__}: {exc}")
        return False
    ok = say(isinstance(text, str) and len(text) > 0, "it returns a string")
    if not ok:
        return False
    ok &= say(text != repair_prompt(bug.code, report, "full"), "it differs from repair_prompt")
    ok &= say("sum(numbers) / len(numbers)" in text, "it contains the code to fix")
    ok &= say("ZeroDivisionError" in text, "it contains the failure (use failure_feedback(report, level))")
    if not results or len(results) < 2:
        say(False, "compare: results = {'repair_prompt': df_a, 'my_prompt': df_b} from run_zoo, then "
                    "check_prompt(my_prompt, results)")
        return False
    table = compare_levels(results)
    print(table.to_string())
    sizes = {len(df) for df in results.values()}
    ok &= say(len(sizes) == 1, "both prompts ran on the same bugs")
    if ok:
        print("Done. A small zoo and a weak model make this a noisy comparison: say so next to the numbers.")
    return ok


SILENCED = ["return 0", "return None", "return 0.0", "return -1", "return float('nan')", "return []"]


def _silenced_mean(value: str) -> str:
    return f"```python\ndef mean(numbers):\n    if not numbers:\n        {value}\n    return sum(numbers) / len(numbers)\n```"


def check_early_stop(repair=None) -> bool:
    """Exercise 3: repair() stops when the same failure comes back twice in a row.

    The lesson's loop already refuses to run the same code twice. Here a fake model (``llm=`` keyword, no
    tokens) sends a *different* fix every time, each silencing the error with another value, and every one
    fails the same test the same way: a loop fingerprinting code alone pays for all six. One that improves
    must still get through.
    """
    print("Exercise 3, stop when the same failure repeats:")
    if not callable(repair):
        say(False, "pass your loop: check_early_stop(repair)")
        return False
    bug = get_bug("mean")
    circling = FakeLLM([_silenced_mean(v) for v in SILENCED])
    try:
        run = as_run(repair(bug.code, bug.tests, max_attempts=6, llm=circling))
    except TypeError as exc:
        say(False, f"repair() must accept llm= and max_attempts= (as the lesson's loop does): {exc}")
        return False
    calls = len(circling.requests)
    ok = say(not run.repaired, "a silenced error is not counted as a repair")
    ok &= say(calls <= 3, f"a model sending new code that fails the same way is stopped early "
                          f"({calls} of 6 calls used)")
    ok &= say(bool(run.stopped), f"the run says why it stopped: RepairRun(history, stopped=...) "
                                 f"(stopped={run.stopped!r})")
    improving = FakeLLM([_silenced_mean("return 0"), _silenced_mean('raise TypeError("empty")'),
                         "```python\n" + bug.fixed + "```"])
    run = as_run(repair(bug.code, bug.tests, max_attempts=6, llm=improving))
    ok &= say(run.repaired, f"a model whose failures change, and that gets there, is not stopped too soon "
                            f"({len(improving.requests)} calls)")
    if ok:
        print("Done: the loop stops paying for a failure it has already seen, whatever code produced it.")
    return ok
