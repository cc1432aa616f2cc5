"""helpers.repair and the repair loop of notebooks/01_self_repair.ipynb, offline with FakeLLM."""

from pathlib import Path

import matplotlib
import nbformat
import pytest

import helpers
import helpers.repair
from helpers import FakeLLM
from helpers.repair import (
    TIMEOUT,
    ZOO,
    Bug,
    RepairRun,
    check_early_stop,
    check_my_bug,
    check_prompt,
    compare_levels,
    failure_feedback,
    get_bug,
    repair_prompt,
    run_zoo,
)
from helpers.sandbox import run_tests

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parent.parent


def fence(code: str) -> str:
    return f"Here is the fix:\n```python\n{code}```\n"


def notebook_function(path: Path, name: str, llm):
    """Define the notebook's own `name` (the loop as taught), with `llm` as its default model."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and f"def {name}(" in c.source)
    public = [(helpers, n) for n in helpers.__all__] + [(helpers.repair, n) for n in helpers.repair.__all__]
    namespace = {n: getattr(module, n) for module, n in public} | {"run_tests": run_tests, "llm": llm}
    exec(cell.source, namespace)
    return namespace[name]


@pytest.fixture
def lesson_repair():
    """The loop as notebook 01 prints it (helpers/repair/loop.py), which notebook 02 reuses."""
    return helpers.repair.repair


# --------------------------------------------------------------------------- the zoo

@pytest.mark.parametrize("bug", ZOO, ids=lambda b: b.name)
def test_every_bug_fails_its_tests_and_its_fix_passes_them(bug):
    assert not run_tests(bug.code, bug.tests, timeout=TIMEOUT).all_passed
    fixed = run_tests(bug.fixed, bug.tests, timeout=TIMEOUT)
    assert fixed.all_passed, fixed.feedback()


def test_the_zoo_covers_what_the_lesson_promises():
    kinds = " ".join(b.kind for b in ZOO)
    for word in ("TypeError", "KeyError", "ZeroDivisionError", "off-by-one", "hang", "two bugs",
                 "rounding", "tie-break", "boundary"):
        assert word in kinds
    assert 8 <= len(ZOO) <= 12
    assert len({b.name for b in ZOO}) == len(ZOO)
    assert [b.group for b in ZOO].count("spec in tests") == 3


SPEC_IN_TESTS = [b for b in ZOO if b.group == "spec in tests"]


@pytest.mark.parametrize("bug", SPEC_IN_TESTS, ids=lambda b: b.name)
def test_spec_in_tests_bugs_run_cleanly_and_their_traceback_says_nothing_about_what_is_right(bug):
    report = run_tests(bug.code, bug.tests, timeout=TIMEOUT)
    assert report.run.ok and not report.all_passed  # no crash anywhere: only a test knows the right answer
    short, full = failure_feedback(report, "traceback"), failure_feedback(report, "full")
    failing = [r.name for r in report.results if not r.passed]
    assert all(f"FAILED {name}: AssertionError" in short for name in failing)
    assert "expected" not in short and "got" not in short and "==" not in short
    assert "expected:" in full and "got:" in full and "==" in full


def test_spec_in_tests_names_give_nothing_away():
    # the traceback level shows test names, so a name must not state the convention the test checks
    names = " ".join(r.name for b in SPEC_IN_TESTS for r in run_tests(b.code, b.tests, timeout=TIMEOUT).results)
    for hint in ("alphabet", "sorted", "half_up", "even", "limit", "inclusive", "<="):
        assert hint not in names


def test_spec_in_tests_docstrings_do_not_state_the_convention():
    for bug in SPEC_IN_TESTS:
        docstring = bug.code.split('"""')[1].lower()
        for hint in ("alphabet", "half", "up", "tie", "2 kg", "inclusive", "at most"):
            assert hint not in docstring, (bug.name, hint)


def test_silencing_the_mean_of_an_empty_list_fails():
    silenced = "def mean(numbers):\n    if not numbers:\n        return 0\n    return sum(numbers) / len(numbers)\n"
    report = run_tests(silenced, get_bug("mean").tests, timeout=TIMEOUT)
    assert report.run.ok and not report.all_passed  # no exception anywhere, and still a failure
    assert [r.name for r in report.results if not r.passed] == ["test_empty"]
    assert "must raise ValueError" in failure_feedback(report, "traceback")


def test_get_bug_names_the_zoo_when_the_name_is_wrong():
    with pytest.raises(KeyError, match="describe"):
        get_bug("nope")


# --------------------------------------------------------------------------- feedback levels and the prompt

def test_traceback_level_hides_expected_and_actual_values_full_level_shows_them():
    report = run_tests(get_bug("chunk").code, get_bug("chunk").tests, timeout=TIMEOUT)
    short, full = failure_feedback(report, "traceback"), failure_feedback(report, "full")
    assert "FAILED test_uneven: AssertionError" in short
    assert "[5]" not in short and "expected" not in short
    assert "got:      [[1, 2], [3, 4]]" in full and "expected: [[1, 2], [3, 4], [5]]" in full


def test_traceback_level_keeps_the_error_and_the_line_that_raised_it():
    report = run_tests(get_bug("count_words").code, get_bug("count_words").tests, timeout=TIMEOUT)
    short = failure_feedback(report, "traceback")
    assert "KeyError: 'the' (raised at line 5: counts[word] += 1)" in short
    assert "test line" not in short  # the test's source would give the expected value away


def test_a_hang_becomes_deterministic_feedback():
    bug = get_bug("find")
    a, b = (run_tests(bug.code, bug.tests, timeout=TIMEOUT) for _ in range(2))
    assert a.run.status == "timeout"
    # no durations in the text: a replayed run must ask exactly what the recorded run asked
    assert failure_feedback(a, "full") == failure_feedback(b, "full")
    assert "timed out" in failure_feedback(a, "traceback")
    assert "test_last" in failure_feedback(a, "full")


def test_stdout_reaches_the_full_level_only():
    code = "def add(a, b):\n    print('adding', a, b)\n    return a - b\n"
    report = run_tests(code, "def test_add():\n    assert add(2, 3) == 5\n", timeout=TIMEOUT)
    assert "adding 2 3" in failure_feedback(report, "full")
    assert "adding" not in failure_feedback(report, "traceback")


def test_code_that_fails_before_the_tests_reports_its_traceback():
    report = run_tests("def f(:\n", "def test_f():\n    assert f() == 1\n", timeout=TIMEOUT)
    assert "SyntaxError" in failure_feedback(report, "traceback")


def test_no_feedback_says_only_that_the_tests_failed():
    for bug in ZOO:
        report = run_tests(bug.code, bug.tests, timeout=TIMEOUT)
        assert failure_feedback(report, "none") == "The tests failed."
    prompt = repair_prompt(get_bug("shipping").code, report, "none")
    assert "The tests failed." in prompt and "test_" not in prompt and "AssertionError" not in prompt


def test_unknown_level_is_refused():
    report = run_tests(get_bug("mean").code, get_bug("mean").tests, timeout=TIMEOUT)
    with pytest.raises(ValueError, match="traceback"):
        failure_feedback(report, "everything")


def test_repair_prompt_carries_code_and_feedback():
    bug = get_bug("mean")
    report = run_tests(bug.code, bug.tests, timeout=TIMEOUT)
    prompt = repair_prompt(bug.code, report, "full")
    assert bug.code.strip() in prompt and "ZeroDivisionError" in prompt and "```python" in prompt


# --------------------------------------------------------------------------- the notebook's loop

def test_the_loop_stops_at_the_first_passing_fix(lesson_repair):
    bug = get_bug("describe")
    fake = FakeLLM([fence(bug.fixed), "never asked"])
    run = lesson_repair(bug.code, bug.tests, llm=fake)
    assert run.repaired and run.attempts == 1 and len(fake.requests) == 1
    assert run.code.strip() == bug.fixed.strip()


def test_whatever_the_model_returns_the_loop_ends_with_failed_attempts(lesson_repair):
    bug = get_bug("mean")
    nasty = FakeLLM(["", "I am sorry, I cannot help with that.",
                     fence("def mean(numbers):\n    while True:\n        pass\n"),
                     fence("import os, shutil\nfor name in os.listdir('.'):\n    shutil.rmtree(name, True)\n"
                           "    os.remove(name) if os.path.exists(name) else None\n")])
    run = lesson_repair(bug.code, bug.tests, max_attempts=4, llm=nasty)
    assert not run.repaired and run.attempts == 4 and len(nasty.requests) == 4
    reports = [report for _, report in run.history]
    assert len(reports) == 3  # the original and the two replies with code; the empty ones are wasted calls
    assert reports[1].run.status == "timeout"
    assert reports[2].passed == 0  # the file-deleting code defines no mean: every test fails
    assert Path(__file__).exists()  # and it only ever saw its own temporary directory


def test_a_silenced_error_is_not_a_repair(lesson_repair):
    bug = get_bug("mean")
    silenced = fence("def mean(numbers):\n    if not numbers:\n        return 0\n    return sum(numbers) / len(numbers)\n")
    run = lesson_repair(bug.code, bug.tests, max_attempts=2, llm=FakeLLM([silenced, silenced]))
    assert not run.repaired and run.attempts == 2


def test_the_two_round_bug_needs_two_rounds(lesson_repair):
    bug = get_bug("median")
    half = bug.code.replace("values.sort()", "sorted(values)")
    fake = FakeLLM([fence(half), fence(bug.fixed)])
    run = lesson_repair(bug.code, bug.tests, llm=fake)
    assert run.repaired and run.attempts == 2
    assert "got:      3.5" in fake.requests[1]["messages"][-1]["content"]  # round 2 sees the second bug


def test_the_same_fix_again_is_not_run_the_model_is_told_and_a_third_time_stops(lesson_repair):
    bug = get_bug("mean")
    silenced = "def mean(numbers):\n    if not numbers:\n        return 0\n    return sum(numbers) / len(numbers)\n"
    fake = FakeLLM([fence(silenced)] * 5)
    run = lesson_repair(bug.code, bug.tests, max_attempts=5, llm=fake)
    assert len(fake.requests) == 3 and run.attempts == 3
    assert len(run.history) == 2  # the original and the fix, run once
    assert run.stopped and not run.repaired
    second, third = (r["messages"][-1]["content"] for r in fake.requests[1:])  # both about the silenced fix
    assert third.startswith(second) and "unchanged" not in second
    assert "Your last reply sent back this same code, unchanged" in third[len(second):]


def test_a_repeat_differing_only_in_whitespace_and_comments_is_the_same_fix(lesson_repair):
    bug = get_bug("mean")
    silenced = "def mean(numbers):\n    if not numbers:\n        return 0\n    return sum(numbers) / len(numbers)\n"
    dressed = silenced.replace("return 0", "return 0   # nothing to average").replace("(numbers) /", "(numbers)  /")
    other = silenced.replace("return 0", "return None")
    fake = FakeLLM([fence(silenced), fence(other), fence(dressed), fence(bug.fixed)])
    run = lesson_repair(bug.code, bug.tests, max_attempts=4, llm=fake)
    assert run.repaired and [code for code, _ in run.history][1:] == [silenced, other, bug.fixed]
    prompt = fake.requests[3]["messages"][-1]["content"]  # after the dressed-up repeat, which was not run
    note = prompt.split("You sent this exact fix before; it failed with:")[1]
    assert "must raise ValueError" in note and "Do not send it again" in note


def test_code_sent_back_unchanged_is_a_repeat_and_a_new_fix_after_the_note_is_run(lesson_repair):
    bug = get_bug("shipping")
    fake = FakeLLM([fence(bug.code), fence(bug.fixed)])
    run = lesson_repair(bug.code, bug.tests, max_attempts=3, feedback="traceback", llm=fake)
    assert run.repaired and run.attempts == 2 and len(run.history) == 2 and not run.stopped
    assert "same code, unchanged" in fake.requests[1]["messages"][-1]["content"]


def test_repeats_are_counted_and_the_code_just_shown_is_told_apart(lesson_repair):
    bug = get_bug("mean")
    wrong = "def mean(numbers):\n    if not numbers:\n        return 0\n    return sum(numbers) / len(numbers)\n"
    fake = FakeLLM([fence(bug.code), fence(wrong), fence(bug.code), fence(bug.fixed)])
    run = lesson_repair(bug.code, bug.tests, max_attempts=4, llm=fake)
    assert run.repaired and run.repeats == [True, False]  # the original echoed, then the original again after a fix
    df = run_zoo(lesson_repair, [bug], FakeLLM([fence(bug.code), fence(bug.code)]), progress=False, max_attempts=3)
    assert list(df["repeats"]) == [2] and list(df["echoes"]) == [2] and df["stopped"].iloc[0]


def test_a_repeat_after_a_new_fix_gets_a_fresh_note_not_a_stop(lesson_repair):
    bug = get_bug("mean")
    wrong_a = "def mean(numbers):\n    if not numbers:\n        return 0\n    return sum(numbers) / len(numbers)\n"
    wrong_b = wrong_a.replace("return 0", "return None")
    fake = FakeLLM([fence(wrong_a), fence(wrong_a), fence(wrong_b), fence(wrong_a), fence(bug.fixed)])
    run = lesson_repair(bug.code, bug.tests, max_attempts=5, llm=fake)
    assert run.repaired and not run.stopped and len(fake.requests) == 5
    assert [code for code, _ in run.history][1:] == [wrong_a, wrong_b, bug.fixed]


def test_samples_are_distinct_calls_at_the_temperature_asked(lesson_repair):
    bug = get_bug("chunk")
    fake = FakeLLM(["no code"] * 4)
    for sample in (0, 1):
        lesson_repair(bug.code, bug.tests, max_attempts=2, llm=fake, temperature=0.7, sample=sample)
    assert len(fake.requests) == 4  # nothing came from the cache: each sample asks afresh
    assert len({r["sample"] for r in fake.requests}) == 4
    assert {r["temperature"] for r in fake.requests} == {0.7}


def test_the_loop_asks_at_low_temperature_and_shows_the_chosen_level(lesson_repair):
    bug = get_bug("chunk")
    fake = FakeLLM([fence(bug.fixed)])
    lesson_repair(bug.code, bug.tests, feedback="traceback", llm=fake)
    request = fake.requests[0]
    assert request["temperature"] <= 0.3 and request["max_tokens"] <= 500
    assert "expected:" not in request["messages"][-1]["content"]


# --------------------------------------------------------------------------- results

def test_run_zoo_tabulates_attempts_success_and_tokens(lesson_repair):
    zoo = [get_bug("describe"), get_bug("mean")]
    fake = FakeLLM([fence(zoo[0].fixed), "no code", "still none"])
    df = run_zoo(lesson_repair, zoo, fake, progress=False, max_attempts=2)
    assert list(df["bug"]) == ["describe", "mean"]
    assert list(df["repaired"]) == [True, False] and list(df["attempts"]) == [1, 2]
    assert df["tokens"].iloc[0] > 0
    assert isinstance(df.attrs["runs"]["mean"], RepairRun)
    table = compare_levels({"a": df, "b": df})
    assert table.loc["a", "repaired"] == 1 and table.loc["a", "runs"] == 2
    assert table.loc["a", "± SE"] == 0.354  # sqrt(0.5 * 0.5 / 2)


def test_run_zoo_makes_one_row_per_bug_and_sample(lesson_repair):
    zoo = [get_bug("describe"), get_bug("shipping")]
    fake = FakeLLM([fence(zoo[0].fixed), "no code", fence(zoo[1].fixed), "none"])
    df = run_zoo(lesson_repair, zoo, fake, samples=2, progress=False, max_attempts=1, temperature=0.7)
    assert list(df["bug"]) == ["describe", "describe", "shipping", "shipping"]
    assert list(df["sample"]) == [0, 1, 0, 1]
    assert list(df["repaired"]) == [True, False, True, False]
    assert list(df["group"]) == ["classic", "classic", "spec in tests", "spec in tests"]
    runs = df.attrs["runs"]
    assert runs["describe"] is runs[("describe", 0)] and runs[("describe", 1)].repaired is False
    assert {r["sample"] for r in fake.requests} == {0, 100}  # sample 1's first call has its own key


def test_rate_with_se_is_the_binomial_standard_error_over_runs():
    from helpers.repair import rate_with_se

    assert rate_with_se([True, True, False, False]) == (0.5, 0.25)
    p, se = rate_with_se([True] * 3 + [False])
    assert p == 0.75 and abs(se - (0.75 * 0.25 / 4) ** 0.5) < 1e-12
    assert rate_with_se([True, True]) == (1.0, 0.0)  # all repaired: no spread to see in these runs
    with pytest.raises(ValueError, match="at least one run"):
        rate_with_se([])


def test_rate_lines_say_repair_rate_with_its_spread_overall_and_per_group(capsys):
    import pandas as pd

    from helpers.repair import print_repair_rates, rate_line

    df = pd.DataFrame({"bug": ["a", "a", "b", "b"], "group": ["classic", "classic", "spec in tests", "spec in tests"],
                       "sample": [0, 1, 0, 1], "repaired": [True, True, True, False], "attempts": [1, 1, 1, 2]})
    line = rate_line(df, "full")
    assert line.startswith("full: repair rate 0.75 ± 0.22 (4 runs")
    assert "per sample 1.00 0.50" in line  # sample 0 repaired both bugs, sample 1 one of two
    print_repair_rates({"traceback only": df, "full": df})
    out = capsys.readouterr().out
    lines = [x for x in out.splitlines() if "repair rate" in x and "±" in x]
    assert len(lines) == 6  # two levels × (all bugs, classic, spec in tests)
    assert any("spec in tests: repair rate 0.50 ± 0.35" in x for x in lines)
    assert "standard error over runs" in out


def test_the_difference_has_its_standard_error_and_repeats_their_rate(capsys):
    import pandas as pd

    from helpers.repair import print_difference, print_repeats

    def arm(repaired, repeats):
        n = len(repaired)
        return pd.DataFrame({"bug": ["a"] * n, "group": ["spec in tests"] * n, "sample": range(n),
                             "repaired": repaired, "attempts": [2] * n, "repeats": repeats, "echoes": repeats})

    results = {"no feedback": arm([False] * 4, [2, 1, 0, 0]), "full feedback": arm([True, True, False, False],
                                                                                  [0, 0, 1, 0])}
    diff, se = print_difference(results, "full feedback", "no feedback")
    assert (diff, se) == (0.5, 0.25)  # sqrt(0.25² + 0²)
    print_repeats(results)
    out = capsys.readouterr().out
    assert "full feedback minus no feedback, difference: +0.50 ± 0.25 (2.0 SE)" in out
    assert "no feedback                  repeat rate 0.38: 3 of 8 replies" in out and "in 2 of 4 runs" in out


def test_plots_return_their_axes(lesson_repair):
    from helpers.repair import plot_feedback_levels, plot_repairs

    fake = FakeLLM([fence(ZOO[0].fixed), "no code", "no code", fence(ZOO[1].fixed)])
    df = run_zoo(lesson_repair, ZOO[:2], fake, progress=False, samples=2, max_attempts=1)
    ax = plot_repairs(df)
    assert ax.get_ylabel().startswith("LLM calls") and len(ax.patches) == 2  # one bar per bug, not per sample
    ax = plot_feedback_levels({"x": df, "y": df})
    assert len(ax.patches) == 4
    assert [round(p.get_height(), 2) for p in ax.patches[:2]] == [0.5, 0.5]  # each bug: 1 of 2 samples


# --------------------------------------------------------------------------- the exercises' checks

def test_check_early_stop_fails_the_lesson_loop_and_passes_the_solution(lesson_repair, capsys):
    assert check_early_stop() is False
    assert check_early_stop(lesson_repair) is False  # it stops on repeated code, not on a repeated failure
    out = capsys.readouterr().out
    assert "6 of 6 calls used" in out and "✗ " in out
    solution = notebook_function(ROOT / "solutions" / "01_self_repair_solutions.ipynb", "repair", FakeLLM())
    assert check_early_stop(solution) is True
    placeholder = notebook_function(ROOT / "notebooks" / "01_self_repair.ipynb", "my_repair", FakeLLM())
    assert check_early_stop(placeholder) is False  # the exercise's starting point is not already a solution


def test_check_early_stop_wants_a_reason_and_no_stop_that_comes_too_soon(capsys):
    from helpers.repair import RepairRun
    from helpers.sandbox import run_tests as run

    def quits_at_once(code, tests, *, llm, max_attempts=3, **_):
        return RepairRun([(code, run(code, tests, timeout=TIMEOUT))], stopped="gave up")

    assert check_early_stop(quits_at_once) is False
    assert "not stopped too soon" in capsys.readouterr().out


def test_check_my_bug_says_what_is_missing(lesson_repair, capsys):
    assert check_my_bug(None) is False
    assert check_my_bug(get_bug("mean")) is False  # a zoo bug is not your own
    good = Bug("double", "wrong answer", "def double(x):\n    return x + 2\n",
               "def test_a():\n    assert double(3) == 6\n\ndef test_b():\n    assert double(0) == 0\n",
               "def double(x):\n    return 2 * x\n")
    assert check_my_bug(good) is False  # the loop has not run yet
    run = lesson_repair(good.code, good.tests, llm=FakeLLM([fence(good.fixed)]))
    assert check_my_bug(good, run) is True
    unfair = Bug("double", "x", good.code, good.tests, "def double(x):\n    return x\n")
    assert check_my_bug(unfair, run) is False
    assert "✗ " in capsys.readouterr().out


def test_check_prompt_needs_a_different_prompt_and_a_comparison(lesson_repair):
    assert check_prompt(None) is False
    assert check_prompt(lambda code, report, level: None) is False
    assert check_prompt(repair_prompt) is False

    def minimal(code, report, level="full"):
        return repair_prompt(code, report, level) + " Change as few lines as possible."

    assert check_prompt(minimal) is False  # no comparison yet
    fake = FakeLLM([fence(b.fixed) for b in ZOO[:2]] * 2)
    a = run_zoo(lesson_repair, ZOO[:2], fake, progress=False)
    b = run_zoo(lesson_repair, ZOO[:2], fake, progress=False, prompt=minimal)
    assert check_prompt(minimal, {"repair_prompt": a, "minimal": b}) is True
