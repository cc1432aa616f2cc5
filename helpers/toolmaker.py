"""Notebook 03, the toolmaker: an agent that picks tools from a library, and writes the ones it lacks.

    lib = ToolLibrary()                      # workspace/tools.py, made from the template on first run
    agent = Toolmaker(llm, lib)
    agent.ask("What is the sentiment of 'I love it'?")   # no such tool: write it, verify it, reload, answer

The library (atomic adds, versions, the registry) is ``helpers.toolbox``; this module is the agent:
choosing a tool as validated JSON, stating the missing tool's signature, the write -> verify -> rectify
loop, a widget, and the exercises' checks.
"""

import ast
import inspect
import json
import keyword
import re
from dataclasses import dataclass, field

from .checks import report
from .llm import extract_code
from .plotting import plot_tool_builds  # noqa: F401  (exported with this module)
from .toolbox import ToolLibrary, ToolNotFoundError, split_reply  # noqa: F401  (split_reply: exported)

# -- 1. choosing a tool: JSON, validated against the registry ---------------------------------------------------
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


# -- 2. the missing tool: the agent states its signature, the model writes it with its tests -----------------------
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


# -- 3. the agent, all steps packed -----------------------------------------------------------------------------------
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
        """Write the missing tool; every reply goes through ``lib.add`` (sandbox, then atomic swap)."""
        messages = [{"role": "user", "content": tool_prompt(request, missing)}]
        for attempt in range(1, self.max_fixes + 2):
            reply = self.llm.chat(messages, temperature=0.2, max_tokens=500)
            change = self.lib.add(extract_code(reply, missing.name), name=missing.name)
            self.say(f"  attempt {attempt}: " + (repr(change) if change.ok else f"REFUSED {change.reason}"))
            if change.ok:
                break
            messages += [{"role": "assistant", "content": reply}, {"role": "user", "content": fix_prompt(change)}]
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


# -- 4. nothing lost: replies the library must refuse, each leaving it byte-for-byte as it was --------------------
BROKEN_TOOLS = {
    "syntax error": "def shout(text: str) -> str:\n    \"\"\"Upper-case the text.\"\"\"\n    return text.upper(\n",
    "import raises": "import textblob_pro\n\n\ndef shout(text: str) -> str:\n    \"\"\"Upper-case the text.\"\"\"\n"
                     "    return text.upper()\n",
    "import hangs": "while True:\n    pass\n\n\ndef shout(text: str) -> str:\n    \"\"\"Upper-case the text.\"\"\"\n"
                    "    return text.upper()\n",
    "fails its tests": "def shout(text: str) -> str:\n    \"\"\"Upper-case the text.\"\"\"\n    return text.lower()\n",
    "name clash": "def add(a: float, b: float) -> float:\n    \"\"\"Add two numbers, badly.\"\"\"\n    return a - b\n",
    "breaks another tool": "from operator import sub as multiply\n\n\ndef shout(text: str) -> str:\n"
                           "    \"\"\"Upper-case the text.\"\"\"\n    return text.upper()\n",
    "touches files": "open('tools.py', 'w').write('')\n\n\ndef shout(text: str) -> str:\n"
                     "    \"\"\"Upper-case the text.\"\"\"\n    return text.upper()\n",
    "no code at all": "Sure! Upper-casing text is easy: just call the upper method on it.",
}
SHOUT_TESTS = "def test_shout():\n    assert shout('hi') == 'HI'\n"


# -- 5. the exercises' checks: they say what is right and what is missing, and never raise -----------------------
def check_own_tool(lib, name=None) -> bool:
    """Exercise 1: the agent built a tool of your own, and you looked at it."""
    if name is None:
        return report([(False, "ask the agent for a capability it lacks (mine = agent.ask(...)), then "
                         "check_own_tool(lib, mine.tool)")])
    made = [n for n in lib.names() if lib.registry[n].get("origin") == "toolmaker"]
    items = [(name in lib, f"`{name}` is in the library" if name in lib else f"no tool named `{name}` yet: "
              f"the library has {lib.names()}")]
    if name in lib:
        items += [(name in made, "the toolmaker wrote it (not the template)"),
                  (bool(lib.doc(name)), "it has a docstring" if lib.doc(name) else
                   "it has no docstring: the agent chooses tools by their docstrings (fix it with lib.update)"),
                  (len(re.findall(r"^\s*def test_", lib.tests(name), re.M)) >= 1,
                   f"it came with tests: {lib.registry[name].get('tests_passed')}")]
    return report(items)


def check_reuse(agent, outcome=None) -> bool:
    """Exercise 2: a request answered by an existing tool with new arguments, without writing a new one."""
    if outcome is None:
        return report([(False, "pass the Outcome of your request: out = agent.ask(...); check_reuse(agent, out)")])
    earlier = [o for o in agent.outcomes if o is not outcome and o.tool == outcome.tool and not o.error]
    items = [(not outcome.error, f"the request was answered: {outcome!r}" if not outcome.error else outcome.error),
             (not outcome.built, "no new tool was written" if not outcome.built else
              f"a new tool `{outcome.tool}` was written: ask for something an existing tool already does")]
    if not outcome.built:
        items.append((any(o.args != outcome.args for o in earlier) or outcome.tool in agent.lib.names(),
                      f"it reused `{outcome.tool}`" + (" with different arguments than before" if earlier else "")))
    return report(items)


def check_broken(lib, change=None, before: bytes | None = None) -> bool:
    """Exercise 3: your broken version was refused and the library is byte-for-byte what it was."""
    if change is None:
        return report([(False, "pass the result of lib.update(name, broken_code) (and the bytes before)")])
    if change.ok and change.message.startswith("unchanged"):
        return report([(False, f"you have not changed `{change.name}` yet: edit the copy of its code, then update")])
    items = [(not change.ok, "the library refused it: " + change.reason if not change.ok else
              "the library ACCEPTED it: your version still passes the tool's tests, so break it harder")]
    if before is not None:
        items.append((lib.path.read_bytes() == before, "tools.py is byte-for-byte unchanged"))
    try:
        ast.parse(lib.source)
        items.append((callable(getattr(lib.reload(), change.name, None)), f"the library still imports and has `{change.name}`"))
    except SyntaxError:
        items.append((False, "tools.py no longer parses"))
    return report(items)
