"""Notebook 05's exercise checks: an evaluator of your own, a cascade stage, and a problem of your own evolved."""

from ..checks import hint, say
from .problem import Problem, ProblemError
from .problems import HERE, load_example

SEED = HERE / "faster" / "initial_program.py"
FAST = '''def count_pairs(numbers, target):
    seen, count = {}, 0
    for x in numbers:
        count += seen.get(target - x, 0)
        seen[x] = seen.get(x, 0) + 1
    return count
'''
WRONG = "def count_pairs(numbers, target):\n    return len(numbers) // 2\n"
STEADY = 1.05   # the seed's scores over three runs may differ by at most 5%: more, and luck picks the winner
SANDBOX_ALONE = ("the evaluator runs in the sandbox with only its own source: define its helpers inside it, "
                 "and import there what it uses")


def _problem(evaluator, **kw):
    return Problem(SEED, evaluator, description=load_example("faster").description, **kw)


def _refused(exc: ProblemError) -> bool:
    """The problem's one-line refusal, and the usual cause when a name was missing in the sandbox."""
    ok = say(False, str(exc))
    if "NameError" in str(exc):
        hint(SANDBOX_ALONE)
    return ok


def check_evaluator(evaluate) -> bool:
    """Exercise 1: ``evaluate(program_path) -> dict`` for count_pairs: right answers first, then a speed score
    that is higher for faster code and the same on every run."""
    if evaluate is None:
        return say(False, "write my_evaluate(program_path) in the cell above (import what it uses inside it)")
    name = getattr(evaluate, "__name__", "my_evaluate")
    try:
        problem = _problem(evaluate)
        seed = problem.check()
    except ProblemError as exc:
        return _refused(exc)
    again = [seed.score] + [problem.run(problem.block).score for _ in range(2)]
    steady = min(again) > 0 and max(again) / min(again) <= STEADY
    fast, wrong = problem.run(FAST), problem.run(WRONG)
    ok = all([say(steady, f"the seed scores {seed.score:g}, the same in three runs" if steady
                  else f"the seed scored {', '.join(f'{s:g}' for s in again)} in three runs: a timing this noisy "
                  "lets luck pick the winner; count the lines count_pairs executes instead (sys.settrace)"),
              say(fast.score > seed.score, f"a dictionary version scores {fast.score:g}, "
                  f"{'above' if fast.score > seed.score else 'not above'} the seed's {seed.score:g}"
                  + ("" if fast.score > seed.score or not fast.error else f" ({fast.error})")),
              say(wrong.score < seed.score, f"a version with wrong answers scores {wrong.score:g}: "
                  f"{'below the seed, as it must' if wrong.score < seed.score else 'it must score below the seed'}")])
    if ok:
        hint(f"next, exercise 2 puts {name} beside an evaluate_stage1; or evolve with it now: "
             f'evolve(Problem(load_example("faster").seed, {name}, description="..."), llm, generations=2)')
    return ok


def check_cascade(problem) -> bool:
    """Exercise 2: a cascade: ``evaluate_stage1`` in the evaluator and a threshold that stops wrong answers."""
    if problem is None:
        return say(False, "make my_problem = Problem(..., cascade=1.0) with an evaluator that defines both evaluate "
                          "and evaluate_stage1")
    if not isinstance(problem, Problem) or problem.cascade is None:
        return say(False, "pass cascade=<threshold> to Problem, so evaluate_stage1 runs first")
    try:
        problem.check()
    except ProblemError as exc:
        return _refused(exc)
    stopped, passed = problem.fitness(WRONG), problem.fitness(problem.block)
    return all([say(stopped.info.get("stage") == "stage 1", "a version with wrong answers stops after stage 1"
                    if stopped.info.get("stage") == "stage 1" else "a version with wrong answers went past stage 1:"
                    " raise the threshold or make evaluate_stage1 score its answers"),
                say(passed.info.get("stage") == "evaluate", "the seed goes on to the full evaluate"
                    if passed.info.get("stage") == "evaluate" else "the seed itself stops at stage 1: lower the threshold")])


def _replay_misses(evo) -> int:
    """Replay misses in the ledger of the LLM the run used (its repair names it), 0 if it names none."""
    llm = evo.repair.llm if evo.repair is not None else None
    return llm.usage.totals()["replay_misses"] if llm is not None else 0


def _why_none_scored(evo, children) -> str:
    crashed = [c for c in children if c.fitness.info.get("status") != "stopped"]
    stopped = len(children) - len(crashed)
    parts = [f"{len(crashed)} crashed"] * bool(crashed) + [f"{stopped} stopped by the cascade"] * bool(stopped)
    first = children[0].fitness.error[:120]
    why = f"none of the {len(children)} children was scored ({', '.join(parts)}; the first: {first})"
    misses = _replay_misses(evo)
    if misses:
        why += (f". llm.usage counts {misses} replay miss(es): the recording holds no reply to these prompts, so "
                "each got the closest recorded one, code for another problem. Set a key or start a local model "
                "to evolve it for real")
    return why


def check_own_problem(evo, problem=None) -> bool:
    """Exercise 3: a problem evolved for at least one generation: some child was scored, and the best of them
    beats the seed. ``problem`` (optional): its held-out table, seed against best, is printed too."""
    if evo is None:
        return say(False, "run my_evo = evolve(my_problem, llm, generations=2, children=2) first")
    seeds = [c for c in evo.candidates.values() if c.op == "seed"]
    children = [c for c in evo.candidates.values() if c.op != "seed"]
    scored = [c for c in children if c.fitness and not c.failed]
    seed_score = max(c.score for c in seeds)
    best = max(scored, key=lambda c: c.score, default=None)
    improved = best is not None and best.score > seed_score
    if improved:
        verdict = f"the best child #{best.id} scores {best.score:.4g}, above the seed's {seed_score:.4g}"
    elif best is not None:
        verdict = (f"no child beat the seed's {seed_score:.4g} (the best scored {best.score:.4g}): run more "
                   "generations (my_evo.run(generations=2)), or name directions (Problem(..., ideas=[...]))")
    else:
        verdict = f"no child beat the seed's {seed_score:.4g}"
    ok = all([say(bool(children), f"{len(children)} children made over {len(evo.history) - 1} generation(s)"
                  if children else "no child was made: run more generations"),
              say(bool(scored), f"{len(scored)} of them scored" if scored else
                  _why_none_scored(evo, children) if children else "no child to score"),
              say(improved, verdict)])
    if problem is not None and problem.held_out_name:
        table = problem.held_out_table({"seed": seeds[0].genome, **({"best child": best.genome} if best else {})})
        print(table.to_string(index=False))
    return ok
