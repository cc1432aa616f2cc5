"""Notebook 03's exercise checks: a tool of your own, reuse without rebuilding, a broken update refused."""

import ast
import re

from ..checks import report


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
