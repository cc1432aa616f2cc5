"""Reading a tool's source with ``ast`` (never string surgery): split a reply into tool and tests, name the
tests, and say whether a top-level statement would do work on import. Used by the library (``library.py``)."""

import ast


def node_lines(code: str, node) -> tuple[int, int]:
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return first, node.end_lineno


def _is_main_guard(node) -> bool:
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__")


def runs_at_import(node) -> str | None:
    """Why this top-level statement would do work on import (None when it only imports/defines/sets constants)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return None
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return None  # a docstring
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        try:
            ast.literal_eval(node.value)
            return None
        except ValueError:
            return "assigns a computed value"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        parts = node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d]
        if any(isinstance(n, ast.Call) for p in parts for n in ast.walk(p)):
            return "calls something in a decorator or default argument"
        return None
    if isinstance(node, ast.ClassDef):
        return next((why for why in map(runs_at_import, node.body) if why), None)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return "calls a function"
    if isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
        return "is a loop"
    return "is a statement"


def split_reply(code: str) -> tuple[str, str, list[str]]:
    """(tool code, test code, notes): ``def test_*`` functions move to the tests; ``__main__`` blocks and
    top-level calls of the tests (``test_x()``) go, since the sandbox runs the tests itself.

    Lines are taken out by the positions ``ast`` gives, so comments and layout of what stays are untouched.
    Raises SyntaxError when the code does not parse.
    """
    tree = ast.parse(code)
    lines = code.splitlines()
    tests, drop, notes = [], set(), []
    for node in tree.body:
        first, last = node_lines(code, node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            tests.append("\n".join(lines[first - 1:last]))
            drop.update(range(first, last + 1))
        elif _is_main_guard(node):
            drop.update(range(first, last + 1))
            notes.append("dropped the `if __name__ == ...` block")
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
              and node.value.func.id.startswith("test_") and not node.value.args):
            drop.update(range(first, last + 1))  # `test_x()` at top level: the sandbox runs the tests itself
            notes.append(f"dropped the top-level call {node.value.func.id}()")
    kept = "\n".join(line for i, line in enumerate(lines, 1) if i not in drop).strip("\n")
    return kept + "\n", "\n\n\n".join(tests) + ("\n" if tests else ""), notes


def top_level_names(code: str) -> set[str]:
    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def name_tests(tests: str, tool: str) -> str:
    """Give each test a unique name that starts with ``test_<tool>`` (two tools may both have ``test_basic``)."""
    tree = ast.parse(tests)
    lines, seen = tests.splitlines(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            new = node.name if node.name.startswith(f"test_{tool}") else f"test_{tool}_{node.name[5:]}"
            base, n = new, 2
            while new in seen:
                new, n = f"{base}_{n}", n + 1
            seen.add(new)
            if new != node.name:
                i = node.lineno - 1
                lines[i] = lines[i].replace(f"def {node.name}(", f"def {new}(", 1)
    return "\n".join(lines) + "\n"


def count_tests(tests: str) -> int:
    try:
        return sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test_")
                   for n in ast.parse(tests).body)
    except SyntaxError:
        return 0


def bindings(code: str) -> dict[str, str]:
    """Each top-level name and what binds it: "def", "class", "value", or "import <module>.<name>"; a star
    import binds "*" (it could replace any name)."""
    found = {}
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = "def"
        elif isinstance(node, ast.ClassDef):
            found[node.name] = "class"
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found.update((n.id, "value") for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import):
            found.update(((a.asname or a.name.split(".")[0]), f"import {a.name if a.asname else a.name.split('.')[0]}")
                         for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            where = "." * node.level + (node.module or "")
            found.update((a.asname or a.name, f"import {where}.{a.name}") for a in node.names)
    return found


def rebinds(new: str, old: str, keep: set[str] = frozenset()) -> str | None:
    """The first name that ``new`` would take from ``old`` (a tool, a helper, or an import of something else);
    ``keep`` names may be redefined (the tool an update replaces). Re-importing the same thing is fine."""
    before = bindings(old)
    for name, how in bindings(new).items():
        if name == "*":
            return "*"
        if name in before and name not in keep and not (how == before[name] and how.startswith("import ")):
            return name
    return None


# The sandbox's result channel lives in the test's own process: code that reaches for it can forge a pass.
_RUNNER_NAMES = {"child", "forkserver", "helpers", "_emit", "run_job", "_RESULT"}


def reaches_for_the_runner(code: str) -> str | None:
    """What in ``code`` touches the sandbox's own machinery (its runner module, its result file, the
    interpreter's module table or a hard exit that skips the runner's report), else None."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in _RUNNER_NAMES for a in node.names):
            return f"imports {node.names[0].name}"
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _RUNNER_NAMES:
            return f"imports from {node.module}"
        if isinstance(node, ast.Name) and node.id in {"_emit", "run_job", "_RESULT"}:
            return f"uses `{node.id}`"
        if isinstance(node, ast.Attribute) and node.attr in {"modules", "_exit", "_emit", "run_job", "_RESULT"}:
            return f"uses `.{node.attr}`"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "result.jsonl" in node.value:
            return "names the sandbox's result file"
    return None


def asserts_nothing(tests: str) -> str | None:
    """The first test that cannot fail on a wrong answer: no assert, or only asserts of a constant."""
    for node in ast.parse(tests).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            checks = [n for n in ast.walk(node) if isinstance(n, ast.Assert) and not isinstance(n.test, ast.Constant)]
            raises = [n for n in ast.walk(node) if isinstance(n, ast.With) and "raises" in ast.unparse(n)]
            if not checks and not raises:
                return node.name
    return None


def dunder_names(code: str) -> list[str]:
    """Top-level ``__names__`` other than ``__all__``: ``__getattr__`` would answer for tools that do not exist."""
    return sorted(n for n in bindings(code) if n.startswith("__") and n.endswith("__") and n != "__all__")
