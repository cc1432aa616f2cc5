"""A problem of your own on notebook 02's engine. You bring a seed program and an evaluator; ``Problem`` turns
them into what ``Evolution`` needs (a fitness, LLM operators, a repair), so the loop, novelty by AST, repair
before discard, memory, explore/exploit and the cascade are 02's, and notebook 02's newsgroups task is a
``Problem`` too (its folder is ``problems/newsgroups``).

    problem = Problem(seed_source, evaluator_source, description="pack items into as few bins as possible")
    evo = evolve(problem, llm, generations=6, children=3)
    problem.held_out_table({"seed": problem.block, "winner": evo.best.genome})

The interface is OpenEvolve's, so a problem moves between the two as a folder (``load_problem``, ``export``):
  - the seed is a Python program; ``# EVOLVE-BLOCK-START`` / ``# EVOLVE-BLOCK-END`` mark the part that
    evolves (without them, the whole program does). A genome is that block; the rest stays fixed;
  - the evaluator is Python source defining ``evaluate(program_path)``, which returns a dict of metrics or an
    ``EvaluationResult(metrics, artifacts)``. The score is ``combined_score`` (or the metric you name), else
    OpenEvolve's rule: the average of the numeric metrics (``metrics.py``). Artifacts are text the next prompts
    show. ``evaluate_stage1`` (``_stage2``, ``_stage3``) are the cascade's cheaper first looks;
    ``evaluate_held_out`` (optional, any name) is the verdict selection never sees.

The evaluator runs in the sandbox, never in your kernel: it and the program are written to a fresh folder
there and run with a timeout and a memory cap, with the evaluator's own folder on ``sys.path`` as under
OpenEvolve. So it must import what it uses; a function you pass is sent as its source (``inspect.getsource``),
without the notebook's other variables. With ``inline=`` the evaluator instead follows the program in one
module (FunSearch's specifications are written so), and each stage calls that function with the stage's name
and the problem's ``options``.
"""

import ast
import importlib.util
import inspect
import math
import textwrap
from pathlib import Path

from ...sandbox import call_function, warm_server
from ..candidate import Check, Fitness
from ..engine import Evolution, ast_key
from ..operators import Repair, llm_crossover, llm_mutation
from .blocks import split_blocks
from .error import ProblemError
from .harness import FILE, needs_shim, prelude
from .metrics import SCORE, BadMetrics, merge, number, score, unpack
from .prompts import Prompts

# What the sandbox call needs for itself: an option of the same name could not reach an inline evaluator.
RESERVED = {"timeout", "memory_mb", "files", "allow_network", "warm", "output_limit"}
CRASHES = ("error", "timeout")
# What the sandbox does not give an evaluation, by the sign it leaves in the error, and what to do about it.
SANDBOX_LIMITS = {
    "Read-only file system": "the sandbox lets an evaluation write only in its own folder, the current directory, "
                             "and in the temporary one: write there",
    "ran out of memory": "the sandbox caps the memory of each evaluation: raise memory_mb= (workshop.toml too)",
    "timed out": "the sandbox stops an evaluation at its timeout: raise timeout= (or evaluator.timeout in "
                 "config.yaml)",
    "Too many open files": "the sandbox allows 256 open files per evaluation: close what the evaluator opens",
}


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


class Problem:
    """A seed, an evaluator and a few words on the goal: everything ``evolve`` needs.

    ``score``: the metric to maximise (None: ``combined_score``, else OpenEvolve's average of the numeric
    metrics). ``cascade``: a threshold (or one per stage, as OpenEvolve's ``cascade_thresholds``) below which a
    child does not go on to the next stage; ``stages`` names the stage functions in order (default with a
    cascade: ``evaluate_stage1`` then ``evaluate``), ``cascade_metric`` what the threshold reads (default: the
    score), and ``cascade_stop`` what a child stopped early scores: "fail" (the crash score, a failure the next
    prompts name) or "keep" (its last stage's score, as under OpenEvolve). ``held_out``: the name of the
    evaluator's held-out function (None: none). ``ideas``: directions that explore prompts name, one per child,
    each a string or a (marker, idea) pair skipped once the marker is in the code. ``failed_score``: what a
    program that crashes shows as its score (crashes rank below every scored program whatever it is).
    ``timeout`` and ``memory_mb`` bound each evaluation; ``warm`` are modules preloaded in the warm sandbox;
    ``files`` (name -> path) are linked into every run's folder (data split once, not per run); ``options``
    fill the ``{placeholders}`` of the description and reach an inline evaluator. ``function``: the one
    function a reply must define (its imports kept, nothing else). ``prompts`` words the prompts (``Prompts``),
    ``judge(problem, metrics, artifacts, stage) -> Fitness`` turns metrics into a score (default: OpenEvolve's
    rule). ``folder``: where the evaluator lives (on its ``sys.path`` in the sandbox).
    """

    def __init__(self, seed, evaluator, *, description: str, score: str | None = None, cascade=None,
                 held_out: str | None = None, ideas=(), name: str = "my problem", failed_score: float = 0.0,
                 timeout: float = 30, memory_mb: int = 1024, max_tokens: int = 500, warm=("numpy",),
                 stages=None, cascade_metric: str | None = None, cascade_stop: str = "fail", folder=None,
                 files=None, options=None, inline: str | None = None, function: str | None = None,
                 prompts: Prompts | None = None, judge=None, baselines=None, crossover_share: float = 0.25,
                 held_out_columns=None, feature_dimensions=()):
        self.seed, self.evaluator = _source(seed, "seed"), _source(evaluator, "evaluator")
        if callable(evaluator) and getattr(evaluator, "__name__", "evaluate") != "evaluate":
            self.evaluator += f"\n\nevaluate = {evaluator.__name__}\n"   # your name for it, OpenEvolve's name too
        self.template, self.options = description.strip(), dict(options or {})
        self.score_key, self.cascade, self.held_out_name = score, cascade, held_out
        self.ideas = [tuple(i) if isinstance(i, list | tuple) else (None, i) for i in ideas or ()]
        self.name, self.failed_score, self.crossover_share = name, failed_score, crossover_share
        self.timeout, self.memory_mb, self.max_tokens, self.warm = timeout, memory_mb, max_tokens, warm
        self.inline, self.function, self.folder = inline, function, Path(folder) if folder else None
        self.files = {k: Path(v) for k, v in (files or {}).items()}
        if self.folder is not None:   # linked in, so its path is visible in the sandbox too (even under /tmp)
            self.files.setdefault("problem_folder", self.folder.resolve())
        self.prompts, self.judge = prompts or Prompts(), judge or openevolve_judge
        self.baselines, self.held_out_columns = dict(baselines or {}), held_out_columns
        self.feature_dimensions, self.cascade_metric = tuple(feature_dimensions), cascade_metric
        if cascade_stop not in ("fail", "keep"):
            raise ProblemError(f"cascade_stop is {cascade_stop!r}: use 'fail' (a stopped child scores as a crash) "
                               "or 'keep' (it keeps its stage's score, as under OpenEvolve)")
        self.cascade_stop = cascade_stop
        self.thresholds = [] if cascade is None else [float(t) for t in (
            cascade if isinstance(cascade, list | tuple) else [cascade])]
        self.main = inline and (stages or ["evaluate"])[-1] or "evaluate"
        if not self.thresholds:
            self.stages = [self.main]
        else:
            self.stages = list(stages or ["evaluate_stage1", self.main])
        clash = RESERVED & set(self.options)
        if clash:
            raise ProblemError(f"the option {sorted(clash)[0]!r} has the name of a sandbox setting: rename it")
        self.head, self.block, self.tail = split_blocks(self.seed)
        self.seed_fitness = None   # set by check()
        self.score_name = score or SCORE   # what the prompts call the score; check() names the rule it used

    @property
    def description(self) -> str:
        """The few words on the goal, with the options filled in (a folder may write ``{slice_size:,}``)."""
        if not self.options:
            return self.template
        try:
            return self.template.format(**self.options)
        except (KeyError, IndexError, ValueError) as exc:
            raise ProblemError(f"the description has a placeholder the options do not fill ({exc!r}): add that "
                               "option, or double the braces ({{ }}) of text that is not one") from None

    # -- the program around the block ---------------------------------------------------------------
    def program(self, block: str) -> str:
        """The whole program for a genome (the block): the fixed parts around it, markers kept."""
        return self.head + block.strip("\n") + "\n" + self.tail

    def parse(self, reply: str) -> str:
        """A child block from a model's reply (``Prompts.parse``)."""
        return self.prompts.parse(self, reply)

    def next_idea(self, c, ctx) -> str | None:
        """The direction for an explore prompt: each child of a generation (its slot) gets another, and each
        explore generation starts 3 further down the list; an idea whose marker is in the code is skipped."""
        untried = [idea for marker, idea in self.ideas if not marker or marker not in c.genome]
        return untried[(ctx.generation // 2 * 3 + ctx.slot) % len(untried)] if untried else None

    # -- checking what the learner wrote, before any LLM call ----------------------------------------
    def check(self) -> Fitness:
        """Score the seed as selection will; raise ``ProblemError`` (one line: what is wrong, how to fix it) for a
        seed that does not parse, markers that do not pair up, an evaluator without ``evaluate`` (or a stage it
        is asked for), one that raises on the seed, or returns no score, a non-number or NaN, or a cascade that
        reads a metric its first stage never reports. A seed that scores nothing is a valid start (said once)."""
        for what, code in (("seed", self.seed), ("evaluator", self.evaluator)):
            try:
                ast.parse(code)
            except SyntaxError as exc:
                fix = (" Fix the seed program so that Python can read it (try running it in a cell)"
                       if what == "seed" else "")
                raise ProblemError(f"the {what} does not parse: line {exc.lineno}: {exc.msg}.{fix}") from None
        self._check_defined()
        fit = self.fitness(self.block)
        if fit.info.get("status") == "stopped":
            raise ProblemError(f"the seed itself stops at the cascade ({fit.error}): lower the threshold, or make "
                               "the first stage pass the seed")
        if fit.error:
            why = next((f" ({hint})" for sign, hint in SANDBOX_LIMITS.items() if sign in fit.error), "")
            raise ProblemError(f"the evaluator failed on the seed: {fit.error}{why}")
        rule = score({k: v for k, v in fit.info.items() if k not in ("status", "stage")},
                     self.score_key or SCORE, self.feature_dimensions)[1]
        if rule != (self.score_key or SCORE):
            print(f"score: {rule}, as OpenEvolve scores a program without '{SCORE}'")
            self.score_name = "score"
        if fit.score <= self.failed_score or fit.score == 0:
            print(f"the seed scored nothing ({fit.score:g}): evolution starts from it, and any child that scores "
                  "above it is progress")
        self.seed_fitness = fit
        return fit

    def _check_defined(self):
        body = ast.parse(self.evaluator).body
        defined = {n.name for n in body if isinstance(n, ast.FunctionDef)} | {
            t.id for n in body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        needed = [self.inline] if self.inline else ["evaluate", *self.stages] + [self.held_out_name] * bool(
            self.held_out_name)
        for name in dict.fromkeys(needed):
            if name not in defined:
                raise ProblemError(f"the evaluator defines no {name}(program_path): add it (it gets the path of a "
                                   f"program file and returns a dict of metrics, '{self.score_key or SCORE}' "
                                   "among them)")

    # -- evaluation, in the sandbox -----------------------------------------------------------------
    def label(self, name: str) -> str:
        """How a stage is named in ``info['stage']``: "stage 1" (its place in the cascade), "evaluate" (the full
        evaluation), "held out" (inline: the stage's own name)."""
        if self.inline or name == self.main:
            return name
        return f"stage {self.stages.index(name) + 1}" if name in self.stages else "held out"

    def run(self, block: str, function: str | None = None) -> Fitness:
        """One sandboxed evaluation of the program made from ``block``: the evaluator's ``function`` (inline: the
        stage of that name); by default the full evaluation, without the cascade."""
        name = function or self.main
        measured = self._missing(block, name) or self._measure(block, name)
        return measured if isinstance(measured, Fitness) else self.judge(self, *measured, self.label(name))

    def fitness(self, block: str) -> Fitness:
        """The cascade (AlphaEvolve, OpenEvolve): each stage in turn, the next one only for a child whose
        metrics so far reach that stage's threshold; the metrics of the stages that ran are merged as OpenEvolve
        merges them. A crash at any stage is a failure."""
        missing = self._missing(block, self.stages[0])
        if missing:
            return missing
        measured = []
        for i, name in enumerate(self.stages):
            result = self._measure(block, name)
            if isinstance(result, Fitness):
                return result
            measured.append(result)
            metrics, artifacts = merge(measured)
            fit = self.judge(self, metrics, artifacts, self.label(name))
            if fit.error or i == len(self.stages) - 1 or i >= len(self.thresholds):
                return fit
            metric = self.cascade_metric or self.score_name
            value = self._threshold_value(metrics, fit)
            if value is None:
                return self._bad(f"the cascade's threshold reads '{metric}', which {name} does not report (it "
                                 f"reports: {', '.join(map(str, metrics)) or 'nothing'}): report it there, or "
                                 "set cascade_metric to one it does", self.label(name))
            if value < self.thresholds[i]:
                return self._stop(fit, self.label(name), metric, value, self.thresholds[i])
        raise AssertionError("unreachable: the last stage returns")

    def _threshold_value(self, metrics, fit) -> float | None:
        """What a threshold is compared with: the named metric, else the score (OpenEvolve: combined_score, else
        the average of the numeric metrics but 'error')."""
        if self.cascade_metric:
            return number(metrics.get(self.cascade_metric))
        if self.score_key:
            return fit.score
        return score(metrics, SCORE, ("error",))[0]

    def _stop(self, fit, stage, metric, value, threshold) -> Fitness:
        """A child below a threshold: a named failure ("fail"), or it keeps its score so far ("keep")."""
        why = self.prompts.stopped(self, stage, metric, value, threshold, fit.info)
        fit.checks.append(Check("cascade", False, why))
        if self.cascade_stop == "keep":
            return fit
        return Fitness(self.failed_score, fit.checks, error=why, info={**fit.info, "status": "stopped"},
                       artifacts=fit.artifacts)

    def _missing(self, block, name) -> Fitness | None:
        """A reply without the function the problem asks for is not worth a sandboxed run."""
        if self.function and f"def {self.function}" not in block:
            error = self.prompts.missing(self.function)
            return Fitness(self.failed_score, [Check("runs", False, f"no {self.function}() function in the reply")],
                           error=error, info={"status": "error", "stage": self.label(name)})
        return None

    def _measure(self, block: str, name: str):
        """(metrics, artifacts) of one stage, or the Fitness of a run that crashed or returned no metrics."""
        code, entry, args, kwargs = self._job(block, name)
        run = call_function(code, entry, *args, timeout=self.timeout, memory_mb=self.memory_mb, files=self.files,
                            warm=self._warm(), **kwargs)
        if not run.ok:
            what, error = self.prompts.crash(self, run)
            return Fitness(self.failed_score, [Check("runs", False, what)], error=error.strip(),
                           info={"status": run.status, "stage": self.label(name)})
        try:
            return unpack(run.value)
        except BadMetrics as exc:
            return self._bad(str(exc), self.label(name))

    def _job(self, block, name):
        """(code, function, args, kwargs) of one sandboxed call: the evaluator with the program in a file, or
        (inline) the program with the evaluator after it."""
        program = self.program(block)
        if self.inline:
            return program + "\n\n" + self.evaluator.lstrip("\n"), self.inline, [name], dict(self.options)
        return prelude(self.evaluator, self.folder) + self.evaluator + FILE, "_evaluate_program", [program, name], {}

    def _warm(self):
        if not self.warm:
            return False
        preload = tuple(self.warm)
        if needs_shim(self.evaluator) and importlib.util.find_spec("openevolve") is not None:
            preload += ("openevolve.evaluation_result",)   # OpenEvolve's own, loaded once rather than per run
        return warm_server(preload)

    def _bad(self, error, stage) -> Fitness:
        return Fitness(self.failed_score, [Check("score", False, error)], error=error,
                       info={"status": "bad score", "stage": stage})

    def held_out_table(self, programs: dict, executor=None):
        """One row per program (name -> block): every metric of the held-out evaluation (or the columns the
        problem names, ``held_out_columns``: header -> metric, "score" for the score)."""
        import pandas as pd
        if not self.held_out_name:
            raise ProblemError("this problem has no held-out evaluator: pass held_out='name of the function'")
        names, blocks = list(programs), list(programs.values())
        fits = list((executor.map if executor else map)(lambda b: self.run(b, self.held_out_name), blocks))
        if self.held_out_columns:
            rows = [{"program": n, **{h: round(f.score if m == "score" else f.info.get(m, 0.0), 3)
                                      for h, m in self.held_out_columns.items()}} for n, f in zip(names, fits, strict=True)]
            return pd.DataFrame(rows)
        rows = [{"program": n, **{k: v for k, v in f.info.items() if k not in ("status", "stage")},
                 **({"error": f.error} if f.error else {})} for n, f in zip(names, fits, strict=True)]
        return pd.DataFrame(rows)

    def export_openevolve(self, folder, **settings):
        """Write an OpenEvolve example folder (initial_program.py, evaluator.py, config.yaml): see ``export``."""
        from ..export import export_openevolve
        return export_openevolve(self, folder, **settings)

    # -- prompts and operators ------------------------------------------------------------------------
    def mutation_prompt(self, c, ctx=None) -> str:
        return self.prompts.mutation(self, c, ctx)

    def crossover_prompt(self, a, b, ctx=None) -> str:
        return self.prompts.combine(self, a, b, ctx)

    def repair_prompt(self, code: str, error: str) -> str:
        return self.prompts.repair(self, code, error)

    def operators(self, llm, crossover_share=None):
        share = self.crossover_share if crossover_share is None else crossover_share
        kw = {"max_tokens": self.max_tokens}
        return [(llm_mutation(llm, self.mutation_prompt, self.parse, **kw), 1 - share),
                (llm_crossover(llm, self.crossover_prompt, self.parse, **kw), share)]

    # -- repair before discard: notebook 01's loop ------------------------------------------------------
    def repair_tests(self, block: str, name: str | None = None) -> str:
        """The evaluation that failed, as a test: the program made from ``block`` must return metrics there."""
        name = name or self.main
        if self.inline:
            return ("\n\n" + self.evaluator.lstrip("\n") + "\n\ndef test_the_evaluation_runs():\n"
                    f"    assert isinstance({self.inline}({name!r}, **{self.options!r}), dict)\n")
        return (prelude(self.evaluator, self.folder) + self.evaluator + FILE + "\n\ndef test_the_evaluation_runs():\n"
                f"    metrics = _evaluate_program({self.program(block)!r}, {name!r})\n"
                "    assert isinstance(metrics, dict)\n")

    def repairer(self, llm) -> "EvaluationRepair":
        """The engine's ``Repair``: one attempt of notebook 01's loop, with the stage that failed as the test and its
        error in the prompt."""
        return EvaluationRepair(self, llm)


class EvaluationRepair(Repair):
    """Repair before discard for a ``Problem``: a child whose evaluation crashed, timed out or ran out of memory gets
    one attempt of notebook 01's ``repair`` (a wrong score or a cascade stop is not a crash: nothing to repair)."""

    def __init__(self, problem: Problem, llm):
        self.problem, self.llm = problem, llm   # the engine counts the repair's calls in this LLM's ledger

    def __call__(self, candidate) -> str:
        from ...repair import repair
        problem, fit = self.problem, candidate.fitness
        self.prompt = ""
        if fit.info.get("status") not in CRASHES and "timed out" not in fit.error:
            return ""

        def ask(code, report, level):   # the prompt, kept for the explorer
            self.prompt = problem.repair_prompt(code, fit.error)
            return self.prompt
        stage = {problem.label(n): n for n in problem.stages}.get(fit.info.get("stage"), problem.main)
        run = repair(candidate.genome, lambda code: problem.repair_tests(code, stage), llm=self.llm, max_attempts=1,
                     timeout=problem.timeout * 2, files=problem.files, prompt=ask)
        return problem.parse(run.code) if run.repaired and run.attempts else ""


def openevolve_judge(problem, metrics: dict, artifacts: dict, stage: str) -> Fitness:
    """Metrics as OpenEvolve scores them: the named score, else ``combined_score``, else the average of the
    numeric metrics; every metric a measurement the prompts show, every artifact a line of text."""
    key = problem.score_key
    if key and key not in metrics:
        return problem._bad(f"the evaluator returned no '{key}' (its keys: {', '.join(map(str, metrics)) or 'none'}):"
                            " return it, or name your score with Problem(score=...)", stage)
    name = key or SCORE
    if name in metrics and number(metrics[name]) is None:
        return problem._bad(f"'{name}' is {metrics[name]!r} ({type(metrics[name]).__name__}), not a number: return a "
                            "float", stage)
    value, _ = score(metrics, name, problem.feature_dimensions)
    if value is None:
        return problem._bad(f"the evaluator returned no number to score (its keys: "
                            f"{', '.join(map(str, metrics)) or 'none'}): return {{'{SCORE}': ...}}", stage)
    if not math.isfinite(value):
        return problem._bad(f"'{name}' is {value}, not a finite number: return a float the evaluator could compute "
                            "(check for a division by zero)", stage)
    checks = [Check(k, None, f"{v:.4g}" if number(v) is not None else str(v)[:80]) for k, v in metrics.items()]
    checks += [Check(k, None, " ".join(t.split())[:300]) for k, t in artifacts.items()]
    return Fitness(value, checks, info={**metrics, "status": "ok", "stage": stage}, artifacts=dict(artifacts))


def evolve(problem: Problem, llm, *, generations: int = 6, children: int = 3, population: int = 4, elite: int = 1,
           crossover_share: float | None = None, seed: int = 0, executor=None, max_calls=None,
           progress=True) -> Evolution:
    """Check the problem (no LLM call before it passes), then run notebook 02's ``Evolution`` on it: novelty by
    AST, one repair before discard, memory in the prompts, explore and exploit, the cascade. Returns the run,
    which ``run(n)`` continues; ``.best`` is the winner, its ``.genome`` the evolved block."""
    from concurrent.futures import ThreadPoolExecutor
    if not isinstance(problem, Problem):
        what = "nothing (None)" if problem is None else f"a {type(problem).__name__}"
        raise ProblemError(f"evolve() needs a Problem and got {what}: run the cell that makes it first (for example "
                           "my_problem = Problem(seed, evaluator, description=...) or load_problem(folder))")
    if problem.seed_fitness is None:
        problem.check()
    evo = Evolution(problem.fitness, problem.operators(llm, crossover_share), population_size=population,
                    children=children, elite=elite, executor=executor or ThreadPoolExecutor(max_workers=2), seed=seed,
                    key=ast_key, repair=problem.repairer(llm))
    evo.run(generations=generations, seeds=[problem.block], progress=progress, max_calls=max_calls)
    return evo
