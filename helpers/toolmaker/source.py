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
