"""Choosing a tool: the model answers {"tool", "args"} as JSON; the agent validates it against the library,
and states the signature of a tool that should exist but does not (``ToolNotFoundError``)."""

import ast
import builtins
import inspect
import json
import keyword
import re
from dataclasses import dataclass

from .library import ToolLibrary, ToolNotFoundError

CHOOSE_PROMPT = """You are an agent with a library of Python tools:
{menu}

First say what the request needs, then pick the tool from the library that does exactly that, with its
arguments. If no tool in the library does that, name the tool that should exist, after what it does
(verb_noun, such as count_vowels or reverse_words): the agent will write it. Answer with JSON only.

Request: What is 2 plus 3?
{{"need": "adding two numbers", "tool": "add", "args": {{"a": 2, "b": 3}}}}

Request: Translate 'good morning' into French.
{{"need": "translating text", "tool": "translate_text", "args": {{"text": "good morning", "language": "French"}}}}

Request: {request}
"""


@dataclass
class Choice:
    tool: str
    args: dict
    reply: str = ""


def parse_choice(reply: str, lib: ToolLibrary) -> Choice:
    """The tool and arguments in ``reply``. Raises ValueError (what is wrong) or ToolNotFoundError."""
    data = parse_object(reply)
    tool, args = data.get("tool") if isinstance(data, dict) else None, data.get("args", {}) if isinstance(data, dict) else {}
    if not isinstance(tool, str) or not tool.isidentifier() or keyword.iskeyword(tool):
        raise ValueError(f'"tool" must be a snake_case name, got {tool!r}')
    if not isinstance(args, dict):
        raise ValueError(f'"args" must be an object, got {args!r}')
    if tool not in lib:
        if not says_what_it_does(tool):
            raise ValueError(f"name the new tool after what it does, in two or more words (count_words, "
                             f"reverse_words), not {tool!r}")
        raise ToolNotFoundError(tool, args)
    try:
        inspect.signature(getattr(lib.module, tool)).bind(**args)
    except TypeError as e:
        raise ValueError(f"the arguments do not fit {lib.signature(tool)}: {e}") from None
    return Choice(tool, args, reply)


def parse_object(reply: str) -> dict:
    """The first {...} in the reply, read as JSON or, failing that, as a Python literal (small models write
    `r'...'` strings, single quotes, True and None). Raises ValueError with what is wrong."""
    match = re.search(r"\{.*\}", reply or "", re.S)
    if not match:
        raise ValueError("the reply holds no JSON object")
    try:
        return json.loads(match.group(0))
    except json.JSONDecodeError as e:
        try:
            data = ast.literal_eval(match.group(0))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise ValueError(f"the JSON does not parse: {e}") from None
        if not isinstance(data, dict):
            raise ValueError("the reply holds no JSON object") from None
        return data


def says_what_it_does(name: str) -> bool:
    """A new tool's name has two or more words and is not a builtin or a str/list method (`split`)."""
    return "_" in name.strip("_") and not hasattr(builtins, name) and not hasattr(str, name) and not hasattr(list, name)


def choose_tool(llm, request, lib: ToolLibrary, *, retries: int = 1, not_this: Choice | None = None,
                why: str = "") -> Choice:
    """Ask the model for {"tool", "args"} (JSON mode where the provider has one); a reply that does not
    validate goes back once with the reason, at a higher temperature so the same reply does not come back.
    ``not_this``, with ``why``, is an earlier choice whose answer failed the request's own checks."""
    # after a wrong choice the menu is withheld: a small model tends to pick from a list it sees, again
    menu = lib.menu() if not_this is None else "(none of them answers this request)"
    messages = [{"role": "user", "content": CHOOSE_PROMPT.format(menu=menu, request=request)}]
    if not_this is not None:
        messages += [{"role": "assistant", "content": not_this.reply},
                     {"role": "user", "content": WRONG_TOOL.format(tool=not_this.tool, why=why)}]
    for attempt in range(retries + 1):
        reply = llm.chat(messages, temperature=0.0 if attempt == 0 else 0.7, max_tokens=150, json_mode=True)
        try:
            choice = parse_choice(reply, lib)
            if not_this is not None and choice.tool == not_this.tool:
                raise ValueError(f"`{choice.tool}` was already shown not to answer this request")
            return choice
        except ValueError as e:
            if attempt == retries:
                raise
            messages += [{"role": "assistant", "content": reply},
                         {"role": "user", "content": f"That does not work: {e}. Answer with the JSON only."}]


WRONG_TOOL = """`{tool}` does not answer this request: its answer fails the request's own check
({why}). Name the tool that should exist instead, after what it does, with its arguments. Answer with JSON only."""


JSON_TYPES = {str: "str", bool: "bool", int: "int", float: "float", list: "list", dict: "dict"}


def stated_signature(missing: ToolNotFoundError) -> str:
    """The signature the agent asks for, from the arguments the model wanted to pass: ``sentiment(text: str)``."""
    params = ", ".join(f"{k}: {JSON_TYPES.get(type(v), 'object')}" for k, v in missing.arguments.items()
                       if str(k).isidentifier())
    return f"{missing.name}({params})"
