"""Who decides that a new tool is right: the agent's acceptance tests, derived from the request, not the
values the model invents. The model's own tests are advisory, split so that each holds one assertion.

LATM keeps a tool only after it passes examples whose answers are known; Voyager judges by the task's
outcome. Neither trusts expected values that the tool's author made up, and neither do we.
"""

import ast
import copy
import re
from dataclasses import dataclass, field


@dataclass
class Request:
    """A request in plain words, with what the agent knows about the right answer.

    ``accept`` holds one-line conditions. ``{call}`` is the tool called on the user's own example (the
    arguments the model chose for this request); ``{tool}`` is the tool itself, for other inputs.
        Request("How many words are in 'to be or not'?", accept=["{call} == 4"])
    ``hint`` is domain advice for the prompt that writes the tool (a library to use), only where it fits.
    """

    text: str
    accept: list[str] = field(default_factory=list)
    hint: str = ""

    def __str__(self) -> str:
        return self.text


def acceptance_tests(request: Request, name: str, args: dict) -> str:
    """The agent's tests, one assertion each: the tool returns a plain value on the user's example, then
    every condition of the request."""
    call = f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"
    conditions = [f"isinstance({call}, (bool, int, float, str, list, dict, tuple, type(None)))"]
    conditions += [c.format(call=call, tool=name) for c in request.accept]
    return "\n\n\n".join(f"def test_accept_{i}():\n    assert {c}\n" for i, c in enumerate(conditions, 1))


def one_assert_per_test(tests: str) -> str:
    """Each ``assert`` of each test becomes a test of its own, with the statements that lead up to it, so
    one run reports every wrong expectation, not just the first. The names say where each came from."""
    out = []
    for node in ast.parse(tests).body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        asserts = [i for i, stmt in enumerate(node.body) if isinstance(stmt, ast.Assert)]
        if len(asserts) <= 1:
            node.name = f"test_yours_{node.name.removeprefix('test_')}"
            out.append(ast.unparse(node))
            continue
        for k, i in enumerate(asserts, 1):   # the setup before this assert, minus the other asserts
            body = [s for j, s in enumerate(node.body[:i + 1]) if j == i or not isinstance(s, ast.Assert)]
            part = copy.copy(node)
            part.name, part.body, part.decorator_list = f"test_yours_{node.name.removeprefix('test_')}_{k}", body, []
            out.append(ast.unparse(part))
    return "\n\n\n".join(out) + ("\n" if out else "")


def top_level_checks(tool: str) -> tuple[str, str]:
    """(tool, tests): top-level ``assert`` statements, with the assignments that feed them, become one
    advisory test. Small models often write their checks as script lines, which would otherwise run (and
    fail) on every import of the tool file."""
    tree = ast.parse(tool)
    script = [n for n in tree.body if isinstance(n, ast.Assert)
              or (isinstance(n, (ast.Assign, ast.AnnAssign)) and any(isinstance(x, ast.Call) for x in ast.walk(n)))]
    if not any(isinstance(n, ast.Assert) for n in script):
        return tool, ""
    tree.body = [n for n in tree.body if n not in script]
    test = ast.FunctionDef(name="test_script", args=ast.arguments([], [], None, [], [], None, []), body=script,
                           decorator_list=[], returns=None, lineno=1)
    return ast.unparse(tree) + "\n", ast.unparse(ast.fix_missing_locations(ast.Module([test], []))) + "\n"


SHOWN = re.compile(r"^assert (?P<test>.+?)  -> left: (?P<left>.+), right: (?P<right>.+)$", re.S)


def disagreement(message: str) -> str:
    """A failed advisory test as a question: which is wrong, the function or the expectation?"""
    m = SHOWN.match(message.strip())
    if not m:
        return f"your test fails: {message.strip()}. Is the function or the test wrong?"
    return (f"`assert {m['test']}`: your function returns {m['left']}; your test expects {m['right']}. "
            "Which is wrong?")
