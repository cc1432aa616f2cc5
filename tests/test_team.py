"""The evolving team's machinery (helpers.team, helpers.problems), offline with FakeLLM."""

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
    evolve_team,
    heldout_comparison,
    keep_if_not_worse,
    plot_heldout,
    plot_team_rounds,
    prompt_diff,
    raises,
    reflect,
    reflection_prompt,
    show_attempt,
    summarize_heldout,
    tech_lead,
)
from helpers.team.reflection import extract_prompt

FENCE = "```"
CHUNK = PROBLEMS["chunk"]
RULE = "Always handle the empty case and validate arguments."


def block(code):
    return f"Here you go:\n{FENCE}python\n{code}{FENCE}\nDone."


def buggy(problem):  # right on the examples' shape, wrong on edge cases: returns None
    return f"def {problem.name}(*args, **kwargs):\n    return None\n"


def by_system(request):
    """A fake developer: the reference solution when its system prompt holds RULE, else a stub."""
    system = request["messages"][0]["content"]
    user = request["messages"][-1]["content"]
    problem = next(p for p in PROBLEMS.values() if f"`{p.name}`" in user)
    return block(problem.reference if RULE in system else buggy(problem))


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_hidden_tests_are_right_and_bite(name):
    p = PROBLEMS[name]
    assert tech_lead(p.reference, p).score == 1.0
    assert tech_lead(buggy(p), p).score < 1.0
    assert any("empty" in test for test, _, _ in p.hidden), "every problem tests empty input"
    assert f"`{p.name}`" in p.prompt() and "hidden" not in p.prompt().lower()


def test_the_problem_set_has_training_and_held_out_parts():
    splits = [p.split for p in PROBLEMS.values()]
    assert 6 <= len(PROBLEMS) <= 10 and splits.count("train") >= 3 and splits.count("held-out") >= 3


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
    assert re.search(r"after 2s\b", got["dedupe"].feedback), got["dedupe"].feedback


def test_the_review_never_rescues_failing_code():
    llm = FakeLLM(["10", "5"])
    crash = tech_lead("raise ValueError\n", CHUNK, llm=llm)
    assert crash.score == 0.0 and crash.review is None and not llm.requests
    good = tech_lead(CHUNK.reference, CHUNK, llm=llm)
    assert good.review == 1.0 and good.score == 1.0  # first queued reply: 10/10
    half = tech_lead("def chunk(items, size):\n    return [items]\n", CHUNK, llm=llm)
    assert half.review == 0.5 and half.score < half.passed / half.total
    assert "Hidden tests: 1/6 passed" in llm.requests[-1]["messages"][-1]["content"]


def test_reflection_sees_score_feedback_and_the_winner_only_when_it_lost():
    mine = [tech_lead(buggy(CHUNK), CHUNK, agent="Speedy")]
    theirs = [tech_lead(CHUNK.reference, CHUNK, agent="Clean")]
    text = reflection_prompt("Speedy", AGENTS["Speedy"], mine, theirs)
    assert AGENTS["Speedy"] in text and "Your score: 0.00" in text and "expected" in text
    assert "Clean scored higher" in text and "raise ValueError" in text
    assert "scored higher" not in reflection_prompt("Speedy", AGENTS["Speedy"], mine)


def test_extract_prompt_keeps_the_old_prompt_when_the_reply_has_none():
    assert extract_prompt(f"Sure!\n<prompt>\nYou are Speedy. {RULE}\n</prompt>", "old") == f"You are Speedy. {RULE}"
    assert extract_prompt(f"<prompt>You are Speedy. {RULE} And more", "old").endswith("And more")
    assert extract_prompt(block("def f():\n    return 1\n"), "old") == "old"
    assert extract_prompt("", "old") == "old"
    llm = FakeLLM([f"<prompt>You are Speedy, fast. {RULE}</prompt>"])
    assert RULE in reflect(llm, "Speedy", AGENTS["Speedy"], [tech_lead("", CHUNK)])


def test_extract_prompt_reads_rules_written_after_an_echoed_prompt():
    # Qwen2.5-Coder-1.5B's reply in the recorded run of notebook 04 (shortened): the old prompt inside the
    # tags, the new rules after them, then an echo of our own message.
    old = AGENTS["Speedy"]
    reply = (f"<prompt>\n{old}\n</prompt>\n\nGeneral rules:\n- Your solution should be concise and efficient.\n"
             "- It should handle edge cases such as empty lists or intervals with overlapping ends.\n\n"
             "The tech lead ran hidden tests on your code. Your score: 0.78 (share of hidden tests passed).\n"
             "Feedback:\n- chunk (6/6): all hidden tests pass\n")
    got = extract_prompt(reply, old)
    assert got.startswith(old) and got.endswith("intervals with overlapping ends.")
    assert "tech lead" not in got and "Feedback" not in got
    # an echo and nothing new, or an echo followed only by our message, is no rewrite
    assert extract_prompt(f"<prompt>\n{old}\n</prompt>", old) == old
    assert extract_prompt(f"<prompt>{old}</prompt>\nThe tech lead ran hidden tests on your code.", old) == old
    # new rules after a *changed* prompt are not glued on: the tags hold the rewrite
    assert extract_prompt(f"<prompt>You are Speedy. {RULE}</prompt>\nAlso: be nice.", old) == f"You are Speedy. {RULE}"


def test_evolution_keeps_a_better_rewrite_and_rejects_a_worse_one():
    def reflection(request):
        text = request["messages"][-1]["content"]
        if "You are Speedy" in text:
            return f"<prompt>You are Speedy, fast and careful. {RULE} Reply with a single Python code block.</prompt>"
        return "<prompt>You are Clean. Just write anything, do not bother with edge cases at all.</prompt>"

    def reply(request):
        return reflection(request) if request["messages"][0]["role"] == "user" else by_system(request)

    agents = {"Speedy": AGENTS["Speedy"], "Clean": AGENTS["Clean"] + " " + RULE}
    problems = [PROBLEMS["chunk"], PROBLEMS["second_largest"]]
    history, lineage = evolve_team(FakeLLM([reply] * 50), agents, problems, rounds=1)
    speedy = history[(history.agent == "Speedy") & (history["round"] == 1)].iloc[0]
    clean = history[(history.agent == "Clean") & (history["round"] == 1)].iloc[0]
    assert speedy.accepted and speedy.kept == 1.0 and len(lineage["Speedy"]) == 2
    assert not clean.accepted and clean.candidate < 1.0 and clean.kept == 1.0 and len(lineage["Clean"]) == 1
    assert f"+ {RULE}" in prompt_diff(lineage["Speedy"])
    assert "no rewrite" in prompt_diff(lineage["Clean"])
    assert plot_team_rounds(history) is not None


def test_a_reflection_without_a_prompt_costs_no_extra_calls():
    llm = FakeLLM([block(CHUNK.reference), "I cannot help with that."])
    history, lineage = evolve_team(llm, {"Speedy": AGENTS["Speedy"]}, [CHUNK], rounds=1)
    assert len(llm.requests) == 2 and not history.iloc[-1].accepted and len(lineage["Speedy"]) == 1


def test_heldout_comparison_has_three_arms_and_a_fresh_control():
    llm = FakeLLM([by_system] * 100)
    problems = [PROBLEMS["median"], PROBLEMS["run_length"]]
    df = heldout_comparison(llm, {"Speedy": AGENTS["Speedy"]}, {"Speedy": AGENTS["Speedy"] + " " + RULE}, problems,
                            samples=2)
    assert len(df) == 3 * 2 * 2 and set(df.arm) == {"original", "evolved", "control"}
    samples = sorted(r["sample"] for r in llm.requests if RULE not in r["messages"][0]["content"])
    assert samples == [0, 0, 1, 1, 2, 2, 3, 3], "the control asks again with new sample indices"
    summary = summarize_heldout(df)
    assert list(summary.arm) == ["original", "evolved", "control"]
    assert summary.set_index("arm").loc["evolved", "mean"] == 1.0
    assert summary.set_index("arm").loc["control", "mean"] < 1.0
    assert plot_heldout(summary) is not None
    text = show_attempt([tech_lead(CHUNK.reference, CHUNK, agent="A")], "A", "chunk")
    assert "6/6" in text and "def chunk" in text


def test_checks_say_what_is_missing_without_raising(capsys):
    assert not check_third_agent(dict(AGENTS))
    assert "✗ add a third entry" in capsys.readouterr().out
    assert not check_third_agent({**AGENTS, "Tiny": "Be good."})
    good = ("You are Tester, a developer who writes the tests first: list the edge cases (empty input, "
            "duplicates, ordering), then write code that passes them. Reply with a single Python code block.")
    assert check_third_agent({**AGENTS, "Tester": good})
    assert not check_selection_rule(keep_if_not_worse)
    assert check_selection_rule(lambda old, new: new > old)


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
