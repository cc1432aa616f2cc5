"""Notebook 05's exercise checks say what is right and what is still wrong: exercise 3's check fails, and says
why, when no child was scored or none beat the seed; exercise 1's check passes the worked solution every time
and fails an evaluator whose score is noise."""

import ast
import importlib.util
from pathlib import Path

import nbformat

from helpers import FakeLLM, get_llm
from helpers.evolution import Problem, check_evaluator, check_own_problem, evolve, load_example

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions" / "05_your_problem_solutions.ipynb"

SEED = "def height(x):\n    return x\n"
# The score is height(3): a child that returns more beats the seed's 3.
EVALUATOR = '''
import importlib.util

def evaluate(program_path):
    spec = importlib.util.spec_from_file_location("program", program_path)
    program = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(program)
    return {"combined_score": float(program.height(3))}
'''


def code(body: str) -> str:
    return f"```python\ndef height(x):\n    return {body}\n```"


def evolved(replies, generations=2):
    problem = Problem(SEED, EVALUATOR, description="make height(3) large")
    return evolve(problem, FakeLLM(replies), generations=generations, children=2, progress=False)


def test_the_check_fails_and_says_why_when_every_child_crashed(capsys):
    evo = evolved([code(f"x / 0 + {k}") for k in range(40)])   # each child, and each repair, divides by zero
    children = [c for c in evo.candidates.values() if c.op != "seed"]
    assert children and all(c.failed for c in children)
    assert check_own_problem(evo) is False
    out = capsys.readouterr().out
    assert f"✗ none of the {len(children)} children was scored" in out and "ZeroDivisionError" in out
    assert "✗ no child beat the seed's 3" in out


def test_the_check_fails_when_children_were_scored_but_none_beat_the_seed(capsys):
    evo = evolved([code(f"x - {k}") for k in range(1, 40)])
    assert check_own_problem(evo) is False
    out = capsys.readouterr().out
    assert "✓ " in out and "of them scored" in out
    assert "✗ no child beat the seed's 3 (the best scored 2)" in out


def test_the_check_passes_when_a_child_beats_the_seed(capsys):
    evo = evolved([code("x * 2")] + [code(f"x - {k}") for k in range(1, 40)], generations=1)
    assert check_own_problem(evo) is True
    assert "above the seed's 3" in capsys.readouterr().out


def test_under_replay_a_problem_of_your_own_is_a_replay_miss_and_the_check_says_so(monkeypatch, capsys):
    """What notebook 05's exercise 3 tells a reader without a key: the lesson's recording has no reply to the
    new prompts, every child gets another problem's code and fails, and the check names the misses."""
    monkeypatch.setenv("LLM_PROVIDER", "replay")
    llm = get_llm(recording="05_your_problem")
    evo = evolve(load_example("faster"), llm, generations=1, children=2, progress=False)
    assert llm.usage.totals()["replay_misses"] > 0
    assert check_own_problem(evo) is False
    assert "replay miss" in capsys.readouterr().out


def function_from(path: Path, source: str, name: str):
    """``name`` from ``source`` written to ``path`` and imported: a function whose source inspect can read."""
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def solution_evaluator(tmp_path):
    """Exercise 1's worked ``my_evaluate``, from the solutions notebook, imported from a file (so that its
    source can be sent to the sandbox, as in the notebook)."""
    nb = nbformat.read(SOLUTIONS, as_version=4)
    cell = next(c.source for c in nb.cells if c.cell_type == "code" and "def my_evaluate(" in c.source)
    function = next(n for n in ast.parse(cell).body if isinstance(n, ast.FunctionDef) and n.name == "my_evaluate")
    return function_from(tmp_path / "exercise_1.py", ast.get_source_segment(cell, function) + "\n", "my_evaluate")


def test_exercise_1s_worked_solution_passes_its_check_three_times_in_a_row(tmp_path, capsys):
    my_evaluate = solution_evaluator(tmp_path)
    assert [check_evaluator(my_evaluate) for _ in range(3)] == [True, True, True], capsys.readouterr().out
    hint = capsys.readouterr().out.splitlines()[-1]
    assert 'evolve(Problem(load_example("faster").seed, my_evaluate' in hint   # names the notebook has


def test_an_evaluator_whose_score_is_noise_fails_its_check(tmp_path, capsys):
    noisy = function_from(tmp_path / "noisy.py", "def noisy(program_path):\n    import random\n"
                          "    return {'combined_score': random.uniform(1, 10)}\n", "noisy")
    assert check_evaluator(noisy) is False
    assert "in three runs: a timing this noisy" in capsys.readouterr().out


def test_a_helper_from_outside_the_evaluator_gets_a_hint(tmp_path, capsys):
    my_evaluate = function_from(tmp_path / "outside.py", "def brute(numbers, target):\n    return 0\n\n\n"
                                "def my_evaluate(program_path):\n    return {'combined_score': 1.0 + brute([], 0)}\n",
                                "my_evaluate")
    assert check_evaluator(my_evaluate) is False
    out = capsys.readouterr().out
    assert "NameError" in out and "define its helpers inside it" in out
