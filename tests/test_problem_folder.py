"""A problem is a folder: OpenEvolve's layout loads as it is (``load_problem``), scores its seed as OpenEvolve's own
Evaluator does, and bad folders get one line before any LLM call, the folder never written to.

The folders under tests/data/openevolve_style were written for these tests in OpenEvolve's documented format:
``three_stages`` (EvaluationResult with artifacts, a three-stage cascade, a system message), ``average_score``
(no combined_score, a flag and a feature dimension), ``subprocess_run`` (the program run in a child Python from a
temporary script, importlib, a thread pool with a timeout, signal.alarm, a module beside the evaluator) and
``zero_seed`` (a seed that scores 0, the kit's workshop.toml).
"""

import asyncio
import shutil
import sys
from pathlib import Path

import pytest

from helpers import FakeLLM
from helpers.evolution import evolve, load_problem
from helpers.evolution.problem import ProblemError, core

FOLDERS = Path(__file__).parent / "data" / "openevolve_style"
NAMES = ["three_stages", "average_score", "subprocess_run", "zero_seed"]
REPLY = "```python\ndef guess():\n    return 7\n```"


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def openevolve_fitness(monkeypatch):
    """``fitness(folder) -> (score, metrics)``: OpenEvolve's Evaluator on the seed, built from config.yaml as its
    controller builds it, and its fitness rule (combined_score, else the average without flags and features).
    Skipped cleanly where OpenEvolve is not installed: the folders still load (the other tests)."""
    pytest.importorskip("openevolve")
    from openevolve.config import load_config
    from openevolve.evaluator import Evaluator
    from openevolve.utils.metrics_utils import get_fitness_score
    monkeypatch.setattr(sys, "path", list(sys.path))   # OpenEvolve adds the evaluator's folder and module
    monkeypatch.setitem(sys.modules, "evaluation_module", None)

    def fitness(folder):
        config = load_config(str(folder / "config.yaml") if (folder / "config.yaml").exists() else None)
        evaluator = Evaluator(config.evaluator, str(folder / "evaluator.py"), suffix=".py")
        metrics = asyncio.run(evaluator.evaluate_program((folder / "initial_program.py").read_text(), "seed"))
        return get_fitness_score(metrics, config.database.feature_dimensions), metrics
    return fitness


@pytest.mark.parametrize("name", NAMES)
def test_openevolves_evaluator_scores_the_seed_as_the_kit_does(name, openevolve_fitness):
    problem = load_problem(FOLDERS / name)
    kit = problem.check()
    score, metrics = openevolve_fitness(FOLDERS / name)
    assert kit.score == pytest.approx(score, abs=1e-9), (kit.info, metrics)
    for key, value in metrics.items():
        if isinstance(value, int | float):
            assert kit.info[key] == pytest.approx(value, abs=1e-9), key


@pytest.mark.parametrize("name", NAMES)
def test_without_openevolve_the_same_folders_load_and_score_the_same(name, monkeypatch):
    """Colab has no OpenEvolve: the sandbox then gets the kit's stand-in EvaluationResult, and nothing changes."""
    with_it = load_problem(FOLDERS / name).check()
    hide = core.prelude
    monkeypatch.setattr(core, "prelude", lambda *a: "import sys\nsys.modules['openevolve'] = None\n" + hide(*a))
    without = load_problem(FOLDERS / name).check()
    assert (without.score, without.artifacts) == (with_it.score, with_it.artifacts)


def test_the_stand_in_is_only_there_when_openevolve_is_missing(monkeypatch):
    problem = load_problem(FOLDERS / "three_stages")
    where = "def evaluate_stage1(program_path):\n"
    probe = where + "    import openevolve.evaluation_result as m\n    return {'combined_score': 1.0, 'module': getattr(m, '__file__', None) or 'stand-in'}\n"
    real = pytest.importorskip("openevolve")
    problem.evaluator = problem.evaluator.replace(where, probe.replace("def evaluate_stage1", "def _probe") + where)
    problem.evaluator += "\n\ndef evaluate_held_out(program_path):\n    return _probe(program_path)\n"
    assert problem.run(problem.block, "evaluate_held_out").info["module"].startswith(str(Path(real.__file__).parent))
    hide = core.prelude
    monkeypatch.setattr(core, "prelude", lambda *a: "import sys\nsys.modules['openevolve'] = None\n" + hide(*a))
    assert problem.run(problem.block, "evaluate_held_out").info["module"] == "stand-in"


def test_three_stages_run_in_turn_with_openevolves_thresholds_and_merged_metrics():
    problem = load_problem(FOLDERS / "three_stages")
    assert problem.stages == ["evaluate_stage1", "evaluate_stage2", "evaluate_stage3"]
    assert problem.thresholds == [0.5, 0.4] and problem.cascade_stop == "keep"
    exact = problem.fitness("def guess():\n    return 7\n")
    assert exact.score == 1.0 and exact.info["stage"] == "stage 3" and exact.info["whole"] == 1.0
    far = problem.fitness("def guess():\n    return 1\n")       # closeness 1/7 < 0.4: stops after stage 2
    assert far.info["stage"] == "stage 2" and far.score == pytest.approx(1 / 7) and not far.error
    assert "stopped after stage 2" in far.feedback()
    text = problem.fitness("def guess():\n    return 'seven'\n")   # stage 1's type check stops it
    assert text.info["stage"] == "stage 1" and text.score == 0.0 and "returned a str" in text.artifacts["type"]


def test_artifacts_are_text_in_the_next_prompt():
    problem = load_problem(FOLDERS / "three_stages")
    fake = FakeLLM([REPLY] * 4)
    evolve(problem, fake, generations=1, children=1, progress=False)
    prompt = fake.requests[0]["messages"][-1]["content"]
    assert prompt.startswith("Guess the hidden whole number")                 # config.yaml's system message
    assert "What the evaluator said about it:\n- type: guess() returned a int\n- hint: higher" in prompt


def test_without_combined_score_openevolves_average_leaves_out_flags_text_and_features(capsys):
    problem = load_problem(FOLDERS / "average_score")
    fit = problem.check()
    assert fit.score == pytest.approx((0.5 + 0.6) / 2)        # mean and spread; not valid, count, note
    assert "OpenEvolve's rule" in capsys.readouterr().out and problem.score_name == "score"
    assert problem.description == "pick() returns three numbers between 0 and 1.\nTheir mean and their spread both count."


def test_an_evaluator_that_runs_the_program_in_a_subprocess_runs_in_the_sandbox():
    fit = load_problem(FOLDERS / "subprocess_run").check()
    assert fit.info["same_in_both"] == 1.0 and 2.5 < fit.info["digits"] < 3.5   # 1000 terms: pi to ~3 digits


def test_a_seed_that_scores_zero_starts_and_the_kits_words_and_baselines_come_from_workshop_toml(capsys):
    problem = load_problem(FOLDERS / "zero_seed")
    fake = FakeLLM(["```python\ndef numbers():\n    return [1, 2, 3, 9, 10]\n```",
                    "```python\ndef numbers():\n    return [3, 4, 5, 6, 7]\n```"] * 3)
    evo = evolve(problem, fake, generations=1, children=2, progress=False)
    assert "the seed scored nothing (0)" in capsys.readouterr().out
    assert evo.best.score == 1.0 and fake.requests[0]["messages"][-1]["content"].startswith("numbers() returns 5")
    assert problem.run(problem.baselines["a valid answer"]).score == 1.0


# --------------------------------------------------------------------------- bad folders: one line, nothing asked
def broken(tmp_path, change) -> Path:
    folder = tmp_path / "problem"
    shutil.copytree(FOLDERS / "three_stages", folder)
    change(folder)
    return folder


BAD = {
    "has no initial_program.py": lambda f: (f / "initial_program.py").unlink(),
    "has no evaluator.py": lambda f: (f / "evaluator.py").unlink(),
    "defines no evaluate(program_path)": lambda f: (f / "evaluator.py").write_text(
        (f / "evaluator.py").read_text().replace("def evaluate(", "def score(")),
    "config.yaml does not parse as YAML at line 4": lambda f: (f / "config.yaml").write_text(
        "prompt:\n  system_message: fine\nevaluator:\n  timeout: [20\n"),
    "which evaluate_stage1 does not report": lambda f: (f / "workshop.toml").write_text(
        'cascade = 0.5\ncascade_metric = "accuracy"\n'),
    "metric 'whole' is 'yes' (str), not a number": lambda f: (f / "evaluator.py").write_text(
        (f / "evaluator.py").read_text().replace('"whole": float(whole)', '"whole": "yes"')),
    "workshop.toml does not parse as TOML": lambda f: (f / "workshop.toml").write_text("cascade = \n"),
}


@pytest.mark.parametrize("what", BAD)
def test_a_bad_folder_gets_one_line_before_any_llm_call_and_is_never_written_to(what, tmp_path):
    folder = broken(tmp_path, BAD[what])
    before = snapshot(folder)
    fake = FakeLLM([REPLY] * 4)
    with pytest.raises(ProblemError) as err:
        evolve(load_problem(folder), fake, generations=1, progress=False)
    message = str(err.value)
    assert what in message and "\n" not in message, message
    assert not fake.requests, "the model was asked before the problem was checked"
    assert snapshot(folder) == before


def test_a_folder_without_words_says_where_to_put_them(tmp_path):
    folder = broken(tmp_path, lambda f: (f / "config.yaml").unlink())
    with pytest.raises(ProblemError, match="says nothing about the goal: give prompt.system_message"):
        load_problem(folder)
    assert load_problem(folder, description="guess 7").description == "guess 7"


@pytest.mark.parametrize("evaluate, named", [
    ("open('/etc/workshop-probe', 'w')", "Read-only file system"),
    ("__import__('socket').create_connection(('127.0.0.1', 9), timeout=1)", "network"),
])
def test_what_the_sandbox_cannot_give_is_named_in_the_one_line(evaluate, named, tmp_path):
    folder = broken(tmp_path, lambda f: (f / "evaluator.py").write_text(
        f"def evaluate(program_path):\n    {evaluate}\n    return {{'combined_score': 1.0}}\n"))
    (folder / "config.yaml").write_text("prompt:\n  system_message: probe\nevaluator:\n  cascade_evaluation: false\n")
    with pytest.raises(ProblemError) as err:
        load_problem(folder).check()
    assert named in str(err.value) and "sandbox" in str(err.value), str(err.value)
