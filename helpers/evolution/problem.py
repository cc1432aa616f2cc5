"""Notebook 05: a problem of your own on notebook 02's engine. You bring a seed program and an evaluator;
``Problem`` turns them into what ``Evolution`` needs (a fitness, LLM operators, a repair), so the loop,
novelty by AST, repair before discard, memory, explore/exploit and the cascade are 02's, not a second copy.

    problem = Problem(seed_source, evaluator_source, description="pack items into as few bins as possible")
    evo = evolve(problem, llm, generations=6, children=3)
    problem.held_out_table({"seed": problem.block, "winner": evo.best.genome})

The interface is OpenEvolve's, so a problem moves there with its two files (``export_openevolve`` adds the
few lines OpenEvolve's cascade needs):
  - the seed is a Python program; ``# EVOLVE-BLOCK-START`` / ``# EVOLVE-BLOCK-END`` mark the part that
    evolves (without them, the whole program does). A genome is that block; the rest stays fixed;
  - the evaluator is Python source defining ``evaluate(program_path) -> dict`` of metrics, one of them the
    score to maximise (``combined_score`` unless you name another). ``evaluate_stage1`` (optional) is the
    cascade's cheap first look; ``evaluate_held_out`` (optional, any name) is the verdict selection never sees.

The evaluator runs in the sandbox, never in your kernel: it and the program are written to a fresh folder
there and run with a timeout and a memory cap. So it must import what it uses; a function you pass is sent
as its source (``inspect.getsource``), without the notebook's other variables.
"""

import ast
import inspect
import math
import re
import textwrap
from pathlib import Path

from ..llm import extract_code
from ..llm.errors import HelpfulError
from ..sandbox import call_function, warm_server
from .engine import Check, Evolution, Fitness, ast_key, llm_crossover, llm_mutation

START, END = "# EVOLVE-BLOCK-START", "# EVOLVE-BLOCK-END"
PROGRAM_FILE = "program.py"

# Runs in the sandbox after the evaluator's source: write the program where the evaluator reads it, call it.
HARNESS = f'''

def _evaluate_program(source, function):
    with open("{PROGRAM_FILE}", "w", encoding="utf-8") as f:
        f.write(source)
    return globals()[function]("{PROGRAM_FILE}")
'''


class ProblemError(HelpfulError, ValueError):
    """A problem that cannot be evolved as given; the message says what is wrong and how to fix it."""


def _source(thing, what: str) -> str:
    """Source text from a string of code, a path to a .py file, or a function (its source)."""
    if callable(thing):
        try:
            return textwrap.dedent(inspect.getsource(thing))
        except (OSError, TypeError) as exc:
            raise ProblemError(f"cannot read the source of the {what} function ({exc}): pass it as a string of "
                               "code or a path to a .py file instead") from None
    if isinstance(thing, Path):
        thing = str(thing)
    text = str(thing)
    if "\n" not in text and text.endswith(".py"):
        path = Path(text)
        if not path.is_file():
            raise ProblemError(f"the {what} file {text} does not exist: check the path, or pass the code itself")
        return path.read_text(encoding="utf-8")
    return text


def split_blocks(program: str) -> tuple[str, str, str]:
    """(before, block, after): the program around and inside its EVOLVE-BLOCK markers (no markers: all of it
    is the block). Raises ``ProblemError`` for markers that do not pair up."""
    starts, ends = program.count(START), program.count(END)
    if (starts, ends) == (0, 0):
        return "", program, ""
    if starts != 1 or ends != 1 or program.index(START) > program.index(END):
        raise ProblemError(f"the seed has {starts} '{START}' and {ends} '{END}' line(s): mark the part to evolve "
                           f"with one pair, START above END (or with none, to evolve the whole program)")
    head, rest = program.split(START, 1)
    block, tail = rest.split(END, 1)
    return head + START + "\n", block.strip("\n") + "\n", END + tail


def short(code: str, width: int = 110) -> str:
    """One line for a program in a prompt's memory: what its last ``return`` returns."""
    try:
        returns = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Return) and n.value is not None]
    except SyntaxError:
        return "(does not parse)"
    text = " ".join(ast.unparse(returns[-1]).split()) if returns else " ".join(code.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class Problem:
    """A seed, an evaluator and a few words on the goal: everything ``evolve`` needs.

    ``score``: the metric to maximise. ``cascade``: a threshold on ``evaluate_stage1``'s score below which a
    child is not given the full ``evaluate`` (None: no cascade). ``held_out``: the name of the evaluator's
    held-out function (None: none). ``ideas``: directions that explore prompts name, one per child (as 02's
    newsgroups task does); none: a bare "try a different approach". ``failed_score``: what a program that
    crashes scores, which must be below the seed's. ``timeout`` and ``memory_mb`` bound each evaluation.
    """

    def __init__(self, seed, evaluator, *, description: str, score: str = "combined_score", cascade=None,
                 held_out: str | None = None, ideas=(), name: str = "my problem", failed_score: float = 0.0,
                 timeout: float = 30, memory_mb: int = 1024, max_tokens: int = 500, warm=("numpy",)):
        self.seed, self.evaluator = _source(seed, "seed"), _source(evaluator, "evaluator")
        if callable(evaluator) and getattr(evaluator, "__name__", "evaluate") != "evaluate":
            self.evaluator += f"\n\nevaluate = {evaluator.__name__}\n"   # your name for it, OpenEvolve's name too
        self.description, self.score_key, self.cascade, self.held_out_name = description.strip(), score, cascade, held_out
        self.ideas, self.name, self.failed_score = list(ideas), name, failed_score
        self.timeout, self.memory_mb, self.max_tokens, self.warm = timeout, memory_mb, max_tokens, warm
        self.head, self.block, self.tail = split_blocks(self.seed)
        self.seed_fitness = None   # set by check()

    # -- the program around the block ---------------------------------------------------------------
    def program(self, block: str) -> str:
        """The whole program for a genome (the block): the fixed parts around it, markers kept."""
        return self.head + block.strip("\n") + "\n" + self.tail

    def parse(self, reply: str) -> str:
        """A child block from a reply: its code, and if the model sent the whole program back, only the part
        between the markers; example calls and prints at the top level are dropped."""
        code = extract_code(reply)
        if START in code and END in code:
            code = split_blocks(code)[1]
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return code
        keep = [n for n in tree.body if not isinstance(n, ast.Expr | ast.If) or _is_docstring(n)]
        return "\n\n".join(ast.get_source_segment(code, n) for n in keep) + "\n" if keep else code

    # -- checking what the learner wrote, before any LLM call ----------------------------------------
    def check(self) -> Fitness:
        """Score the seed; raise ``ProblemError`` (one line: what is wrong, how to fix it) for a seed that does
        not parse, markers that do not pair up, an evaluator without ``evaluate``, one that raises on the
        seed, or returns no score, a non-number or NaN. Returns the seed's fitness."""
        try:
            ast.parse(self.seed)
        except SyntaxError as exc:
            raise ProblemError(f"the seed does not parse: line {exc.lineno}: {exc.msg}. Fix the seed program so "
                               "that Python can read it (try running it in a cell)") from None
        try:
            ast.parse(self.evaluator)
        except SyntaxError as exc:
            raise ProblemError(f"the evaluator does not parse: line {exc.lineno}: {exc.msg}") from None
        needed = ["evaluate"] + ["evaluate_stage1"] * (self.cascade is not None) + [self.held_out_name] * bool(self.held_out_name)
        body = ast.parse(self.evaluator).body
        defined = {n.name for n in body if isinstance(n, ast.FunctionDef)} | {
            t.id for n in body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        for name in needed:
            if name not in defined:
                raise ProblemError(f"the evaluator defines no {name}(program_path): add it (it gets the path of "
                                   f"a program file and returns a dict with '{self.score_key}')")
        fit = self.run(self.block, "evaluate")
        if fit.error:
            raise ProblemError(f"the evaluator failed on the seed: {fit.error}")
        if fit.score <= self.failed_score:
            raise ProblemError(f"the seed scores {fit.score:g}, not above {self.failed_score:g}, the score of a program "
                               "that crashes: make the score higher for better programs and positive, or pass "
                               "failed_score= below it")
        self.seed_fitness = fit
        return fit

    # -- evaluation, in the sandbox -----------------------------------------------------------------
    def run(self, block: str, function: str = "evaluate") -> Fitness:
        """One sandboxed call of the evaluator's ``function`` on the program made from ``block``."""
        stage = {"evaluate_stage1": "stage 1", "evaluate": "evaluate"}.get(function, "held out")
        run = call_function(self.evaluator + HARNESS, "_evaluate_program", self.program(block), function,
                            timeout=self.timeout, memory_mb=self.memory_mb,
                            warm=warm_server(tuple(self.warm)) if self.warm else False)
        if not run.ok:
            what = {"timeout": f"timed out (limit {self.timeout:g} s) and was killed",
                    "memory": f"ran out of memory (limit {self.memory_mb} MB)"}.get(run.status, "raised an error")
            tail = _clean((run.traceback or run.stderr or "").strip().splitlines()[-1:] or [""])
            error = f"the evaluation {what}" + (f": {tail}" if tail and run.status == "error" else "")
            return Fitness(self.failed_score, [Check("runs", False, what)], error=error,
                           info={"status": run.status, "stage": stage})
        return self._fitness(run.value, stage)

    def _fitness(self, metrics, stage) -> Fitness:
        if not isinstance(metrics, dict):
            return self._bad(f"the evaluator returned {type(metrics).__name__}, not a dict of metrics: return "
                             f"{{'{self.score_key}': ...}}", stage)
        if self.score_key not in metrics:
            return self._bad(f"the evaluator returned no '{self.score_key}' (its keys: {', '.join(map(str, metrics)) or 'none'}):"
                             f" return it, or name your score with Problem(score=...)", stage)
        value = _number(metrics[self.score_key])
        if value is None:
            return self._bad(f"'{self.score_key}' is {metrics[self.score_key]!r} ({type(metrics[self.score_key]).__name__}),"
                             " not a number: return a float", stage)
        if not math.isfinite(value):
            return self._bad(f"'{self.score_key}' is {value}, not a finite number: return a float the evaluator"
                             " could compute (check for a division by zero)", stage)
        checks = [Check(key, None, f"{v:.4g}" if _number(v) is not None else str(v)[:80]) for key, v in metrics.items()]
        return Fitness(value, checks, info={**metrics, "status": "ok", "stage": stage})

    def _bad(self, error, stage) -> Fitness:
        return Fitness(self.failed_score, [Check("score", False, error)], error=error,
                       info={"status": "bad score", "stage": stage})

    def fitness(self, block: str) -> Fitness:
        """The cascade (AlphaEvolve, OpenEvolve): ``evaluate_stage1`` first, and ``evaluate`` only for a child
        whose stage-1 score reaches ``cascade``."""
        if self.cascade is None:
            return self.run(block, "evaluate")
        first = self.run(block, "evaluate_stage1")
        if first.error or first.score < self.cascade:
            if not first.error:   # a stop is a failure the next prompts name, with the evaluator's text metrics
                notes = "".join(f"; {k}: {v}" for k, v in first.info.items()
                                if isinstance(v, str) and k not in ("status", "stage"))
                why = f"stopped after stage 1: {self.score_key} {first.score:.4g} is below {self.cascade:g}{notes}"
                first.checks.append(Check("cascade", False, why))
                first = Fitness(self.failed_score, first.checks, error=why, info={**first.info, "status": "stopped"})
            return first
        return self.run(block, "evaluate")

    def held_out_table(self, programs: dict, executor=None):
        """One row per program (name -> block): every metric of the held-out evaluator."""
        import pandas as pd
        if not self.held_out_name:
            raise ProblemError("this problem has no held-out evaluator: pass held_out='name of the function'")
        names, blocks = list(programs), list(programs.values())
        fits = list((executor.map if executor else map)(lambda b: self.run(b, self.held_out_name), blocks))
        rows = [{"program": n, **{k: v for k, v in f.info.items() if k not in ("status", "stage")},
                 **({"error": f.error} if f.error else {})} for n, f in zip(names, fits, strict=True)]
        return pd.DataFrame(rows)

    def export_openevolve(self, folder, **settings):
        """Write an OpenEvolve example folder (initial_program.py, evaluator.py, config.yaml): see ``export``."""
        from .export import export_openevolve
        return export_openevolve(self, folder, **settings)

    # -- prompts ------------------------------------------------------------------------------------
    def _show(self, c, label="Current code") -> str:
        metrics = ", ".join(f"{ch.name} {ch.why}" for ch in c.fitness.checks
                            if ch.passed is None and ch.name != self.score_key) if c.fitness else ""
        head = f"{label} ({self.score_key} {c.score:.4g}" + (f"; {metrics})" if metrics else ")")
        error = f"\nIt failed: {c.fitness.error}" if c.fitness and c.fitness.error else ""
        return f"{head}:\n```python\n{c.genome.strip()}\n```{error}"

    def _memory(self, ctx) -> str:
        lines = []
        if ctx is not None and ctx.top:
            lines.append(f"The best versions so far ({self.score_key}, higher is better):")
            lines += [f"- {c.score:.4g}: {short(c.genome)}" for c in ctx.top]
        if ctx is not None and ctx.failures:
            lines.append("Recent failures (do not repeat them):")
            lines += [f"- {short(c.genome)}: {c.fitness.error[:150]}" for c in ctx.failures]
        return "\n".join(lines) + "\n\n" if lines else ""

    def _context(self) -> str:
        head, tail = _code_only(self.head.replace(START, "")), _code_only(self.tail.replace(END, ""))
        program = "\n".join(part for part in (head, "# ... your code goes here ...", tail) if part)
        fixed = (f"The code you may change is part of a larger program; the rest stays fixed:\n```python\n{program}\n```\n"
                 if head or tail else "")
        return f"{self.description}\nThe goal: a higher {self.score_key}.\n{fixed}\n"

    def _instruction(self, c, ctx) -> str:
        if ctx is None or ctx.mode != "explore":
            return "Keep the approach of the current code and change one or two of its numbers or conditions."
        if not self.ideas:
            return "Try a different approach from the versions above."
        idea = self.ideas[(ctx.generation // 2 * 3 + ctx.slot) % len(self.ideas)]
        return f"Try this direction: {idea}."

    def _reply(self) -> str:
        names = [n.name for n in ast.parse(self.block).body if isinstance(n, ast.FunctionDef)] if _parses(self.block) else []
        what = f"the complete new {', '.join(f'{n}()' for n in names)}" if names else "the complete new code"
        return f" Reply with {what} only, in one ```python block."

    def mutation_prompt(self, c, ctx=None) -> str:
        return f"{self._context()}{self._memory(ctx)}{self._show(c)}\n\n{self._instruction(c, ctx)}{self._reply()}"

    def crossover_prompt(self, a, b, ctx=None) -> str:
        return (f"{self._context()}{self._memory(ctx)}{self._show(a, 'Version A')}\n\n{self._show(b, 'Version B')}\n\n"
                f"Combine what makes each version good into one with a higher {self.score_key}.{self._reply()}")

    def operators(self, llm, crossover_share=0.25):
        kw = {"max_tokens": self.max_tokens}
        return [(llm_mutation(llm, self.mutation_prompt, self.parse, **kw), 1 - crossover_share),
                (llm_crossover(llm, self.crossover_prompt, self.parse, **kw), crossover_share)]

    # -- repair before discard: notebook 01's loop ------------------------------------------------------
    def repair_tests(self, block: str) -> str:
        """The evaluation that failed, as a test: the program made from ``block`` must be scored."""
        return (self.evaluator + HARNESS + "\n\ndef test_the_evaluation_runs():\n"
                f"    metrics = _evaluate_program({self.program(block)!r}, 'evaluate')\n"
                f"    assert isinstance(metrics['{self.score_key}'], (int, float))\n")

    def repairer(self, llm):
        """``repair(candidate) -> block`` for the engine: one attempt of notebook 01's loop, with the failed
        evaluation as the test and its error in the prompt."""
        from ..repair import repair

        def fix(candidate):
            if candidate.fitness.info.get("status") != "error" and "timed out" not in candidate.fitness.error:
                return ""   # a wrong score or a cascade stop is not a crash: nothing to repair

            def ask(code, report, level):   # the prompt, kept for the explorer (the engine reads fix.prompt)
                fix.prompt = self.repair_prompt(code, candidate.fitness.error)
                return fix.prompt
            fix.prompt = ""
            run = repair(candidate.genome, self.repair_tests, llm=llm, max_attempts=1, timeout=self.timeout * 2,
                         prompt=ask)
            return self.parse(run.code) if run.repaired and run.attempts else ""
        fix.llm, fix.prompt = llm, ""   # the engine counts the repair's calls in this LLM's ledger
        return fix

    def repair_prompt(self, code: str, error: str) -> str:
        return (f"{self._context()}This code failed when it was evaluated.\n\n```python\n{code.strip()}\n```\n\n"
                f"What happened: {error}\n\nFix it so that it runs, keeping its idea.{self._reply()}")


def _is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _code_only(code: str) -> str:
    """The code without its module docstring: what a prompt needs to show of the fixed parts."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return code.strip()
    if body and _is_docstring(body[0]):
        code = "\n".join(code.splitlines()[body[0].end_lineno:])
    return re.sub(r"[ \t]*# noqa.*", "", code).strip()   # a linter's note is not for the model


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def _clean(lines) -> str:
    """The error's last line, without temporary paths, so the next prompt is the same on every run."""
    return re.sub(r"/tmp/[\w./-]+", "<tmp>", " ".join(lines)).strip()[:300]


def evolve(problem: Problem, llm, *, generations: int = 6, children: int = 3, population: int = 4, elite: int = 1,
           crossover_share: float = 0.25, seed: int = 0, executor=None, max_calls=None, progress=True) -> Evolution:
    """Check the problem (no LLM call before it passes), then run notebook 02's ``Evolution`` on it: novelty by
    AST, one repair before discard, memory in the prompts, explore and exploit, the cascade. Returns the run,
    which ``run(n)`` continues; ``.best`` is the winner, its ``.genome`` the evolved block."""
    from concurrent.futures import ThreadPoolExecutor
    if problem.seed_fitness is None:
        problem.check()
    evo = Evolution(problem.fitness, problem.operators(llm, crossover_share), population_size=population,
                    children=children, elite=elite, executor=executor or ThreadPoolExecutor(max_workers=2), seed=seed,
                    key=ast_key, repair=problem.repairer(llm))
    evo.run(generations=generations, seeds=[problem.block], progress=progress, max_calls=max_calls)
    return evo
