"""Notebook 01's feedback experiment, offline: run_arms and its report (helpers/repair/experiment.py), and
bench/pilot_feedback.py end to end with a fake model, killed and resumed."""

import ast
import importlib.util
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers import FakeLLM
from helpers.repair import (
    arm_line,
    arms_table,
    functions_prompt,
    get_bug,
    print_arms,
    repair,
    run_arms,
    runs_needed,
)
from helpers.repair.long_zoo import ALL_LONG

ROOT = Path(__file__).resolve().parent.parent


def function_of(code: str, name: str) -> str:
    node = next(n for n in ast.parse(code).body if getattr(n, "name", None) == name)
    return ast.get_source_segment(code, node) + "\n"


def changed(bug) -> str:
    before = {n.name: ast.dump(n) for n in ast.parse(bug.code).body if isinstance(n, ast.FunctionDef)}
    return next(n.name for n in ast.parse(bug.fixed).body
                if isinstance(n, ast.FunctionDef) and before.get(n.name) != ast.dump(n))


def feedback_model(hits=lambda request: True):
    """A fake model that repairs a long bug when told more than 'The tests failed.' (and ``hits`` agrees), and
    otherwise sends the buggy function back unchanged."""
    def answer(request):
        prompt = request["messages"][-1]["content"]
        bug = next(b for b in ALL_LONG if function_of(b.code, changed(b)).strip() in prompt)
        told = "What happened when the tests ran:\nThe tests failed." not in prompt
        source = bug.fixed if told and hits(request) else bug.code
        return f"```python\n{function_of(source, changed(bug))}```"
    return answer


def arm(repaired, bug="a"):
    n = len(repaired)
    return pd.DataFrame({"bug": [bug] * n, "sample": range(n), "repaired": repaired, "attempts": [1] * n})


# --------------------------------------------------------------------------- the runner and its report

def test_the_arms_differ_only_in_the_feedback_same_bugs_samples_temperature_and_budget():
    bugs = [get_bug("invoice", ALL_LONG), get_bug("index", ALL_LONG)]
    fake = FakeLLM([feedback_model()] * 20)
    results = run_arms(repair, bugs, fake, samples=2, temperature=0.7, first_sample=7, progress=False,
                       ask_for="functions")
    assert list(results) == ["no feedback", "traceback only", "full feedback"]
    for df in results.values():
        assert list(df["bug"]) == ["invoice", "invoice", "index", "index"] and list(df["sample"]) == [7, 8, 7, 8]
    assert list(results["no feedback"]["repaired"]) == [False] * 4
    assert list(results["full feedback"]["repaired"]) == [True] * 4
    assert {r["temperature"] for r in fake.requests} == {0.7}
    assert max(df["attempts"].max() for df in results.values()) == 2
    first_calls = [r for r in fake.requests if r["sample"] % 100 == 0]   # each run's first call
    assert len(first_calls) == 3 * 4
    without_feedback = [(r["sample"], re.sub(r"What happened when the tests ran:\n.*?\n\nFind the", "",
                                             r["messages"][-1]["content"], flags=re.S)) for r in first_calls]
    assert all(without_feedback.count(key) == 3 for key in without_feedback)  # the same in every arm
    assert len(set(without_feedback)) == 4


def test_unknown_arms_are_refused():
    with pytest.raises(ValueError, match="no feedback"):
        run_arms(repair, [], FakeLLM(), arms=["everything"])


def test_rate_lines_name_the_arm_and_the_difference_has_its_standard_error(capsys):
    results = {"no feedback": arm([True] + [False] * 3), "full feedback": arm([True, True, True, False])}
    assert arm_line(results["no feedback"], "no feedback") == "repair rate, no feedback: 0.25 ± 0.22 (1 of 4)"
    diff, se = print_arms(results)
    out = capsys.readouterr().out
    assert "repair rate, full feedback: 0.75 ± 0.22 (3 of 4)" in out
    assert (diff, round(se, 4)) == (0.5, round((2 * 0.75 * 0.25 / 4) ** 0.5, 4))
    assert re.search(r"difference: \+0\.50 ± 0\.31 \(1\.6 SE\)", out)
    print_arms(results, label="held-out bugs")
    assert "held-out bugs: full feedback minus no feedback, difference: +0.50 ± 0.31" in capsys.readouterr().out


def test_arms_table_counts_runs_repaired_per_bug_and_arm():
    df = pd.concat([arm([True, False], "x"), arm([False, False], "y")])
    table = arms_table({"no feedback": df, "full feedback": df.assign(repaired=True)})
    assert table.loc["x", "no feedback"] == "1/2" and table.loc["y", "full feedback"] == "2/2"
    assert table.loc["all bugs", "no feedback"] == "1/4" and list(table.index) == ["x", "y", "all bugs"]


def test_runs_needed_makes_the_difference_two_standard_errors():
    n = runs_needed(0.25, 0.5)
    assert n == 28  # 4 * (0.25 * 0.75 + 0.5 * 0.5) / 0.25²
    se = ((0.25 * 0.75 + 0.25) / n) ** 0.5
    assert 0.25 >= 2 * se and 0.25 < 2 * ((0.25 * 0.75 + 0.25) / (n - 1)) ** 0.5
    assert runs_needed(0.5, 0.5) is None and runs_needed(0.6, 0.4) is None


# --------------------------------------------------------------------------- the pilot, end to end

def load_pilot():
    spec = importlib.util.spec_from_file_location("pilot_feedback", ROOT / "bench" / "pilot_feedback.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_pilot_runs_keeps_every_reply_and_suggests_where_full_feedback_wins(tmp_path, capsys):
    pilot = load_pilot()
    only_invoice = feedback_model(lambda request: "line_net" in request["messages"][-1]["content"]
                                  and "parse_line" in request["messages"][-1]["content"])
    fake = FakeLLM([only_invoice] * 50)
    argv = ["--bugs", "invoice", "index", "--samples", "2", "--out", str(tmp_path)]
    results = pilot.main(argv, llm=fake)
    out = capsys.readouterr().out
    assert set(results) == {"no feedback", "full feedback"}
    # index: its fake 'fix' is the bug itself, so it is never repaired; invoice is, with full feedback only
    assert "repair rate, no feedback: 0.00 ± 0.00 (0 of 4)" in out
    assert "repair rate, full feedback: 0.50 ± 0.25 (2 of 4)" in out
    assert "difference: +0.50 ± 0.25" in out
    assert "Bugs where full feedback beat no feedback" in out and "invoice +2" in out and "index +" not in out
    assert re.search(r"invoice\s+0/2\s+2/2", out)
    asked = len(fake.requests)
    lines = (tmp_path / "replies.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["type"] == "header" and len(lines) == 1 + asked
    assert all(json.loads(line)["request"]["sample"] >= 1000 * 100 for line in lines[1:])  # never the recording's
    assert len(pd.read_csv(tmp_path / "runs.csv")) == 8
    assert f"{asked} asked now" in out

    never = FakeLLM([AssertionError("a kept reply was asked again")])
    again = pilot.main(argv, llm=never)
    assert never.requests == [] and f"{asked} replies kept" in capsys.readouterr().out
    assert all(again[a]["repaired"].tolist() == results[a]["repaired"].tolist() for a in results)

    (tmp_path / "replies.jsonl").write_text("\n".join(lines[:4]) + "\n")   # killed after three replies
    resumed = FakeLLM([only_invoice] * 50)
    pilot.main(argv, llm=resumed)
    assert len(resumed.requests) == asked - 3
    assert f"{asked - 3} asked now" in capsys.readouterr().out


def test_the_pilot_says_when_no_bug_shows_a_difference(tmp_path, capsys):
    pilot = load_pilot()
    echo = FakeLLM([feedback_model(lambda request: False)] * 20)
    pilot.main(["--bugs", "checkout", "--samples", "1", "--out", str(tmp_path)], llm=echo)
    out = capsys.readouterr().out
    assert "No bug where full feedback beat no feedback" in out and "blocked" in out


def test_the_pilot_prompt_is_the_functions_prompt():
    bug = get_bug("grades", ALL_LONG)
    fake = FakeLLM(["no code"] * 2)
    run = repair(bug.code, bug.tests, llm=fake, ask_for="functions", feedback="none", max_attempts=1)
    assert fake.requests[0]["messages"][-1]["content"] == functions_prompt(bug.code, run.history[0][1], "none")
