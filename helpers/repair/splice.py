"""A reply the size of the fix: the model sends only the functions it changes, and each replaces the program's
top-level function (or class) of the same name. Everything else in the program stays byte for byte.

Why: asked for a whole 50-line program, a small model copies it back, bug included; asked for one function,
it has to decide which one, and the rest cannot be damaged on the way.

What is spliced, by name, at the top level only: ``def``, ``async def`` and ``class`` (a method is changed by
sending its whole class). A reply's imports the program lacks are added after the program's imports; a reply's
new functions go just before the first function it replaces; its other statements (constants, example calls)
are dropped, since the prompt asks for functions. A reply that names no function of the program is refused with
a one-line reason, as is one whose code does not parse.
"""

import ast

from ..llm.errors import HelpfulError
from ..llm.parsing import extract_code

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class SpliceRefused(HelpfulError, ValueError):
    """A reply that cannot be spliced into the program; the message says why, on one line."""


def _parse(code: str, whose: str) -> ast.Module:
    try:
        return ast.parse(code)
    except SyntaxError as exc:
        raise SpliceRefused(f"{whose} code does not parse (line {exc.lineno}: {exc.msg}): send complete "
                            "functions") from None


def _span(node) -> tuple[int, int]:
    """0-based first line (its decorators included) and the line after its end."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return first - 1, node.end_lineno


def _lines_of(text: str, node) -> str:
    start, end = _span(node)
    return "".join(text.splitlines(keepends=True)[start:end]).rstrip("\n") + "\n"


def _names(tree: ast.Module) -> dict:
    """Top-level definitions by name; a name defined twice is the last one, as Python runs it."""
    return {node.name: node for node in tree.body if isinstance(node, DEFINITIONS)}


def _import_point(program: ast.Module) -> tuple[int, str, str]:
    """Where new imports go (0-based line index) and what to put before and after them."""
    imports = [n for n in program.body if isinstance(n, ast.Import | ast.ImportFrom)]
    if imports:
        return imports[-1].end_lineno, "", ""
    first = program.body[0] if program.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.end_lineno, "\n", ""        # after the module's docstring
    return 0, "", "\n\n"


def splice(program: str, reply_code: str) -> str:
    """``program`` with the reply's top-level functions in place of its own of the same names.

    Raises ``SpliceRefused`` when the reply does not parse or defines no function of the program."""
    tree, reply = _parse(program, "the program's"), _parse(reply_code, "the reply's")
    ours, theirs = _names(tree), _names(reply)
    replaced = {name: node for name, node in theirs.items() if name in ours}
    if not replaced:
        sent = ", ".join(theirs) or "no function at all"
        raise SpliceRefused(f"the reply defines no function of the program (it defines {sent}; the program's "
                            f"are {', '.join(ours)}): send whole functions of the program, by their names")
    lines = program.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    inserts: dict[int, list[str]] = {}
    new = [_lines_of(reply_code, node) for name, node in theirs.items() if name not in ours]
    if new:
        first = min(_span(ours[name])[0] for name in replaced)
        inserts.setdefault(first, []).append("\n\n".join(new) + "\n\n")
    have = {ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)}
    added = [ast.unparse(n) for n in reply.body if isinstance(n, ast.Import | ast.ImportFrom)
             and ast.unparse(n) not in have and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")]
    if added:
        at, before, after = _import_point(tree)
        inserts.setdefault(at, []).insert(0, before + "\n".join(dict.fromkeys(added)) + "\n" + after)
    spans = {_span(ours[name])[0]: (_span(ours[name])[1], _lines_of(reply_code, node))
             for name, node in replaced.items()}
    out, i = [], 0
    while i <= len(lines):
        out += inserts.get(i, [])
        if i in spans:
            end, text = spans[i]
            out.append(text)
            i = end
        elif i < len(lines):
            out.append(lines[i])
            i += 1
        else:
            break
    return "".join(out)


def splice_reply(program: str, reply: str) -> tuple[str, str]:
    """(the spliced program, "") for a usable reply; ("", why) for one that is refused."""
    code = extract_code(reply)
    if not code.strip():
        return "", "the reply has no code: send the functions you change in one ```python block"
    try:
        return splice(program, code), ""
    except SpliceRefused as exc:
        return "", str(exc)
