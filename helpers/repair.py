"""Notebook 01, self-repair: the bug zoo, the repair prompt, and the checks for the exercises.

The loop itself (run the tests, show the failure to the model, try its fix) lives in the notebook,
because it is the lesson. This module holds what the loop needs:

- ``ZOO`` (from ``helpers.bugs``): small buggy programs with their tests and reference fixes.
- ``failure_feedback(report, level)``: what the model is told about a failed run, at two levels:
  ``"traceback"`` (the error as a plain Python run would show it) and ``"full"`` (plus every failing
  test's assertion with its expected and actual values, plus stdout). The text never contains
  timings, so a replayed run asks exactly the prompts the recorded run asked.
- ``repair_prompt(code, report, level)`` and ``SYSTEM``: the prompt that carries that feedback.
- ``RepairRun``: what the loop returns (every attempt's code and test report).
- ``run_zoo``: the loop over the zoo, as a pandas DataFrame with attempts, success and tokens.
- ``check_my_bug``, ``check_prompt``, ``check_early_stop``: the exercises' checks.
"""

import ast
import re
from dataclasses import dataclass, field

from .bugs import ZOO, Bug, get_bug
from .checks import say
from .plotting import plot_feedback_levels, plot_repairs  # noqa: F401  (exported with this module's names)

TIMEOUT = 3  # seconds per test run: every zoo program finishes in milliseconds when it is right

SYSTEM = ("You are a careful Python developer who fixes bugs. Reply with the complete corrected code "
          "in one ```python block. Keep the function names and signatures. Do not add tests, examples "
          "or print calls.")

FEEDBACK_LEVELS = {
    "traceback": "the error only, as a plain Python run shows it (type, message, line of the code)",
    "full": "the error plus each failing test's assertion with expected and actual values, and stdout",
}


# --------------------------------------------------------------------------- feedback and the prompt

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

    ``"traceback"``: the error of each failing test as a plain run would print it.
    ``"full"``: each failing test's assertion with expected (right) and actual (left) values, the
    error and the test line for crashes, and the end of stdout.
    """
    if level not in FEEDBACK_LEVELS:
        raise ValueError(f"level must be one of {list(FEEDBACK_LEVELS)}, not {level!r}")
    run = report.run
    if run.status == "timeout":
        text = f"{report.passed}/{report.total} tests passed. " + _timeout_text(report)
        running = [r.name for r in report.results if "was running" in r.message]
        if level == "full" and running:
            text += f" The test running when it was killed: {running[0]}."
        return text
    if run.status in ("memory", "killed"):
        return f"The run was stopped ({run.status}): the code used too much memory or was killed."
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


# --------------------------------------------------------------------------- what the loop returns

@dataclass
class RepairRun:
    """Every version of the code the loop tried, with its test report. Entry 0 is the original."""
    history: list = field(default_factory=list)  # [(code, report), ...]
    stopped: str = ""  # why the loop ended early, if it did (the exercise on early stopping sets it)

    @property
    def repaired(self) -> bool:
        return bool(self.history) and self.history[-1][1].all_passed

    @property
    def attempts(self) -> int:
        """LLM fixes tried (the original code's run is not an attempt)."""
        return max(0, len(self.history) - 1)

    @property
    def code(self) -> str:
        return self.history[-1][0] if self.history else ""

    def show(self) -> None:
        for i, (code, report) in enumerate(self.history):
            label = "original" if i == 0 else f"attempt {i}"
            print(f"--- {label}: {report.summary()}")
            print(code.rstrip())
        why = f" (stopped: {self.stopped})" if self.stopped else ""
        print(f"=== {'repaired' if self.repaired else 'NOT repaired'} after {self.attempts} attempt(s){why}")

    def __repr__(self) -> str:
        state = "repaired" if self.repaired else "not repaired"
        last = self.history[-1][1].summary() if self.history else "no run"
        return f"<RepairRun {state} after {self.attempts} attempt(s); last run: {last}>"


def _as_run(result) -> RepairRun:
    if isinstance(result, RepairRun):
        return result
    if isinstance(result, list | tuple):
        return RepairRun(list(result))
    raise TypeError("repair() should return a RepairRun (or its history: a list of (code, report) pairs)")


def _spent(usage) -> int:
    t = usage.totals()
    return t["input_tokens"] + t["output_tokens"] + t["replayed_tokens"]


def run_zoo(repair, zoo=None, llm=None, *, progress=True, **kwargs):
    """Run ``repair(bug.code, bug.tests, llm=llm, **kwargs)`` on every bug; one DataFrame row per bug.

    ``tokens`` counts what the calls carried (spent on a provider, or replayed from the recording);
    cache hits count 0. ``df.attrs["runs"]`` maps each bug's name to its RepairRun.
    """
    import pandas as pd
    from tqdm.auto import tqdm

    zoo = ZOO if zoo is None else zoo
    rows, runs = [], {}
    label = ", ".join(f"{k}={v}" for k, v in kwargs.items() if isinstance(v, str | int | float))
    for bug in tqdm(zoo, desc=label or "repairing", disable=not progress):
        before = _spent(llm.usage) if llm is not None else 0
        run = _as_run(repair(bug.code, bug.tests, **kwargs) if llm is None else
                      repair(bug.code, bug.tests, llm=llm, **kwargs))
        runs[bug.name] = run
        last = run.history[-1][1] if run.history else None
        rows.append({"bug": bug.name, "kind": bug.kind, "repaired": run.repaired, "attempts": run.attempts,
                     "tests": last.summary() if last else "",
                     "tokens": (_spent(llm.usage) - before) if llm is not None else None})
    df = pd.DataFrame(rows)
    df.attrs["runs"] = runs
    return df


def repair_rate(df) -> str:
    return f"{int(df['repaired'].sum())}/{len(df)} repaired"


def compare_levels(results: dict):
    """One row per feedback level (or prompt): repair rate, attempts, tokens."""
    import pandas as pd

    rows = []
    for name, df in results.items():
        fixed = df[df["repaired"]]
        rows.append({"setting": name, "repaired": int(df["repaired"].sum()), "bugs": len(df),
                     "repair rate": round(df["repaired"].mean(), 3),
                     "attempts (all)": int(df["attempts"].sum()),
                     "attempts per repaired bug": round(fixed["attempts"].mean(), 2) if len(fixed) else None,
                     "tokens": int(df["tokens"].fillna(0).sum())})
    return pd.DataFrame(rows).set_index("setting")


# --------------------------------------------------------------------------- exercise checks

def _tests_of(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]


def check_my_bug(bug=None, result=None) -> bool:
    """Exercise 1: a bug of your own, with tests that the bug fails and the fix passes."""
    from .sandbox import run_tests

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
    run = _as_run(result)
    say(True, f"the loop ran: {'repaired' if run.repaired else 'not repaired'} after {run.attempts} attempt(s)"
               + ("" if run.repaired else " (a fair result too: say why in a markdown cell)"))
    if ok:
        print("Done: your bug is in the zoo.")
    return ok


def check_prompt(my_prompt=None, results: dict | None = None) -> bool:
    """Exercise 2: a prompt of your own (minimal diff, or explain the cause first), compared."""
    from .sandbox import run_tests

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


def check_early_stop(repair=None) -> bool:
    """Exercise 3: repair() stops when the same failure comes back twice in a row.

    Runs your function with a fake model (``llm=`` keyword), so it costs nothing: a model that always
    sends the same wrong fix must be stopped early, and one that improves must still get through.
    """
    from .llm import FakeLLM

    print("Exercise 3, stop when the same failure repeats:")
    if not callable(repair):
        say(False, "pass your loop: check_early_stop(repair)")
        return False
    bug = get_bug("mean")
    wrong = "```python\ndef mean(numbers):\n    if not numbers:\n        return 0\n    return sum(numbers) / len(numbers)\n```"
    stubborn = FakeLLM([wrong] * 10)
    try:
        run = _as_run(repair(bug.code, bug.tests, max_attempts=6, llm=stubborn))
    except TypeError as exc:
        say(False, f"repair() must accept llm= (the notebook's default is llm=llm): {exc}")
        return False
    calls = len(stubborn.requests)
    ok = say(not run.repaired, "the stubborn model's fix is not counted as a repair")
    ok &= say(calls <= 3, f"a model that repeats the same failing fix is stopped early ({calls} of 6 calls used)")
    other = wrong.replace("return 0", 'raise TypeError("empty")')
    improving = FakeLLM([wrong, other, "```python\n" + bug.fixed + "```"])
    run = _as_run(repair(bug.code, bug.tests, max_attempts=6, llm=improving))
    ok &= say(run.repaired, f"a model that gets there is not stopped too soon ({len(improving.requests)} calls)")
    if ok:
        print("Done: the loop stops paying for a failure it has already seen.")
    return ok
