"""The evolving team's machinery (helpers.team): problems, the tech lead, checks; offline with FakeLLM.
Rule edits, selection and the paired comparison are in test_team_rules.py."""

import re

import pytest

from helpers import FakeLLM
from helpers.team import (
    AGENTS,
    PROBLEMS,
    Problem,
    attempt_all,
    check_new_problem,
    check_selection_rule,
    check_third_agent,
    raises,
    show_attempt,
    tech_lead,
)

FENCE = "```"
CHUNK = PROBLEMS["chunk"]
def block(code):
    return f"Here you go:\n{FENCE}python\n{code}{FENCE}\nDone."


def buggy(problem):  # right on the examples' shape, wrong on edge cases: returns None
    return f"def {problem.name}(*args, **kwargs):\n    return None\n"


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_hidden_tests_are_right_and_bite(name):
    p = PROBLEMS[name]
    assert tech_lead(p.reference, p).score == 1.0
    assert tech_lead(buggy(p), p).score < 1.0
    assert any("empty" in test for test, _, _ in p.hidden), "every problem tests empty input"
    assert f"`{p.name}`" in p.prompt() and "hidden" not in p.prompt().lower()


def test_the_problem_set_has_training_and_held_out_parts():
    splits = [p.split for p in PROBLEMS.values()]
    assert splits.count("train") == 4 and splits.count("held-out") == 12 and set(splits) <= {"train", "held-out", "extra"}


def test_training_problems_reward_importing_what_you_use():
    """The rule "import what you use" can only be learned if some training problem needs an import."""
    needs_import = [p.name for p in PROBLEMS.values() if p.split == "train"
                    and tech_lead(re.sub(r"^(from|import) .*\n", "", p.reference, flags=re.M), p).score == 0]
    assert len(needs_import) >= 2, needs_import


def test_feedback_keeps_tuples_whole():
    a = tech_lead("def pair_sums(nums, target):\n    return [(1, 1), (1, 1)]\n", PROBLEMS["pair_sums"])
    assert "duplicates: pair_sums([1, 1, 1], 2) -> expected [(1, 1)], got [(1, 1), (1, 1)]" in a.feedback.splitlines()


def test_expected_versus_actual_in_feedback():
    a = tech_lead("def chunk(items, size):\n    return [items]\n", CHUNK)
    assert 0 < a.score < 1 and a.passed < a.total
    assert "chunk([1, 2, 3, 4, 5], 2) -> expected [[1, 2], [3, 4], [5]], got [[1, 2, 3, 4, 5]]" in a.feedback
    assert "should raise ValueError" in a.feedback


def test_a_bad_solution_costs_only_its_own_score():
    bad = {"dedupe": "while True:\n    pass\n", "second_largest": "while True:\n    print('spam' * 50)\n",
           "chunk": "import sys\nsys.exit(3)\n", "merge_intervals": "raise RuntimeError('boom')\n"}

    def reply(request):
        user = request["messages"][-1]["content"]
        problem = next(p for p in PROBLEMS.values() if f"`{p.name}`" in user)
        return block(bad.get(problem.name, problem.reference))

    names = ["dedupe", "median", "second_largest", "run_length", "chunk", "merge_intervals", "top_k_frequent"]
    jobs = [("A", "sys", PROBLEMS[n], 0) for n in names]
    got = {a.problem: a for a in attempt_all(FakeLLM([reply] * len(jobs)), jobs, timeout=2)}
    assert [got[n].score for n in bad] == [0.0] * 4
    assert all(got[n].score == 1.0 for n in ("median", "run_length", "top_k_frequent"))
    assert "timeout" in got["dedupe"].feedback and "timeout" in got["second_largest"].feedback
    assert "RuntimeError" in got["merge_intervals"].feedback
    # the limit, never a measured time such as 2.03s: timings would make prompts differ between runs (no replay)
    assert re.search(r"after 2 s\b", got["dedupe"].feedback), got["dedupe"].feedback


def test_the_review_never_rescues_failing_code():
    llm = FakeLLM(["10", "5"])
    crash = tech_lead("raise ValueError\n", CHUNK, llm=llm)
    assert crash.score == 0.0 and crash.review is None and not llm.requests
    good = tech_lead(CHUNK.reference, CHUNK, llm=llm)
    assert good.review == 1.0 and good.score == 1.0  # first queued reply: 10/10
    half = tech_lead("def chunk(items, size):\n    return [items]\n", CHUNK, llm=llm)
    assert half.review == 0.5 and half.score < half.passed / half.total
    assert "Hidden tests: 1/6 passed" in llm.requests[-1]["messages"][-1]["content"]


def test_checks_say_what_is_missing_without_raising(capsys):
    assert not check_third_agent(dict(AGENTS))
    assert "✗ add a third entry" in capsys.readouterr().out
    assert not check_third_agent({**AGENTS, "Tiny": "Be good."})
    good = ("You are Tester, a developer who writes the tests first: list the edge cases (empty input, "
            "duplicates, ordering), then write code that passes them. Reply with a single Python code block.")
    assert check_third_agent({**AGENTS, "Tester": good})
    assert not check_selection_rule(lambda old, new: new > old)  # the lesson's strict rule is not the exercise's
    assert "returned False, expected True" in capsys.readouterr().out
    assert check_selection_rule(lambda old, new: new >= old)


def test_check_new_problem_runs_the_reference_and_a_stub(capsys):
    assert not check_new_problem(None)
    cases = [("example", "total([1, 2])", 3), ("empty", "total([])", 0), ("negative", "total([-1, 1])", 0),
             ("bad", "total(5)", raises("TypeError"))]
    p = Problem("total", "Sum a list.", [("total([1, 2])", 3)], cases, "def total(xs):\n    return sum(xs)\n")
    assert check_new_problem(p)
    wrong = Problem("total", "Sum a list.", [("total([1, 2])", 3)], cases, "def total(xs):\n    return 0\n")
    assert not check_new_problem(wrong)
    assert "fails its own hidden tests" in capsys.readouterr().out
    assert not check_new_problem(PROBLEMS["chunk"])


def test_show_attempt_gives_code_and_verdict():
    text = show_attempt([tech_lead(CHUNK.reference, CHUNK, agent="A")], "A", "chunk")
    assert "6/6" in text and "def chunk" in text and "all hidden tests pass" in text
    assert show_attempt([], "A", "chunk") == "no attempt by A on chunk"
