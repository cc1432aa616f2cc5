"""The toolmaker agent: choose a tool (``choose``), and when it is missing, write it, judge each reply by the
agent's own acceptance tests in the sandbox, rectify from what failed, and add it through the library.

Every sandbox run of the agent (judging a reply, checking an existing tool against a request) goes through
``ToolLibrary.guarded_run``, the same guard as the library's own checks: without the kernel boundary a reply that
writes or deletes the library's files when imported or tested is put back and refused before the library reads
them. A library that cannot write (a full disk) raises ``LibraryWriteError``; the outcome then says so, and
says whether the tool was saved, exactly as the library did.
"""

import ast
from dataclasses import dataclass, field

from ..llm import LLMError, extract_code
from ..program_text import program_key
from ..sandbox import run_tests
from .acceptance import Request, acceptance_tests, disagreement, one_assert_per_test, top_level_checks
from .choose import Choice, choose_tool, stated_signature
from .library import ToolLibrary, ToolNotFoundError
from .source import split_reply
from .store import LibraryWriteError

TOOL_PROMPT = """Write a Python tool for this request: {request}

- Define exactly `def {signature}:` with a one-line docstring that says what it returns (the docstring is
  the tool's line in the agent's menu). It returns a plain value (number, string, list or dict) and does
  not print.
- Put the imports it needs at the top.{hint}
- Then write 2 or 3 small tests, `def test_...():`, each with one plain `assert`.
- No other top-level code: no example calls, no prints.
Reply with one ```python block."""

ACCEPTANCE_FAILED = """The agent's own acceptance tests for this request fail, so `{name}` is not right yet:
{failures}
Fix the function (keep its signature). Reply with the complete code, the function and its tests, in one
```python block."""

DISAGREEMENT = """The agent's acceptance tests pass: `{name}` does what the request needs. But your own tests
disagree with it:
{questions}
If the function is right, fix those tests; if a test is right, fix the function. Reply with the complete
code, the function and its tests, in one ```python block."""

SAME_AGAIN = """That is the same code as your last reply, which was refused. Write a different version that
deals with this:
{feedback}"""

STATIC = """{problem} Reply with the complete code, the function `{name}` with a one-line docstring and
its tests, in one ```python block."""

FIX_PROMPT = """The library refused your tool:
{message}

If the function is right and a test expects a wrong value, fix the test; otherwise fix the function.
Reply with the complete code (the function `{name}` and its tests) in one ```python block, and no other
top-level code."""


def tool_prompt(request, missing: ToolNotFoundError) -> str:
    hint = getattr(request, "hint", "")
    return TOOL_PROMPT.format(request=request, signature=stated_signature(missing), hint=f" {hint}" if hint else "")


def fix_prompt(change) -> str:
    message = change.message.removesuffix(" -- the library is unchanged")
    return FIX_PROMPT.format(message=message[:1500], name=change.name)


def static_problem(tool: str, name: str) -> str:
    """What a tool needs before it is worth a sandbox run: the function, and a docstring for the menu."""
    fn = next((n for n in ast.parse(tool).body if isinstance(n, ast.FunctionDef) and n.name == name), None)
    if fn is None:
        return f"The code does not define `def {name}(...)`."
    if not (ast.get_docstring(fn) or "").strip():
        return f"`{name}` has no docstring: add one line saying what it returns (it becomes its menu entry)."
    return ""


@dataclass
class Verdict:
    """What the agent concluded about one reply: ``tool`` and ``tests`` are set when it goes to the library."""
    summary: str
    feedback: str = ""
    tool: str | None = None
    tests: str = ""
    fallback: "Verdict | None" = None   # a disagreement's way out: the function, without the disagreeing tests


def judge(code: str, name: str, accept: str, lib: ToolLibrary, *, drop_disagreeing: bool) -> tuple[Verdict, int]:
    """One reply, judged: static checks, then one sandbox run of the agent's acceptance tests with the
    model's tests beside them (one assertion each), guarded by ``lib``. Returns the verdict and the number of
    sandbox runs."""
    try:
        tool, theirs, _ = split_reply(code)
        tool, script = top_level_checks(tool)
        theirs += script
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        return Verdict("refused: the code does not parse", STATIC.format(problem=f"The code does not parse ({e}).",
                                                                           name=name)), 0
    problem = static_problem(tool, name)
    if problem:
        return Verdict(f"refused: {problem}", STATIC.format(problem=problem, name=name)), 0
    try:
        advisory = one_assert_per_test(theirs) if theirs.strip() else ""
    except (SyntaxError, ValueError, RecursionError):
        advisory = ""
    report, touched = lib.guarded_run(run_tests, tool, [accept, advisory] if advisory else [accept], timeout=20)
    if touched:   # put back already; the reply is refused whatever its tests say
        problem = f"Running your code changed the tool library's files ({', '.join(touched)}): a tool and its " \
                  "tests must not write or delete files."
        return Verdict(f"refused: running it changed the library's {', '.join(touched)} (put back)",
                       STATIC.format(problem=problem, name=name)), 1
    mine = [r for r in report.results if r.name.startswith("test_accept_")]
    yours = [r for r in report.results if not r.name.startswith("test_accept_")]
    failed = [r for r in mine if not r.passed]
    if failed or not mine:
        failures = "\n".join(f"FAILED {r.message}" for r in failed) or report.feedback()
        return Verdict(f"refused: {len(failed)} of the agent's {len(mine)} acceptance tests fail",
                       ACCEPTANCE_FAILED.format(name=name, failures=failures[:1500])), 1
    wrong = [r for r in yours if not r.passed]
    passed = {r.name for r in yours if r.passed}
    kept = "\n\n\n".join(ast.unparse(n) for n in ast.parse(advisory).body if getattr(n, "name", "") in passed)
    note = f", {len(wrong)} disagreeing test(s) of the model dropped" if wrong else ""
    accepted = Verdict(f"acceptance tests pass ({len(mine)}), {len(passed)} of the model's tests kept{note}",
                       tool=tool, tests=accept + ("\n\n" + kept + "\n" if kept else ""))
    if wrong and not drop_disagreeing:
        questions = "\n".join(f"- {disagreement(r.message)}" for r in wrong)
        return Verdict(f"acceptance tests pass; {len(wrong)} of the model's {len(yours)} tests disagree",
                       DISAGREEMENT.format(name=name, questions=questions[:1500]), fallback=accepted), 1
    return accepted, 1


@dataclass
class Outcome:
    request: str
    tool: str | None = None
    args: dict = field(default_factory=dict)
    result: object = None
    built: bool = False            # a new tool was written for this request
    calls: int = 0                 # LLM calls this request took (choosing included)
    runs: int = 0                  # sandbox runs: judging replies, and the library's own verification
    error: str = ""

    @property
    def verdict(self) -> str:
        if self.error:
            return "failed"
        return "built and answered" if self.built else "answered with an existing tool"

    def __repr__(self) -> str:
        stats = f"[{self.calls} LLM calls, {self.runs} sandbox runs: {self.verdict}]"
        if self.error:
            return f"{self.request!r}: {self.error} {stats}"
        args = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"{self.tool}({args}) -> {self.result!r} {stats}"


class Toolmaker:
    """Choose a tool; if it is missing, write it, judge it by the agent's own acceptance tests in the
    sandbox (the model's tests only advise), rectify from what failed (CREATOR), add it atomically,
    reload, and answer the request."""

    def __init__(self, llm, lib: ToolLibrary, *, max_calls: int = 4, verbose: bool = True):
        self.llm, self.lib, self.max_calls, self.verbose = llm, lib, max_calls, verbose
        self.builds: list[dict] = []   # one row per tool the agent tried to write
        self.outcomes: list[Outcome] = []
        self.runs = 0                  # sandbox runs so far, so each request can report its own share

    def say(self, *parts):
        if self.verbose:
            print(*parts)

    def fails_the_request(self, request: Request, choice: Choice) -> str:
        """Run the request's acceptance tests on an existing tool's answer: what failed, or ""."""
        report, touched = self.lib.guarded_run(run_tests, self.lib.source,
                                               acceptance_tests(request, choice.tool, choice.args), timeout=20)
        self.runs += 1
        if touched:
            return f"running it changed the library's {', '.join(touched)} (put back)"
        return "" if report.all_passed else "; ".join(r.message for r in report.results if not r.passed)[:300]

    def chat(self, messages, temperature):
        return self.llm.chat(messages, temperature=temperature, max_tokens=600)

    @property
    def calls(self) -> int:
        return len(self.llm.usage.calls)   # the ledger counts every call: provider, cache and replay

    def build(self, request, missing: ToolNotFoundError):
        """Write the missing tool. The agent's acceptance tests decide; the model's own tests only advise."""
        accept = acceptance_tests(request, missing.name, missing.arguments)   # derived from the request
        messages = [{"role": "user", "content": tool_prompt(request, missing)}]
        tried, temperature, feedback, change, asked = {}, 0.2, "", None, False
        for reply_no in range(1, self.max_calls + 1):
            reply = self.chat(messages, temperature)
            code = extract_code(reply, missing.name)
            seen = program_key(code, docstrings=True)   # a reply that only adds the menu's docstring is new
            verdict = tried.get(seen)
            if verdict is not None and verdict.fallback is None:   # refused before: never run the same code twice
                self.say(f"  reply {reply_no}: the same code again; asking for another at a higher temperature")
                temperature = min(1.0, temperature + 0.4)
                messages += [{"role": "assistant", "content": reply},
                             {"role": "user", "content": SAME_AGAIN.format(feedback=feedback)}]
                continue
            if verdict is not None:          # the same function after "which is wrong?": the model stands by it
                verdict = verdict.fallback
            else:                            # after one question, the model's tests stay advisory: drop, not ask
                verdict, runs = judge(code, missing.name, accept, self.lib,
                                      drop_disagreeing=asked or reply_no == self.max_calls)
                self.runs += runs
                tried[seen] = verdict
            asked = asked or verdict.fallback is not None
            self.say(f"  reply {reply_no}: {verdict.summary}")
            feedback = verdict.feedback
            if verdict.tool is not None:    # accepted by the agent: the library verifies every tool, then swaps
                before = self.lib.sandbox_runs
                change = self.lib.add(verdict.tool, verdict.tests, name=missing.name)
                self.runs += self.lib.sandbox_runs - before   # the library's own runs (test, then integrity)
                self.say(f"  library: {change!r}" if change.ok else f"  library REFUSED: {change.reason}")
                if change.ok:
                    break
                feedback = fix_prompt(change)
            messages += [{"role": "assistant", "content": reply}, {"role": "user", "content": feedback}]
        self.builds.append({"tool": missing.name, "ok": bool(change and change.ok), "attempts": reply_no})
        return change

    def ask(self, request) -> Outcome:
        """Answer a request (a string or a ``Request``), building the tool it needs. Never raises for a bad
        reply: the outcome says what went wrong. (Provider errors, an ``LLMError``, still stop the cell.)"""
        out, calls, runs = Outcome(str(request)), self.calls, self.runs
        request = request if isinstance(request, Request) else Request(str(request))
        try:
            choice = choose_tool(self.llm, request, self.lib)
            wrong = self.fails_the_request(request, choice)
            if wrong:   # Voyager's test: judge an existing tool by the task's outcome, not by its name
                self.say(f"`{choice.tool}` does not answer this: {wrong}")
                choice = choose_tool(self.llm, request, self.lib, not_this=choice, why=wrong, retries=2)
                wrong = self.fails_the_request(request, choice)
                if wrong:
                    raise ValueError(f"`{choice.tool}` does not answer it either: {wrong}")
            out.tool, out.args = choice.tool, choice.args
        except ToolNotFoundError as missing:
            out.tool, out.args, out.built = missing.name, missing.arguments, True
            self.say(f"missing tool: {stated_signature(missing)} -- writing it")
            try:
                change = self.build(request, missing)
            except LLMError:
                raise
            except LibraryWriteError as e:   # its message says whether anything was saved: nothing, here
                change, out.error = None, str(e)
            except Exception as e:  # a reply that breaks a parser: an answer, not a crash
                change, out.error = None, f"could not use a reply ({type(e).__name__}: {str(e)[:200]})"
            if not out.error and not (change and change.ok):
                out.error = f"could not build `{missing.name}`: " + (change.reason if change else "every reply refused")
        except ValueError as e:
            out.error = f"no usable choice from the model: {e}"
        if not out.error:
            try:
                out.result = self.lib.call(out.tool, **out.args)   # looked up on the reloaded module: never stale
            except LibraryWriteError as e:   # the library cannot finish saving: not the tool's fault
                out.error = str(e)
            except Exception as e:  # the tool passed its tests but these arguments break it
                out.error = f"{out.tool} raised {type(e).__name__}: {e}"
        out.calls, out.runs = self.calls - calls, self.runs - runs
        self.outcomes.append(out)
        self.say(repr(out))
        return out
