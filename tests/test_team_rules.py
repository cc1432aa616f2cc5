"""Notebook 04's rule edits, selection and paired comparison, offline: extraction on real replies of
Qwen2.5-Coder-1.5B (echoes and near-echoes included), the strict selection rule in the loop, the paired
difference against a hand-computed example, and the neutral-rule control."""

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from helpers import FakeLLM
from helpers.team import (
    AGENTS,
    PROBLEMS,
    control_prompt,
    evolve_team,
    extract_rules,
    heldout_comparison,
    keep_if_better,
    paired_difference,
    plot_heldout,
    plot_team_rounds,
    prompt_diff,
    propose,
    reflection_prompt,
    summarize_heldout,
    tech_lead,
    with_rules,
)
from helpers.team.reflection import echoes, failures

ROOT = Path(__file__).resolve().parent.parent
FENCE = "```"
IMPORT_RULE = "Import every module you use at the top of the code."
# Real reflections from the first recording of notebook 04 (then: re-emit the whole prompt between tags)
OLD = {e["key"] + e["source"][-40:]: e for e in map(json.loads, (ROOT / "tests/data/team_reflections_612f0a9.jsonl")
                                                   .read_text(encoding="utf-8").splitlines())}


def old(key_start: str, in_solutions: bool = False) -> dict:
    return next(e for k, e in OLD.items() if k.startswith(key_start) and ("solutions" in k) == in_solutions)


def block(code):
    return f"{FENCE}python\n{code}{FENCE}"


def by_system(request):
    """A fake developer: the reference solution when its system prompt holds IMPORT_RULE, else the reference
    without its imports (a NameError on problems that need one)."""
    system, user = request["messages"][0]["content"], request["messages"][-1]["content"]
    problem = next(p for p in PROBLEMS.values() if f"`{p.name}`" in user)
    code = problem.reference if IMPORT_RULE in system else "\n".join(
        ln for ln in problem.reference.splitlines() if not ln.startswith(("import ", "from ")))
    return block(code + "\n")


# -- extraction on real replies ----------------------------------------------------------------------------

def test_an_echo_of_the_prompt_alone_holds_no_rule():
    e = old("34866c8a")   # Speedy echoed its prompt verbatim between the tags, nothing else
    assert AGENTS["Speedy"] in e["reply"] and extract_rules(e["reply"], e["asked"]) == []


def test_rules_after_a_near_echo_are_kept_and_the_near_echo_is_not():
    e = old("3474292d")   # "You are Clean" came back as "I am Clean", then our feedback, then six real rules
    assert "I am Clean, a Python developer" in e["reply"]
    rules = extract_rules(e["reply"], e["asked"])
    assert rules == ["Keep Code Clean and Readable: Use clear variable names and maintain a consistent coding style.",
                     "Avoid Unnecessary Complexity: Prefer plain loops over clever tricks whenever possible.",
                     "Write Comments Where Needed: Add comments to explain complex logic or decisions."]
    assert not any("I am Clean" in r or "hidden tests pass" in r for r in rules)


def test_pasted_feedback_and_code_are_not_rules():
    for e in (old("c6e994ea"), old("e108aa83", in_solutions=True)):   # prompt, feedback and winner's code pasted back
        assert "Feedback:" in e["asked"] and FENCE in e["reply"]
        assert extract_rules(e["reply"], e["asked"]) == [], e["reply"][:200]


def test_a_numbered_list_after_a_header_gives_its_first_three_items():
    e = old("50ee87cc")
    assert extract_rules(e["reply"], e["asked"]) == [
        "Code Readability: Ensure all code is well commented and easy to understand.",
        "Naming Conventions: Use descriptive names for variables, functions, and classes.",
        "Loop Structure: Prefer plain loops over complex ones like `for i in range(len(lst))` or list comprehensions."]
    assert len(extract_rules(e["reply"], e["asked"], limit=10)) == 4


def test_near_echo_detection():
    known = ["You are Clean, a Python developer who values clean, readable code."]
    assert echoes("I am Clean, a Python developer who values clean, readable code.", known)
    assert echoes("a Python developer who values clean", known)   # a fragment of the prompt
    assert not echoes("Import every module you use.", known)


def test_rules_in_the_shipped_recording_are_new_and_few():
    """Every reflection of the shipped recording: at most 3 rules, none of them an echo of what was asked."""
    lines = (ROOT / "recordings/04_evolving_team.jsonl").read_text(encoding="utf-8").splitlines()
    entries = [e for e in map(json.loads, lines[1:]) if e["request"]["messages"][0]["role"] == "user"
               and "new rules for your system prompt" in e["request"]["messages"][-1]["content"]]
    assert entries, "the recording holds the reflections"
    found = 0
    for e in entries:
        asked = e["request"]["messages"][-1]["content"]
        rules = extract_rules(e["reply"], asked)
        found += bool(rules)
        assert len(rules) <= 3 and not any(echoes(r, [asked]) for r in rules)
    assert found >= len(entries) // 2, "most reflections hold at least one usable rule"


# -- the reflection and the rule edit ----------------------------------------------------------------------

def test_the_reflection_shows_each_failing_test_and_the_error():
    mine = [tech_lead(PROBLEMS["longest_run"].reference.replace("from itertools import groupby\n", ""),
                      PROBLEMS["longest_run"], agent="Speedy"),
            tech_lead("def lcm_all(nums):\n    return 0\n", PROBLEMS["lcm_all"], agent="Speedy")]
    text = reflection_prompt("Speedy", AGENTS["Speedy"], mine)
    assert AGENTS["Speedy"] in text and "1 to 3 new rules" in text
    assert "NameError: name 'groupby' is not defined" in text
    assert "lcm_all([4, 6]) -> expected 12, got 0" in text
    assert len(failures(mine)) == 4, "two lines per problem at most"


def test_a_rule_edit_appends_only_what_is_new():
    asked_prompt = AGENTS["Clean"]
    reply = (f"- I am Clean, a Python developer who values clean, readable code.\n- {IMPORT_RULE}\n"
             f"- {IMPORT_RULE}\n")   # a near-echo, a rule, the same rule again
    llm = FakeLLM([reply, "Sure, here you go!", reply])
    mine = [tech_lead("", PROBLEMS["lcm_all"])]
    rewrites = propose(llm, "Clean", asked_prompt, mine, n=3)
    assert rewrites == [with_rules(asked_prompt, [IMPORT_RULE])] == [f"{asked_prompt}\n- {IMPORT_RULE}"]
    assert [r["sample"] for r in llm.requests] == [0, 1, 2], "each proposal is a distinct sample"


# -- selection ------------------------------------------------------------------------------------------

def test_strict_selection_rejects_ties():
    assert keep_if_better(0.5, 0.75) and not keep_if_better(0.5, 0.5) and not keep_if_better(0.75, 0.5)


def test_the_loop_keeps_the_best_proposal_only_on_strict_improvement():
    rules_by_sample = {0: "- Keep your code short and fast.", 1: f"- {IMPORT_RULE}", 2: "- Prefer tuples to lists."}

    def reply(request):
        if request["messages"][0]["role"] == "user":   # a reflection: one rule per sample index
            return rules_by_sample[request["sample"]]
        return by_system(request)

    train = [PROBLEMS["longest_run"], PROBLEMS["lcm_all"], PROBLEMS["window_max"]]
    llm = FakeLLM([reply] * 200)
    history, lineage = evolve_team(llm, {"Speedy": AGENTS["Speedy"]}, train, rounds=1, candidates=3, samples=2,
                                   verbose=False)
    rnd = history[history["round"] == 1]
    assert len(rnd) == 3 and rnd.accepted.sum() == 1 and history.iloc[0].score < 1.0
    assert rnd[rnd.accepted].score.item() == 1.0 == rnd.score.max()
    assert lineage["Speedy"] == [AGENTS["Speedy"], with_rules(AGENTS["Speedy"], [IMPORT_RULE])]
    assert f"+ - {IMPORT_RULE}" in prompt_diff(lineage["Speedy"])
    solves = [r for r in llm.requests if r["messages"][0]["role"] == "system"]
    assert len(solves) == 4 * len(train) * 2 and {r["sample"] for r in solves} == {0, 1}, "same samples for all"
    assert plot_team_rounds(history) is not None


def test_a_tie_keeps_the_old_prompt():
    def reply(request):   # a useless rule: the fake developer writes the same code with it
        return "- Prefer tuples to lists." if request["messages"][0]["role"] == "user" else by_system(request)

    history, lineage = evolve_team(FakeLLM([reply] * 50), {"Clean": AGENTS["Clean"]}, [PROBLEMS["lcm_all"]],
                                   candidates=1, verbose=False)
    assert history.iloc[1].score == history.iloc[0].score and not history.iloc[1].accepted
    assert lineage["Clean"] == [AGENTS["Clean"]]
    lenient, _ = evolve_team(FakeLLM([reply] * 50), {"Clean": AGENTS["Clean"]}, [PROBLEMS["lcm_all"]],
                             candidates=1, select=lambda old, new: new >= old, verbose=False)
    assert lenient.iloc[1].accepted, "the exercise's lenient rule keeps the tie"


def test_no_usable_rule_costs_no_evaluation():
    llm = FakeLLM([by_system] * 2 + ["I cannot help with that."] * 2)
    history, lineage = evolve_team(llm, {"Speedy": AGENTS["Speedy"]}, [PROBLEMS["lcm_all"]], candidates=2,
                                   verbose=False)
    assert len(llm.requests) == 4 and len(history) == 1 and lineage["Speedy"] == [AGENTS["Speedy"]]


# -- the paired held-out comparison ---------------------------------------------------------------------------

def test_paired_difference_against_a_hand_computed_example():
    scores = {"original": [0.0, 0.5, 0.5, 1.0], "evolved": [1.0, 0.5, 1.0, 0.5]}   # differences 1, 0, 0.5, -0.5
    df = pd.DataFrame([dict(agent="A", arm=arm, problem=f"p{i // 2}", sample=i % 2, score=s)
                       for arm, ss in scores.items() for i, s in enumerate(ss)])
    mean, se, n = paired_difference(df, "A", "evolved")
    # mean 0.25; deviations 0.75, -0.25, 0.25, -0.75: variance 1.25 / 3; se = sqrt(1.25 / 3) / sqrt(4)
    assert n == 4 and mean == pytest.approx(0.25) and se == pytest.approx(math.sqrt(1.25 / 3) / 2)
    assert se == pytest.approx(0.3227, abs=1e-4)


def test_pairs_are_matched_by_problem_and_sample_not_by_row_order():
    rows = [("original", "p", 0, 0.0), ("original", "p", 1, 1.0), ("evolved", "p", 1, 1.0), ("evolved", "p", 0, 0.0)]
    df = pd.DataFrame([dict(agent="A", arm=a, problem=p, sample=s, score=x) for a, p, s, x in rows])
    assert paired_difference(df, "A", "evolved")[:2] == (0.0, 0.0)


def test_the_control_adds_neutral_rules_as_long_as_the_evolved_ones():
    original = AGENTS["Speedy"]
    evolved = with_rules(original, [IMPORT_RULE, "Raise the error the task asks for, with the exception it names."])
    control = control_prompt(original, evolved)
    added = len(evolved) - len(original)
    assert control.startswith(original) and IMPORT_RULE not in control
    assert added <= len(control) - len(original) < added + 60
    assert control_prompt(original, original) == original


def test_the_held_out_arms_share_problems_and_samples():
    evolved = {"Speedy": with_rules(AGENTS["Speedy"], [IMPORT_RULE])}
    llm = FakeLLM([by_system] * 100)
    problems = [PROBLEMS["most_frequent"], PROBLEMS["kth_largest"]]
    df = heldout_comparison(llm, {"Speedy": AGENTS["Speedy"]}, evolved, problems, samples=2)
    assert len(df) == 3 * 2 * 2 and set(df.arm) == {"original", "evolved", "control"}
    keys = {arm: sorted(zip(g.problem, g["sample"], strict=True)) for arm, g in df.groupby("arm")}
    assert keys["original"] == keys["evolved"] == keys["control"]
    summary = summarize_heldout(df).set_index("arm")
    assert summary.loc["evolved", "mean"] == 1.0 > summary.loc["original", "mean"]
    assert summary.loc["control", "mean"] == summary.loc["original", "mean"], "neutral rules fix nothing"
    diff, se, n = paired_difference(df, "Speedy")
    assert n == 4 and diff > 0 and se >= 0
    assert plot_heldout(summarize_heldout(df)) is not None
