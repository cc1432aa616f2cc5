"""The words of a problem's prompts: what the model is told about the goal, the memory of the best versions and
recent failures, the current code and its metrics, the instruction, the crossover and the repair.

``Prompts`` holds notebook 05's wording. The plain sentences are attributes, so a folder's ``workshop.toml`` can
reword them (a ``[prompts]`` table); a problem that words a whole piece differently (notebook 02's newsgroups
task shows each program's feedback and counts a slice) overrides that method in a subclass. What the pieces are
made of (which candidates are the best, which failures are recent, which idea comes next) is decided once, in
``Problem`` and the engine; this file only words it.
"""

import ast
import re

from ...llm import extract_code
from ...sandbox import outcome
from .blocks import END, START, split_blocks

WORDS = ("goal", "best_header", "best_line", "failures_header", "failure_line", "current", "version_a", "version_b",
         "failed", "exploit", "explore", "explore_bare", "crossover", "fixed", "repair_ask")


class Prompts:
    """Notebook 05's wording; each attribute below is one sentence a folder may reword."""

    goal = "The goal: a higher {score}."   # "": no such line
    fixed = "The code you may change is part of a larger program; the rest stays fixed:"
    best_header = "The best versions so far ({score}, higher is better):"
    best_line = "- {score:.4g}: {summary}"
    failures_header = "Recent failures (do not repeat them):"
    failure_line = "- {summary}: {error:.150}"   # also {last_line}: the error's last line
    current, version_a, version_b = "Current code", "Version A", "Version B"
    failed = "It failed: {error}"
    exploit = "Keep the approach of the current code and change one or two of its numbers or conditions."
    explore = "Try this direction: {idea}."
    explore_bare = "Try a different approach from the versions above."
    crossover = "Combine what makes each version good into one with a higher {score}."
    repair_ask = "Fix it so that it runs, keeping its idea."

    def __init__(self, **words):
        for name, text in words.items():
            if name not in WORDS:
                raise ValueError(f"no sentence {name!r} to reword: choose among {', '.join(WORDS)}")
            setattr(self, name, text)

    # -- the pieces ------------------------------------------------------------------------------------
    def context(self, problem) -> str:
        """The goal, and the fixed code around the block (when there is any)."""
        head = _code_only(problem.head.replace(START, ""))
        tail = _code_only(problem.tail.replace(END, ""))
        program = "\n".join(part for part in (head, "# ... your code goes here ...", tail) if part)
        fixed = f"{self.fixed}\n```python\n{program}\n```\n" if head or tail else ""
        goal = f"{self.goal.format(score=problem.score_name)}\n" if self.goal else ""
        return f"{problem.description}\n{goal}{fixed}\n"

    def summary(self, code: str) -> str:
        """One line for a program in the memory: what its last ``return`` returns."""
        return short(code)

    def memory(self, problem, ctx) -> str:
        """The best candidates so far and the recent failures, one line each."""
        lines = []
        if ctx is not None and ctx.top:
            lines.append(self.best_header.format(score=problem.score_name))
            lines += [self.best_line.format(score=c.score, summary=self.summary(c.genome)) for c in ctx.top]
        if ctx is not None and ctx.failures:
            lines.append(self.failures_header)
            lines += [self.failure_line.format(summary=self.summary(c.genome), error=c.fitness.error,
                                               last_line=c.fitness.error.strip().splitlines()[-1])
                      for c in ctx.failures]
        return "\n".join(lines) + "\n\n" if lines else ""

    def show(self, problem, c, label) -> str:
        """A candidate: its score and metrics, its code, what failed, and what its evaluator said (artifacts)."""
        fit = c.fitness
        said = fit.artifacts if fit else {}
        metrics = ", ".join(f"{ch.name} {ch.why}" for ch in fit.checks if ch.passed is None
                            and ch.name != problem.score_name and ch.name not in said) if fit else ""
        head = f"{label} ({problem.score_name} {c.score:.4g}" + (f"; {metrics})" if metrics else ")")
        error = "\n" + self.failed.format(error=fit.error) if fit and fit.error else ""
        notes = "".join(f"\n- {name}: {_clip(text)}" for name, text in said.items())
        notes = f"\nWhat the evaluator said about it:{notes}" if notes else ""
        return f"{head}:\n```python\n{c.genome.strip()}\n```{error}{notes}"

    def instruction(self, problem, c, ctx) -> str:
        if ctx is None or ctx.mode != "explore":
            return self.exploit
        idea = problem.next_idea(c, ctx)
        return self.explore.format(idea=idea) if idea else self.explore_bare

    def reply(self, problem) -> str:
        block = problem.block
        names = [n.name for n in ast.parse(block).body if isinstance(n, ast.FunctionDef)] if _parses(block) else []
        what = f"the complete new {', '.join(f'{n}()' for n in names)}" if names else "the complete new code"
        return f" Reply with {what} only, in one ```python block."

    # -- the prompts ------------------------------------------------------------------------------------
    def mutation(self, problem, c, ctx=None) -> str:
        return (f"{self.context(problem)}{self.memory(problem, ctx)}{self.show(problem, c, self.current)}\n\n"
                f"{self.instruction(problem, c, ctx)}{self.reply(problem)}")

    def combine(self, problem, a, b, ctx=None) -> str:
        return (f"{self.context(problem)}{self.memory(problem, ctx)}{self.show(problem, a, self.version_a)}\n\n"
                f"{self.show(problem, b, self.version_b)}\n\n"
                f"{self.crossover.format(score=problem.score_name)}{self.reply(problem)}")

    def repair(self, problem, code: str, error: str) -> str:
        return (f"{self.context(problem)}This code failed when it was evaluated.\n\n```python\n{code.strip()}\n```"
                f"\n\nWhat happened: {error}\n\n{self.repair_ask}{self.reply(problem)}")

    # -- what a failed or stopped evaluation says ----------------------------------------------------------
    def crash(self, problem, run) -> tuple[str, str]:
        """(what happened, the error the next prompts show) for a sandboxed run that did not return."""
        what = ("raised an error" if run.status == "error"   # not the table's "failed": 05's recordings say this
                else outcome(run.status, timeout=problem.timeout, memory_mb=problem.memory_mb))
        tail = _clean((run.traceback or run.stderr or "").strip().splitlines()[-1:] or [""])
        return what, f"the evaluation {what}" + (f": {tail}" if tail and run.status == "error" else "")

    def stopped(self, problem, stage, metric, value, threshold, info) -> str:
        notes = "".join(f"; {k}: {v}" for k, v in info.items() if isinstance(v, str) and k not in ("status", "stage"))
        return f"stopped after {stage}: {metric} {value:.4g} is below {threshold:g}{notes}"

    def missing(self, function: str) -> str:
        return f"the reply had no {function}() function"

    # -- reading a reply ----------------------------------------------------------------------------------
    def parse(self, problem, reply: str) -> str:
        """A child block from a reply: its code, and if the model sent the whole program back, only the part
        between the markers; example calls and prints at the top level are dropped. A problem that names its
        ``function`` keeps that function and the imports above it, nothing else."""
        if problem.function:
            return only_function(reply, problem.function)
        code = extract_code(reply)
        if START in code and END in code:
            code = split_blocks(code)[1]
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return code
        keep = [n for n in tree.body if not isinstance(n, ast.Expr | ast.If) or _is_docstring(n)]
        return "\n\n".join(ast.get_source_segment(code, n) for n in keep) + "\n" if keep else code


def only_function(reply: str, name: str) -> str:
    """``name()`` (and the imports above it) from a reply; drops example calls and other top-level code."""
    code = extract_code(reply, name=name)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    keep = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
            or (isinstance(n, ast.FunctionDef) and n.name == name)]
    if not any(isinstance(n, ast.FunctionDef) for n in keep):
        return code
    return "\n".join(ast.get_source_segment(code, n) for n in keep) + "\n"


def short(code: str, width: int = 110) -> str:
    """One line for a program in a prompt's memory: what its last ``return`` returns."""
    try:
        returns = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Return) and n.value is not None]
    except SyntaxError:
        return "(does not parse)"
    text = " ".join(ast.unparse(returns[-1]).split()) if returns else " ".join(code.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _clip(text: str, width: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 3] + "..."


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
