"""The long programs of notebook 01's feedback experiment (helpers/repair/long_zoo.py): honest bugs, in the sandbox."""

import ast
import io
import random
import tokenize

import pytest

from helpers.repair import ALL_LONG, HELD_OUT, LONG_ZOO, TIMEOUT, failure_feedback, splice
from helpers.repair.long_zoo import HELD_OUT_NAMES
from helpers.sandbox import run_tests

# Words that would say what is wrong (or what is right) if a docstring, comment or failing test's name used them.
HINTS = {
    "invoice": ["qty"], "payroll": ["ordinary", "none", "0.0", "weekday"], "breaks": ["second", "minute", "3600"],
    "monthly": ["index", "zero", "1-based", "december"], "visits": ["[:10]", "month"],
    "grades": ["none", "missing", "no score", "empty", "absent"], "checkout": ["percent", "%", "/ 100"],
    "index": ["ceil", "partial", "round", "last page"], "bill": ["round", "truncat", "float"],
    "releases": ["tuple", "numeric", "int(", "as text"], "basket": ["space", "strip", "comma and"],
    "parking": ["midnight", "night", "overnight", "% ("], "words": ["case", "capital", "lower"],
}


def top_level_functions(code: str) -> dict:
    return {n.name: ast.dump(n) for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)}


def changed_functions(bug) -> list[str]:
    before, after = top_level_functions(bug.code), top_level_functions(bug.fixed)
    return [name for name in after if before.get(name) != after[name]]


def failing_tests(bug) -> list[str]:
    return [r.name for r in run_tests(bug.code, bug.tests, timeout=TIMEOUT).results if not r.passed]


@pytest.mark.parametrize("bug", ALL_LONG, ids=lambda b: b.name)
def test_every_long_bug_fails_its_tests_and_its_reference_fix_passes_them(bug):
    report = run_tests(bug.code, bug.tests, timeout=TIMEOUT)
    assert not report.all_passed and report.run.status in ("ok", "error")   # a failure, not a hang
    fixed = run_tests(bug.fixed, bug.tests, timeout=TIMEOUT)
    assert fixed.all_passed, fixed.feedback()


@pytest.mark.parametrize("bug", ALL_LONG, ids=lambda b: b.name)
def test_each_is_a_long_program_whose_fix_is_one_function_far_from_the_failing_tests(bug):
    assert 40 <= len(bug.code.splitlines()) <= 80
    assert len(top_level_functions(bug.code)) >= 5
    changed = changed_functions(bug)
    assert len(changed) == 1  # a reply the size of one function can repair it
    fix_alone = ast.get_source_segment(bug.fixed, next(n for n in ast.parse(bug.fixed).body
                                                          if getattr(n, "name", None) == changed[0]))
    assert splice(bug.code, fix_alone) == bug.fixed  # and the splice puts it where it belongs, byte for byte
    tests = {n.name: n for n in ast.parse(bug.tests).body if isinstance(n, ast.FunctionDef)}
    for name in failing_tests(bug):
        called = {c.func.id for c in ast.walk(tests[name]) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
        assert changed[0] not in called, f"{name} calls the buggy {changed[0]} directly"


@pytest.mark.parametrize("bug", ALL_LONG, ids=lambda b: b.name)
def test_nothing_in_the_code_or_the_test_names_gives_the_bug_away(bug):
    tokens = list(tokenize.generate_tokens(io.StringIO(bug.code).readline))
    assert not [t for t in tokens if t.type == tokenize.COMMENT]  # no comment can say what is right
    tree = ast.parse(bug.code)
    docstrings = [ast.get_docstring(n) for n in ast.walk(tree) if isinstance(n, ast.Module | ast.FunctionDef)]
    assert [d for d in docstrings if d] == [ast.get_docstring(tree)]  # one docstring: the module's, what it is for
    said = (ast.get_docstring(tree) + " " + " ".join(failing_tests(bug))).lower()
    for hint in HINTS[bug.name]:
        assert hint not in said, (bug.name, hint)


@pytest.mark.parametrize("bug", ALL_LONG, ids=lambda b: b.name)
def test_full_feedback_shows_each_failing_assertion_with_its_values(bug):
    asserts = [n for n in ast.walk(ast.parse(bug.tests)) if isinstance(n, ast.Assert)]
    assert all(n.lineno == n.end_lineno for n in asserts)  # one line: the feedback quotes it whole
    report = run_tests(bug.code, bug.tests, timeout=TIMEOUT)
    full, none = failure_feedback(report, "full"), failure_feedback(report, "none")
    assert none == "The tests failed."
    for name in failing_tests(bug):
        assert f"FAILED {name}" in full
    assert "expected:" in full or "raised at <candidate> line" in full


def test_the_held_out_bugs_are_a_seeded_draw_kept_apart():
    assert len(ALL_LONG) == 13 and len({b.name for b in ALL_LONG}) == 13 and len(HINTS) == 13
    assert random.Random(33).sample([b.name for b in ALL_LONG], 3) == HELD_OUT_NAMES
    assert [b.name for b in HELD_OUT] and {b.name for b in HELD_OUT} == set(HELD_OUT_NAMES)
    assert not {b.name for b in HELD_OUT} & {b.name for b in LONG_ZOO}
    assert len(LONG_ZOO) == 10
