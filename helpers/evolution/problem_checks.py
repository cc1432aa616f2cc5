"""Notebook 05's exercise checks: an evaluator of your own, a cascade stage, and a problem of your own evolved."""

from ..checks import hint, say
from .problem import Problem, ProblemError
from .problems import EXAMPLES, HERE

SEED = HERE / "faster" / "initial_program.py"
FAST = '''def count_pairs(numbers, target):
    seen, count = {}, 0
    for x in numbers:
        count += seen.get(target - x, 0)
        seen[x] = seen.get(x, 0) + 1
    return count
'''
WRONG = "def count_pairs(numbers, target):\n    return len(numbers) // 2\n"


def _problem(evaluator, **kw):
    return Problem(SEED, evaluator, description=EXAMPLES["faster"]["description"], **kw)


def check_evaluator(evaluate) -> bool:
    """Exercise 1: ``evaluate(program_path) -> dict`` for count_pairs: right answers first, then fewer steps."""
    if evaluate is None:
        return say(False, "write evaluate(program_path) in the cell above (import what it uses inside it)")
    try:
        problem = _problem(evaluate)
        seed = problem.check()
    except ProblemError as exc:
        return say(False, str(exc))
    fast, wrong = problem.run(FAST), problem.run(WRONG)
    ok = all([say(True, f"the seed scores {seed.score:g}"),
              say(fast.score > seed.score, f"a dictionary version scores {fast.score:g}, "
                  f"{'above' if fast.score > seed.score else 'not above'} the seed's {seed.score:g}"),
              say(wrong.score < seed.score, f"a version with wrong answers scores {wrong.score:g}: "
                  f"{'below the seed, as it must' if wrong.score < seed.score else 'it must score below the seed'}")])
    if ok:
        hint("evolve with it: evolve(Problem(seed, evaluate, description=...), llm, generations=2)")
    return ok


def check_cascade(problem) -> bool:
    """Exercise 2: a cascade: ``evaluate_stage1`` in the evaluator and a threshold that stops wrong answers."""
    if problem is None:
        return say(False, "make my_problem = Problem(..., cascade=...) with evaluate_stage1 in its evaluator")
    if not isinstance(problem, Problem) or problem.cascade is None:
        return say(False, "pass cascade=<threshold> to Problem, so evaluate_stage1 runs first")
    try:
        problem.check()
    except ProblemError as exc:
        return say(False, str(exc))
    stopped, passed = problem.fitness(WRONG), problem.fitness(problem.block)
    return all([say(stopped.info.get("stage") == "stage 1", "a version with wrong answers stops after stage 1"
                    if stopped.info.get("stage") == "stage 1" else "a version with wrong answers went past stage 1:"
                    " raise the threshold or make evaluate_stage1 score its answers"),
                say(passed.info.get("stage") == "evaluate", "the seed goes on to the full evaluate"
                    if passed.info.get("stage") == "evaluate" else "the seed itself stops at stage 1: lower the threshold")])


def check_own_problem(evo, problem=None) -> bool:
    """Exercise 3: a problem evolved for at least one generation, whose best is at least as good as its seed."""
    if evo is None:
        return say(False, "run my_evo = evolve(my_problem, llm, generations=2, children=2) first")
    seeds = [c for c in evo.candidates.values() if c.op == "seed"]
    children = [c for c in evo.candidates.values() if c.op != "seed"]
    ok = all([say(bool(children), f"{len(children)} children made over {len(evo.history) - 1} generation(s)"),
              say(evo.best.score >= max(c.score for c in seeds),
                  f"best {evo.best.score:.4g} against the seed's {max(c.score for c in seeds):.4g}")])
    if problem is not None and problem.held_out_name:
        table = problem.held_out_table({"seed": seeds[0].genome, "best": evo.best.genome})
        print(table.to_string(index=False))
    return ok
