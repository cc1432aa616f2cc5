"""When two versions of a program are the same program: one key for every lesson that must not run, score or
store the same code twice (01's repair loop, 02's and 05's novelty rule, 03's toolmaker)."""

import ast

# What ast.parse and ast.dump raise on code they cannot read: bad syntax, a NUL byte (3.11), nesting too deep.
UNREADABLE = (SyntaxError, ValueError, MemoryError, RecursionError)


def program_key(code: str, *, docstrings: bool = False) -> str:
    """A key that is equal for two versions of a program when they parse to the same syntax tree.

    Formatting, blank lines and comments never count. Docstrings count only with ``docstrings=True`` (the
    toolmaker needs that: a tool's docstring is its line in the agent's menu, so a reply that only adds the
    missing one is a new program); otherwise a string that opens a block is dropped, as documentation.
    Code that does not parse is keyed by its text without comments and blank lines.

    What it does not protect: different keys do not mean different behaviour (``x + x`` and ``2 * x``);
    equal keys ignore what reads line numbers, ``__doc__`` when docstrings are dropped, and, in code that
    does not parse, a ``#`` inside a string (taken for a comment). ``ast.dump`` changes between Python
    versions: compare keys made by one interpreter, do not store them."""
    try:
        tree = ast.parse(code)
        if not docstrings:
            for node in ast.walk(tree):
                body = getattr(node, "body", None)
                if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                        and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
                    node.body = body[1:] or [ast.Pass()]
        return ast.dump(tree)
    except UNREADABLE:
        lines = (line.split("#", 1)[0].rstrip() for line in code.splitlines())
        return "\n".join(line for line in lines if line.strip())
