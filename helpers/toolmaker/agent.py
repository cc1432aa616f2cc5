"""The toolmaker agent: choose a tool as validated JSON, state a missing tool's signature, and write it
through the library (write -> verify in the sandbox -> rectify from the refusal, a bounded number of times)."""

import inspect
import json
import keyword
import re
from dataclasses import dataclass, field

from ..llm import extract_code
from .library import ToolLibrary, ToolNotFoundError

CHOOSE_PROMPT = """You are an agent with a library of Python tools:
{menu}

First say what the request needs, then pick the tool from the library that does exactly that, with its
arguments. If no tool in the library does that, name the tool that should exist: the agent will write it.
Answer with JSON only.

Request: What is 2 plus 3?
{{"need": "adding two numbers", "tool": "add", "args": {{"a": 2, "b": 3}}}}

Request: Translate 'good morning' into French.
{{"need": "translating text", "tool": "translate", "args": {{"text": "good morning", "language": "French"}}}}

Request: {request}
"""


@dataclass
class Choice:
    tool: str
    args: dict
    reply: str = ""


def parse_choice(reply: str, lib: ToolLibrary) -> Choice:
    """The tool and arguments in ``reply``. Raises ValueError (what is wrong) or ToolNotFoundError."""
    match = re.search(r"\{.*\}", reply or "", re.S)
    if not match:
        raise ValueError("the reply holds no JSON object")
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as e:
        raise ValueError(f"the JSON does not parse: {e}") from None
    tool, args = data.get("tool") if isinstance(data, dict) else None, data.get("args", {}) if isinstance(data, dict) else {}
    if not isinstance(tool, str) or not tool.isidentifier() or keyword.iskeyword(tool):
        raise ValueError(f'"tool" must be a snake_case name, got {tool!r}')
    if not isinstance(args, dict):
        raise ValueError(f'"args" must be an object, got {args!r}')
    if tool not in lib:
        raise ToolNotFoundError(tool, args)
    try:
        inspect.signature(getattr(lib.module, tool)).bind(**args)
    except TypeError as e:
        raise ValueError(f"the arguments do not fit {lib.signature(tool)}: {e}") from None
    return Choice(tool, args, reply)


def choose_tool(llm, request: str, lib: ToolLibrary, *, retries: int = 1) -> Choice:
    """Ask the model for {"tool", "args"}; a reply that does not validate goes back once with the reason."""
    messages = [{"role": "user", "content": CHOOSE_PROMPT.format(menu=lib.menu(), request=request)}]
    for attempt in range(retries + 1):
        reply = llm.chat(messages, temperature=0.0, max_tokens=150)
        try:
            return parse_choice(reply, lib)
        except ValueError as e:
            if attempt == retries:
                raise
            messages += [{"role": "assistant", "content": reply},
                         {"role": "user", "content": f"That does not work: {e}. Answer with the JSON only."}]


JSON_TYPES = {str: "str", bool: "bool", int: "int", float: "float", list: "list", dict: "dict"}


def stated_signature(missing: ToolNotFoundError) -> str:
    """The signature the agent asks for, from the arguments the model wanted to pass: ``sentiment(text: str)``."""
    params = ", ".join(f"{k}: {JSON_TYPES.get(type(v), 'object')}" for k, v in missing.arguments.items()
                       if str(k).isidentifier())
    return f"{missing.name}({params})"


TOOL_PROMPT = """Write a Python tool for this request: {request}

- Define exactly `def {signature}:` with a one-line docstring. It returns a plain value
  (number, string, list or dict) and does not print.
- Put the imports it needs at the top. Use the standard library; for sentiment use TextBlob:
  `from textblob import TextBlob`, then `TextBlob(text).sentiment.polarity` (-1 to 1) or `.subjectivity`
  (0 to 1). These need no download; `.words`, `.sentences`, `.tags` and `.noun_phrases` need corpora.
- Then write 2 or 3 small tests, `def test_...():` with plain `assert`, on inputs whose answer is
  certain (for sentiment: compare with 0, not exact values).
- No other top-level code: no example calls, no prints.
Reply with one ```python block."""


FIX_PROMPT = """The library refused your tool:
{message}

If the function is right and a test expects a wrong value, fix the test; otherwise fix the function.
Reply with the complete code (the function `{name}` and its tests) in one ```python block, and no other
top-level code."""


def tool_prompt(request: str, missing: ToolNotFoundError) -> str:
    return TOOL_PROMPT.format(request=request, signature=stated_signature(missing))


def fix_prompt(change) -> str:
    message = change.message.removesuffix(" -- the library is unchanged")
    return FIX_PROMPT.format(message=message[:1500], name=change.name)


@dataclass
class Outcome:
    request: str
    tool: str | None = None
    args: dict = field(default_factory=dict)
    result: object = None
    built: bool = False            # a new tool was written for this request
    attempts: int = 0              # LLM replies the build took (1 = right first time)
    error: str = ""

    def __repr__(self) -> str:
        if self.error:
            return f"{self.request!r}: {self.error}"
        how = f" (new tool, {self.attempts} attempt{'s' * (self.attempts != 1)})" if self.built else ""
        args = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"{self.tool}({args}) -> {self.result!r}{how}"


class Toolmaker:
    """Choose a tool; if it is missing, write it, verify it in the sandbox, fix it from the traceback up
    to ``max_fixes`` times (CREATOR's rectify step), add it atomically, reload, and answer the request."""

    def __init__(self, llm, lib: ToolLibrary, *, max_fixes: int = 2, verbose: bool = True):
        self.llm, self.lib, self.max_fixes, self.verbose = llm, lib, max_fixes, verbose
        self.builds: list[dict] = []   # one row per tool the agent tried to write
        self.outcomes: list[Outcome] = []

    def say(self, *parts):
        if self.verbose:
            print(*parts)

    def build(self, request: str, missing: ToolNotFoundError):
        """Write the missing tool, verify it in the sandbox, feed each refusal back, at most ``max_fixes`` times."""
        messages = [{"role": "user", "content": tool_prompt(request, missing)}]
        for attempt in range(1, self.max_fixes + 2):
            reply = self.llm.chat(messages, temperature=0.2, max_tokens=500)
            change = self.lib.add(extract_code(reply, missing.name), name=missing.name)  # sandbox, then atomic swap
            self.say(f"  attempt {attempt}: " + (repr(change) if change.ok else f"REFUSED {change.reason}"))
            if change.ok:
                break
            messages += [{"role": "assistant", "content": reply},
                         {"role": "user", "content": fix_prompt(change)}]  # CREATOR's rectify: the error goes back
        self.builds.append({"tool": missing.name, "ok": change.ok, "attempts": attempt})
        return change, attempt

    def ask(self, request: str) -> Outcome:
        out = Outcome(request)
        try:
            choice = choose_tool(self.llm, request, self.lib)
            out.tool, out.args = choice.tool, choice.args
        except ToolNotFoundError as missing:
            out.tool, out.args = missing.name, missing.arguments
            self.say(f"missing tool: {stated_signature(missing)} -- writing it")
            change, out.attempts = self.build(request, missing)
            out.built = True
            if not change.ok:
                out.error = f"could not build `{missing.name}` in {out.attempts} attempts: {change.reason}"
        except ValueError as e:
            out.error = f"no usable choice from the model: {e}"
        if not out.error:
            try:
                out.result = self.lib.call(out.tool, **out.args)   # looked up on the reloaded module: never stale
            except Exception as e:  # the tool passed its tests but these arguments break it
                out.error = f"{out.tool} raised {type(e).__name__}: {e}"
        self.outcomes.append(out)
        self.say(repr(out))
        return out
