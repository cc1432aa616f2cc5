"""A winner that learners copy should hold only what makes its score: ``strip_junk`` takes out what a model's
reply adds around the idea (prints, comments, a cross-validation whose result nobody reads, unused imports)
and keeps the rest of the program's lines as they were written."""

import ast
import io
import re
import tokenize

# Calls whose result is the only effect: an assignment of it that nobody reads can go. (``fit`` is not here:
# it changes the model it is called on.)
PURE = {"cross_val_score", "cross_validate", "cross_val_predict", "train_test_split", "accuracy_score",
        "f1_score", "classification_report", "confusion_matrix", "mean", "std", "score", "predict", "len",
        "round", "format", "str", "print"}


def strip_junk(code: str) -> str:
    """``code`` without comments, print calls, assignments nobody reads whose value only computes (such as
    ``scores = cross_val_score(...)``) and imports nobody uses. Code that does not parse comes back as is."""
    try:
        ast.parse(code)
    except SyntaxError:
        return code
    while True:
        lines = _drop(code, _junk(ast.parse(code)))
        if lines == code:
            break
        code = lines
    code = _drop_unused_imports(code)
    return _tidy_blank_lines(_without_comments(code))


def call_name(call: ast.Call) -> str:
    """The name a call calls: ``f`` for ``f(x)``, ``fit`` for ``model.fit(x)`` ("" for anything else)."""
    return getattr(call.func, "id", getattr(call.func, "attr", ""))


def _calls(node) -> set:
    return {call_name(n) for n in ast.walk(node) if isinstance(n, ast.Call)}


def _names(target) -> list | None:
    """The plain names an assignment target binds, or None when it writes into something (x.a, x[0])."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        parts = [_names(t) for t in target.elts]
        return None if any(p is None for p in parts) else [n for p in parts for n in p]
    return None


def _junk(tree) -> list:
    """Statements that cannot change what the program returns: a print, or an unread pure assignment."""
    found = []
    for stmt in ast.walk(tree):
        for block in ("body", "orelse", "finalbody"):
            body = getattr(stmt, block, None)
            if not isinstance(body, list):
                continue
            drop = [s for s in body if _is_junk(s, tree)]
            found += drop[: len(body) - 1] if len(drop) == len(body) else drop   # a block keeps one statement
    return found


def _is_junk(stmt, tree) -> bool:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return getattr(stmt.value.func, "id", "") == "print"
    if isinstance(stmt, ast.Assign):
        names = [_names(t) for t in stmt.targets]
        if any(n is None for n in names) or not _calls(stmt.value) <= PURE:
            return False
        return not {n for ns in names for n in ns} & _reads_elsewhere(tree, stmt)
    return False


def _reads_elsewhere(tree, stmt) -> set:
    inside = {id(n) for n in ast.walk(stmt)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            and id(n) not in inside}


def _drop(code: str, stmts) -> str:
    gone = {i for s in stmts for i in range(s.lineno, s.end_lineno + 1)}
    return "".join(line for i, line in enumerate(code.splitlines(keepends=True), 1) if i not in gone)


def _drop_unused_imports(code: str) -> str:
    tree = ast.parse(code)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
    lines = code.splitlines(keepends=True)
    for stmt in sorted((s for s in ast.walk(tree) if isinstance(s, ast.Import | ast.ImportFrom)),
                       key=lambda s: -s.lineno):
        keep = [a for a in stmt.names if (a.asname or a.name).split(".")[0] in used]
        if len(keep) == len(stmt.names):
            continue
        indent = re.match(r"\s*", lines[stmt.lineno - 1]).group()
        new = [] if not keep else [indent + ast.unparse(type(stmt)(**{**stmt.__dict__, "names": keep})) + "\n"]
        lines[stmt.lineno - 1: stmt.end_lineno] = new
    return "".join(lines)


def _without_comments(code: str) -> str:
    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    lines = code.splitlines(keepends=True)
    for tok in reversed(tokens):
        if tok.type == tokenize.COMMENT:
            row, col = tok.start
            line = lines[row - 1]
            rest = line[:col].rstrip()
            lines[row - 1] = "" if not rest else rest + "\n"
    return "".join(lines)


def _tidy_blank_lines(code: str) -> str:
    out = []
    for line in code.splitlines():
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).rstrip() + "\n"
