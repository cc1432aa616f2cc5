"""``Problem.export_openevolve`` writes a folder that OpenEvolve's own code scores as the notebook does.

OpenEvolve (requirements-dev.txt) loads the exported folder with its own ``load_config`` and ``Evaluator``, as
its controller does, and must give the figures of ``problem.run`` / ``problem.fitness`` to 1e-9; then its command
line runs one iteration against the fake OpenAI-compatible server on 127.0.0.1.
"""

import asyncio
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from fakeserver import chat_body

from helpers.evolution.problem import START, Problem, load_problem
from helpers.evolution.problems import HERE, load_example

try:
    from openevolve.config import load_config
    from openevolve.evaluator import Evaluator
except ImportError as exc:  # a dev dependency: missing means the environment is incomplete, not a skip
    raise ImportError("this test needs OpenEvolve: pip install -r requirements-dev.txt") from exc

SECRET = "fake-test-key-0123456789abcdefghij"
LOOPBACK = {"provider": "local", "base_url": "http://127.0.0.1:9/v1", "model": "fake-model", "quiet": True}

# FunSearch-style improvements on best fit: avoid leaving a gap of 5 to 19 that few items could fill.
BETTER_PACKING = '''def priority(item, bins):
    return -(bins - item) - 100 * (((bins - item) >= 5) & ((bins - item) < 20))
'''
FAST_PAIRS = '''def count_pairs(numbers, target):
    from collections import Counter
    seen, count = Counter(), 0
    for x in numbers:
        count += seen[target - x]
        seen[x] += 1
    return count
'''
WRONG_PAIRS = '''def count_pairs(numbers, target):
    return 0
'''


@pytest.fixture
def openevolve_scores(monkeypatch):
    """``score(folder, code) -> metrics`` through OpenEvolve's Evaluator, built from the folder's config.yaml."""
    monkeypatch.setattr(sys, "path", list(sys.path))   # OpenEvolve adds the evaluator's folder and module
    monkeypatch.setitem(sys.modules, "evaluation_module", None)

    def score(folder, code):
        config = load_config(str(folder / "config.yaml"))
        evaluator = Evaluator(config.evaluator, str(folder / "evaluator.py"), suffix=".py")
        return asyncio.run(evaluator.evaluate_program(code, "test"))
    return score


def close(a, b):
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


def assert_same(openevolve, fitness, score_key="combined_score"):
    """OpenEvolve's combined_score is the kit's score, and every metric the kit saw is OpenEvolve's too, to 1e-9.
    A program the cascade stopped at stage 1 scores failed_score in both, its stage-1 score aside."""
    assert (fitness.error == "" or fitness.info["status"] == "stopped") and \
        close(openevolve["combined_score"], fitness.score), (openevolve, fitness)
    stopped = fitness.info["stage"] == "stage 1"
    if stopped:
        assert close(openevolve["stage1_score"], fitness.info[score_key]), (openevolve, fitness.info)
    for key, value in fitness.info.items():
        if key not in ("status", "stage") and not (stopped and key == "combined_score"):
            same = openevolve[key] == value if isinstance(value, str) else close(openevolve[key], value)
            assert same, (key, openevolve, fitness.info)


@pytest.mark.parametrize("name, blocks", [("bin_packing", [None, BETTER_PACKING]),
                                          ("faster", [None, FAST_PAIRS, WRONG_PAIRS])])
def test_openevolve_scores_the_export_as_the_notebook(name, blocks, tmp_path, openevolve_scores):
    problem = load_example(name)
    folder = problem.export_openevolve(tmp_path / name, **LOOPBACK)
    assert sorted(p.name for p in folder.iterdir()) == ["config.yaml", "evaluator.py", "initial_program.py",
                                                       "workshop.toml"]
    seed = (folder / "initial_program.py").read_text()
    assert "# EVOLVE-BLOCK-START" in seed and "# EVOLVE-BLOCK-END" in seed
    assert problem.evaluator.rstrip() in (folder / "evaluator.py").read_text()   # the learner's, unchanged
    for block in blocks:
        code = seed if block is None else problem.program(block)
        # fitness is the notebook's cascade: stage 1, then evaluate; a program stopped at stage 1 scores 0
        assert_same(openevolve_scores(folder, code), problem.fitness(block or problem.block))
    if name == "bin_packing":   # the figures the notebook prints come from run(block, "evaluate")
        assert_same(openevolve_scores(folder, problem.program(BETTER_PACKING)), problem.run(BETTER_PACKING))


@pytest.mark.parametrize("name, blocks", [("bin_packing", [BETTER_PACKING, "def priority(item, bins):\n    return 0\n"]),
                                          ("faster", [FAST_PAIRS, WRONG_PAIRS])])
def test_the_exported_folder_loads_back_as_the_same_problem(name, blocks, tmp_path):
    """load_problem(export_openevolve(problem, folder)): the same seed score, the same children's scores and
    errors (a stop at stage 1 included), the same words, ideas and held-out function."""
    original = load_example(name)
    again = load_problem(original.export_openevolve(tmp_path / name, **LOOPBACK))
    assert again.description == original.description and again.ideas == original.ideas
    assert again.held_out_name == original.held_out_name and again.thresholds == original.thresholds
    assert again.baselines == original.baselines and again.timeout == original.timeout
    for block in [original.block, *blocks]:
        mine, theirs = original.fitness(block), again.fitness(block)
        assert (theirs.score, theirs.error, theirs.info["stage"]) == (mine.score, mine.error, mine.info["stage"])
    assert again.check().score == original.check().score
    table = again.held_out_table({"seed": again.block})
    assert table["combined_score"][0] == original.held_out_table({"seed": original.block})["combined_score"][0]


def test_a_loaded_openevolve_folder_exports_and_loads_back_with_its_cascade(tmp_path):
    folder = Path(__file__).parent / "data" / "openevolve_style" / "three_stages"
    original = load_problem(folder)
    again = load_problem(original.export_openevolve(tmp_path / "again", **LOOPBACK))
    assert again.stages == original.stages and again.thresholds == original.thresholds == [0.5, 0.4]
    for block in [original.block, "def guess():\n    return 7\n", "def guess():\n    return 1\n"]:
        assert again.fitness(block).score == original.fitness(block).score


def test_a_score_with_another_name_is_openevolves_combined_score(tmp_path, openevolve_scores):
    evaluator = (HERE / "bin_packing" / "evaluator.py").read_text().replace('"combined_score"', '"fill"')
    problem = Problem(HERE / "bin_packing" / "initial_program.py", evaluator, score="fill", cascade=0.85,
                      description="Pack items into as few bins as possible.")
    folder = problem.export_openevolve(tmp_path / "fill", **LOOPBACK)
    fitness = problem.fitness(BETTER_PACKING)
    metrics = openevolve_scores(folder, problem.program(BETTER_PACKING))
    assert_same(metrics, fitness, "fill")
    assert metrics["fill"] == metrics["combined_score"]


def test_openevolve_runs_one_iteration_against_a_loopback_server(tmp_path, server, clean_env):
    """OpenEvolve's command line, as a learner runs it: the fake local model answers with the whole program (the
    export asks a local model for full rewrites), OpenEvolve keeps the block's change, scores the child with the
    exported evaluator and keeps it as its best."""
    problem = load_example("bin_packing")
    folder = problem.export_openevolve(tmp_path / "run", provider="local", base_url=server.url + "/v1",
                                       model="fake-model", iterations=1, quiet=True)
    server.add(body=chat_body(f"```python\n{problem.program(BETTER_PACKING)}```\n"))
    run = subprocess.run([sys.executable, "-m", "openevolve.cli", str(folder / "initial_program.py"),
                          str(folder / "evaluator.py"), "--config", str(folder / "config.yaml"),
                          "--iterations", "1", "--output", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    asked = [r for r in server.requests if r["method"] == "POST"]
    assert len(asked) == 1 and asked[0]["json"]["model"] == "fake-model"
    assert asked[0]["json"]["max_tokens"] == problem.max_tokens and "seed" not in asked[0]["json"]
    assert asked[0]["json"]["messages"][0]["content"].startswith(problem.description)   # the system message
    best = (tmp_path / "out" / "best" / "best_program.py").read_text()
    seed = (folder / "initial_program.py").read_text()
    assert "((bins - item) >= 5)" in best and best.split(START)[0] == seed.split(START)[0]
    metrics = json.loads((tmp_path / "out" / "best" / "best_program_info.json").read_text())["metrics"]
    assert_same(metrics, problem.fitness(BETTER_PACKING))


@pytest.mark.parametrize("provider, variable, base", [
    ("openai", "OPENAI_API_KEY", "https://api.openai.com/v1"),
    ("gemini", "GEMINI_API_KEY", "https://generativelanguage.googleapis.com/v1beta/openai/"),
    ("groq", "GROQ_API_KEY", "https://api.groq.com/openai/v1")])
def test_config_names_the_key_variable_and_never_holds_a_key(provider, variable, base, tmp_path, clean_env, capsys):
    clean_env.setenv(variable, SECRET)
    folder = load_example("bin_packing").export_openevolve(tmp_path / provider, provider=provider)
    text = (folder / "config.yaml").read_text()
    assert SECRET not in text and SECRET[:8] not in text and SECRET not in capsys.readouterr().out
    assert f'api_key: "${{{variable}}}"' in text
    config = load_config(str(folder / "config.yaml"))   # OpenEvolve reads the key from the variable
    assert config.llm.models[0].api_key == SECRET and config.llm.models[0].api_base == base
    assert config.evaluator.cascade_evaluation and config.evaluator.cascade_thresholds == [0.85]


def test_a_local_server_gets_no_key_and_no_cascade_without_one(tmp_path, clean_env):
    folder = load_example("bin_packing", cascade=None).export_openevolve(tmp_path / "local", **LOOPBACK)
    config = load_config(str(folder / "config.yaml"))
    assert config.llm.models[0].api_key == "local" and config.llm.models[0].api_base == LOOPBACK["base_url"]
    assert not config.evaluator.cascade_evaluation and "evaluate_stage2" not in (folder / "evaluator.py").read_text()


def test_a_local_model_gets_full_rewrites_a_token_cap_and_unseeded_samples(tmp_path, clean_env):
    """What the capstone benchmark needed for a 1.5B local model (bench/capstone): diff mode failed every
    iteration, OpenEvolve's 4096-token default costs minutes a call, and one seed sent with every request makes a
    local server answer a repeated prompt identically. A cloud provider keeps diffs, with a cap of its own."""
    problem = load_example("bin_packing")
    local = load_config(str(problem.export_openevolve(tmp_path / "local", **LOOPBACK) / "config.yaml"))
    assert local.diff_based_evolution is False and local.llm.max_tokens == problem.max_tokens
    assert local.random_seed is None and local.database.random_seed == 42
    clean_env.setenv("OPENAI_API_KEY", SECRET)   # OpenEvolve's load_config resolves ${OPENAI_API_KEY}
    cloud = load_config(str(problem.export_openevolve(tmp_path / "cloud", provider="openai") / "config.yaml"))
    assert cloud.diff_based_evolution is True and cloud.random_seed == 42
    assert problem.max_tokens < cloud.llm.max_tokens < 4096
