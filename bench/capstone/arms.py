"""The four arms of the capstone benchmark, each one function from (seed, LLM budget) to its winner.

- ``kit``: notebook 05's first evolve cell (``evolve``, 3 generations of 3 children, population 4), seeds 0, 1, 2; seed 0
  is the notebook's recorded run itself.
- ``best_of_n``: no evolution: as many calls as the kit's run of the same seed spent, each an independent
  sample of the kit's own first prompts (the seed as parent, explore directions included, explore and exploit
  alternating as in the kit); the best on the training instances is the winner.
- ``no_directions``: the kit's run with no explore directions (its explore prompts say only "try a different
  approach"): how much of the result the human hints carry.
- ``openevolve``: OpenEvolve 0.4 on ``export_openevolve``'s folder for the local model (full rewrites, the
  kit's max_tokens), as many iterations (one LLM call each) as the kit's run of the same seed spent.

Every arm's winner is then scored by the same held-out functions (``distributions.py``).
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers.evolution import evolve, load_example
from helpers.evolution.candidate import Candidate, Context

# The budget: notebook 05's first evolve cell (3 generations of 3 children, population 4; about 13 calls). The
# notebook's whole run (6 generations, 27 calls) times 4 arms x 3 seeds is over 5 hours of a 1.5B model on 2
# CPU cores; 3 generations keep the benchmark to one session. Seed 0's first 3 generations are the recording's.
GENERATIONS, CHILDREN, POPULATION = 3, 3, 4


def kit(llm, seed, ideas=None):
    """The notebook's run; ``ideas=()`` is the arm without directions. Returns (winner block, its training
    fitness, LLM calls spent: the operators' asks and re-asks and the repairs)."""
    problem = load_example("bin_packing", **({} if ideas is None else {"ideas": ideas}))
    evo = evolve(problem, llm, generations=GENERATIONS, children=CHILDREN, population=POPULATION, seed=seed,
                 progress=False)
    return evo.best.genome, evo.best.fitness, len(llm.usage.calls)


def no_directions(llm, seed):
    return kit(llm, seed, ideas=())


def best_of_n(llm, seed, calls):
    """``calls`` independent samples of the prompts the kit's first generations send with the seed as parent:
    sample i is the prompt of generation i // 3 + 1, slot i % 3 (explore in odd generations, each slot its
    direction), with the seed alone in the memory, at the kit's temperature and max_tokens; ``seed`` offsets
    the sample indices, so each seed draws other samples."""
    problem = load_example("bin_packing")
    parent = Candidate(problem.block, 0, fitness=problem.check())
    best_block, best_fit = problem.block, parent.fitness
    for i in range(calls):
        generation = i // CHILDREN + 1
        ctx = Context(generation, "explore" if generation % 2 else "exploit", [parent], [], slot=i % CHILDREN)
        reply = llm.chat(problem.mutation_prompt(parent, ctx), temperature=0.7, max_tokens=problem.max_tokens,
                         sample=1000 * seed + i)
        block = problem.parse(reply)
        fit = problem.fitness(block) if block.strip() else None
        if fit is not None and not fit.error and fit.score > best_fit.score:
            best_block, best_fit = block, fit
    return best_block, best_fit, len(llm.usage.calls)


def openevolve(proxy, seed, calls, workdir: Path, log: Path):
    """OpenEvolve's own command on the kit's export, through the keeping proxy; returns (winner block, its
    training fitness as the kit scores it, the calls OpenEvolve made)."""
    problem = load_example("bin_packing")
    folder = problem.export_openevolve(workdir / "problem", provider="local", base_url=proxy.url,
                                       model="qwen2.5-coder-1.5b", iterations=calls, quiet=True)
    config = folder / "config.yaml"
    text = config.read_text().replace("random_seed: 42", f"random_seed: {seed}")
    # one evaluation at a time: the kit's run scores its children two at a time on the same 2 cores, and
    # OpenEvolve's default parallelism would only queue more requests at the one local model
    config.write_text(text + "  parallel_evaluations: 1\n")
    before = proxy.calls
    out = workdir / "output"
    with log.open("w") as f:
        subprocess.run([sys.executable, "-m", "openevolve.cli", str(folder / "initial_program.py"),
                        str(folder / "evaluator.py"), "--config", str(config), "--output", str(out)],
                       stdout=f, stderr=subprocess.STDOUT, check=False, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                       cwd=tempfile.gettempdir())
    best = out / "best" / "best_program.py"
    program = best.read_text() if best.exists() else problem.program(problem.block)
    block = problem.parse(program)
    return block, problem.fitness(block), proxy.calls - before, _iterations(log.read_text())


def _iterations(log: str) -> dict:
    """What OpenEvolve's log says of its iterations: children scored and the ways iterations failed."""
    fails = re.findall(r"Iteration \d+ error(?: \[[\w-]+\])?: (.*?)(?: \| tokens.*)?$", log, re.M)
    done = len(re.findall(r"Iteration \d+: Program [\w-]+ \(parent", log))
    return {"children": done, "failed": len(fails), "errors": {f: fails.count(f) for f in sorted(set(fails))}}
