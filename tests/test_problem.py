"""Notebook 05's interface: a problem of your own (a seed and an evaluator) on notebook 02's engine. Bad input
gets one line that says what is wrong and how to fix it, before any LLM call; a good problem evolves, with its
block spliced back between the fixed parts, the cascade, repair and a held-out table."""

import math

import pytest

from helpers import FakeLLM
from helpers.evolution.problem import END, START, Problem, ProblemError, evolve, split_blocks
from helpers.evolution.problems import FIRST_FIT, load_example

SEED = f'''import math

{START}
def f(x):
    return x
{END}

def g():
    return f(3)
'''

EVALUATOR = '''
import importlib.util

def load(path):
    spec = importlib.util.spec_from_file_location("program", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

def evaluate(program_path):
    value = load(program_path).g()
    return {"combined_score": float(value), "value": value}

def evaluate_stage1(program_path):
    return {"combined_score": float(load(program_path).g() > 0)}

def evaluate_held_out(program_path):
    return {"combined_score": float(load(program_path).g()) * 2}
'''


def make(seed=SEED, evaluator=EVALUATOR, **kw):
    return Problem(seed, evaluator, description="make g() large", **kw)


# --------------------------------------------------------------------------- bad input: one line, no LLM call
BAD = {
    "the seed does not parse": (SEED.replace("return x", "return x +"), EVALUATOR, {}),
    "EVOLVE-BLOCK-START' and 0": (SEED.replace(END, ""), EVALUATOR, {}),
    "START above END": (SEED.replace(START, "#").replace(END, START).replace("#\n", END + "\n", 1), EVALUATOR, {}),
    "failed on the seed": (SEED, EVALUATOR.replace("value = load", "value = 1 / 0 + load"), {}),
    "returned no 'combined_score'": (SEED, EVALUATOR.replace('"combined_score"', '"score"'), {"score": "combined_score"}),
    "returned no number to score": (SEED, EVALUATOR.replace('{"combined_score": float(value), "value": value}',
                                                            '{"note": "high"}'), {}),
    "not a number": (SEED, EVALUATOR.replace("float(value), \"value\"", "str(value), \"value\""), {}),
    "not a finite number": (SEED, EVALUATOR.replace("float(value), \"value\"", "float('nan'), \"value\""), {}),
    "defines no evaluate_stage1": (SEED, EVALUATOR.replace("def evaluate_stage1", "def other"), {"cascade": 0.5}),
    "defines no evaluate(": (SEED, EVALUATOR.replace("def evaluate(", "def score("), {}),
    "which evaluate_stage1 does not report": (SEED, EVALUATOR, {"cascade": 0.5, "cascade_metric": "accuracy"}),
    "metric 'combined_score' is 'high'": (SEED, EVALUATOR.replace(
        "return {\"combined_score\": float(value), \"value\": value}",
        "from openevolve.evaluation_result import EvaluationResult\n"
        "    return EvaluationResult(metrics={'combined_score': 'high'}, artifacts={})"), {}),
}
@pytest.mark.parametrize("what", BAD)
def test_bad_input_gets_one_line_before_any_llm_call(what):
    seed, evaluator, kw = BAD[what]
    fake = FakeLLM(["```python\ndef f(x):\n    return x * 2\n```"] * 10)
    with pytest.raises(ProblemError) as err:
        evolve(make(seed, evaluator, **kw), fake, generations=1, progress=False)
    message = str(err.value)
    assert what in message, message
    assert "\n" not in message, "one line"
    assert not fake.requests, "the model was called before the problem was checked"


def test_evolve_of_no_problem_says_what_to_run_first():
    fake = FakeLLM(["```python\ndef f(x):\n    return x\n```"])
    for wrong in (None, "my_problem", EVALUATOR):
        with pytest.raises(ProblemError) as err:
            evolve(wrong, fake, generations=1, progress=False)
        assert "\n" not in str(err.value) and "run the cell that makes it first" in str(err.value)
    assert not fake.requests


def test_a_seed_that_scores_nothing_is_a_valid_start_said_in_one_line(capsys):
    fake = FakeLLM([f"```python\ndef f(x):\n    return x + {k}\n```" for k in range(3, 9)])
    problem = make(SEED.replace("return f(3)", "return f(-3)"))   # scores -3: below a crash's 0
    evo = evolve(problem, fake, generations=1, children=2, progress=False)
    said = [line for line in capsys.readouterr().out.splitlines() if "scored nothing" in line]
    assert len(said) == 1 and "-3" in said[0]
    assert evo.best.score > 0 and fake.requests


def test_a_crash_ranks_below_every_scored_program_even_a_negative_one():
    fake = FakeLLM(["```python\ndef f(x):\n    return x / 0\n```", "```python\ndef f(x):\n    return x / 0\n```"])
    problem = make(SEED.replace("return f(3)", "return f(-3)"))
    evo = evolve(problem, fake, generations=1, children=1, progress=False)
    crashed = [c for c in evo.candidates.values() if c.failed]
    assert crashed and crashed[0].score == 0.0 > evo.best.score == -3.0   # the seed stays the best
    assert evo.best.op == "seed" and evo.population[0].op == "seed"


def test_without_combined_score_the_score_is_openevolves_average_and_says_so(capsys):
    evaluator = EVALUATOR.replace('"combined_score": float(value), "value": value',
                                  '"a": float(value), "b": 1.0, "flag": True, "text": "x"')
    fit = make(evaluator=evaluator).check()
    assert fit.score == pytest.approx((3.0 + 1.0) / 2)    # the flag and the text do not count
    said = capsys.readouterr().out
    assert "the average of 2 numeric metrics (OpenEvolve's rule)" in said


def test_the_evaluator_runs_in_the_sandbox_not_in_the_kernel(tmp_path):
    marker = tmp_path / "touched"
    evaluator = EVALUATOR.replace("def evaluate(program_path):",
                                  f"def evaluate(program_path):\n    open({str(marker)!r}, 'w').write('x')")
    with pytest.raises(ProblemError, match="failed on the seed"):   # the sandbox's file system is read-only there
        make(evaluator=evaluator).check()
    assert not marker.exists()


def test_a_hanging_evaluator_is_a_timeout_with_a_message():
    evaluator = EVALUATOR.replace("value = load(program_path).g()", "while True: pass")
    with pytest.raises(ProblemError, match="timed out"):
        make(evaluator=evaluator, timeout=2).check()


def test_a_function_is_sent_as_its_source():
    def evaluate(program_path):
        return {"combined_score": float(len(open(program_path).read()))}
    assert make(evaluator=evaluate).check().score > 10


# --------------------------------------------------------------------------- the block and the program
def test_only_the_block_evolves_and_the_rest_stays_fixed():
    p = make()
    assert p.block.strip() == "def f(x):\n    return x"
    program = p.program("def f(x):\n    return x * 10\n")
    assert program.startswith("import math") and program.rstrip().endswith("return f(3)")
    assert p.run("def f(x):\n    return x * 10\n").score == 30.0


def test_no_markers_means_the_whole_program_evolves():
    assert split_blocks("def f():\n    return 1\n") == ("", "def f():\n    return 1\n", "")


def test_a_reply_with_the_whole_program_keeps_only_its_block_and_drops_example_calls():
    p = make()
    reply = f"Here:\n```python\nimport math\n{START}\ndef f(x):\n    return x * 5\n{END}\nprint(f(2))\n```"
    assert p.parse(reply).strip() == "def f(x):\n    return x * 5"
    assert "print" not in p.parse("```python\ndef f(x):\n    return 2 * x\nprint(f(1))\n```")


# --------------------------------------------------------------------------- evolving
def test_evolve_improves_with_queued_replies_and_prompts_carry_the_metrics_and_the_fixed_code():
    fake = FakeLLM([f"```python\ndef f(x):\n    return x * {k}\n```" for k in range(2, 12)])
    evo = evolve(make(), fake, generations=2, children=2, progress=False)
    assert evo.best.score > 3.0 and "return x *" in evo.best.genome
    prompt = fake.requests[0]["messages"][-1]["content"]
    assert "value 3" in prompt and "make g() large" in prompt and "def g():" in prompt
    assert START not in evo.best.genome


def test_the_cascade_stops_a_child_whose_stage1_score_is_below_the_threshold():
    p = make(cascade=0.5)
    stopped = p.fitness("def f(x):\n    return -x\n")
    assert stopped.score == 0.0 and stopped.info["stage"] == "stage 1" and "cascade" in stopped.feedback()
    assert p.fitness("def f(x):\n    return 2 * x\n").info["stage"] == "evaluate"


def test_a_crashing_child_is_repaired_with_notebook_01s_loop():
    fake = FakeLLM(["```python\ndef f(x):\n    return x / 0\n```",                    # the child crashes
                    "```python\ndef f(x):\n    return x * 4\n```"])                    # the repair
    evo = evolve(make(), fake, generations=1, children=1, progress=False)
    crashed = [c for c in evo.candidates.values() if c.failed]
    repaired = [c for c in evo.candidates.values() if c.op == "repair"]
    assert crashed and "ZeroDivisionError" in crashed[0].fitness.error
    assert repaired and repaired[0].parents == (crashed[0].id,) and repaired[0].score == 12.0


def test_held_out_table_has_a_row_per_program():
    table = make(held_out="evaluate_held_out").held_out_table({"seed": "def f(x):\n    return x\n",
                                                                 "x2": "def f(x):\n    return 2 * x\n"})
    assert list(table["program"]) == ["seed", "x2"] and list(table["combined_score"]) == [6.0, 12.0]


# --------------------------------------------------------------------------- the worked examples
def test_bin_packing_reproduces_best_fit_and_first_fit_on_the_training_instances():
    p = load_example("bin_packing")
    best, first = p.run(p.block), p.run(FIRST_FIT)
    assert 3.0 < best.info["excess_pct"] < first.info["excess_pct"] < 8.0   # best fit beats first fit here
    assert math.isclose(best.score, best.info["lower_bound"] / best.info["bins"], rel_tol=0.02)


def test_faster_rewards_fewer_lines_only_for_right_answers():
    p = load_example("faster")
    fast = ("def count_pairs(numbers, target):\n    seen, count = {}, 0\n    for x in numbers:\n"
            "        count += seen.get(target - x, 0)\n        seen[x] = seen.get(x, 0) + 1\n    return count\n")
    assert p.fitness(p.block).score == 1.0
    assert p.fitness(fast).score > 20
    assert p.fitness("def count_pairs(numbers, target):\n    return 0\n").score == 0.0   # stopped at stage 1


def test_a_cascade_stop_is_a_named_failure_with_the_evaluators_text_metrics():
    stopped = load_example("faster").fitness("def count_pairs(numbers, target):\n    return 0\n")
    assert stopped.error.startswith("stopped after stage 1") and "first_wrong: count_pairs(" in stopped.error
    assert stopped.info["status"] == "stopped"


def test_a_function_with_another_name_is_the_evaluate():
    def my_evaluate(program_path):
        return {"combined_score": 2.0}
    assert make(evaluator=my_evaluate).check().score == 2.0
