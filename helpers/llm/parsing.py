"""Turning an LLM's reply into something a program can use: the code in it, or the items of a list.

Real replies wrap code in prose, use several fences or none, and number, bullet or quote list items;
these functions take what belongs to the answer and nothing else.
"""

import ast
import re

FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.S | re.M)
OPEN_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*\n(.*)\Z", re.S | re.M)
CODE_TAGS = {"", "python", "py", "python3", "py3"}


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # too deep or too big for ast: not code we take
        return False


def _code_or_error(text: str):
    """(looks like code, the line a syntax error stops at or None). Code parses and has a statement that prose
    never has, so "Hello world" is not code."""
    if not text.strip():
        return False, None
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        return False, e.lineno
    except (ValueError, RecursionError, MemoryError):
        return False, None
    return any(not isinstance(node, ast.Expr) or isinstance(node.value, ast.Call) for node in tree.body), None


def extract_code(reply: str, name: str | None = None) -> str:
    """The Python code in ``reply``, or "" when there is none.

    Fenced blocks win (python-tagged or untagged ones; other languages are skipped). With several blocks,
    the one defining ``name`` is taken if given, else the blocks that parse are joined in order, unless
    one block already contains all the others' definitions. Without fences, the longest run of lines
    that parses as Python is taken, so prose before and after is dropped.
    """
    reply = reply or ""
    blocks = [(tag.lower(), body) for _, tag, body in FENCE.findall(reply)]
    if not blocks:  # an unterminated fence (the reply was cut off): take what follows it
        m = OPEN_FENCE.search(reply)
        blocks = [(m.group(2).lower(), m.group(3))] if m else []
    blocks = [b.strip("\n") for tag, b in blocks if tag in CODE_TAGS and b.strip()]
    if blocks:
        if name:
            defining = [b for b in blocks if re.search(rf"^\s*(async\s+)?(def|class)\s+{re.escape(name)}\b", b, re.M)]
            if defining:
                return defining[-1].strip("\n") + "\n"
        good = [b for b in blocks if _parses(b)] or blocks
        return "\n\n".join(good).strip("\n") + "\n"
    return _longest_code_run(reply)


def _longest_code_run(reply: str) -> str:
    """The longest run of lines, starting at a top-level line, that looks like code.

    Linear in practice, not quadratic: a syntax error at line k of a chunk is also an error in every longer
    chunk from the same start (the parser stops at the first token no program could continue with), so the
    next end to try is just before line k, never one line shorter; and a start whose whole remainder is no
    longer than the best run so far cannot beat it.
    """
    lines = reply.splitlines()
    best = ""
    remaining = len(reply)
    for start in range(len(lines)):
        if remaining <= len(best):
            break
        remaining -= len(lines[start]) + 1
        if not lines[start].strip() or lines[start][0] in " \t":
            continue  # a run starts at a top-level line
        end = len(lines)
        while end > start:
            chunk = "\n".join(lines[start:end]).strip("\n")
            if len(chunk) <= len(best):
                break
            code, error_line = _code_or_error(chunk)   # the chunk's first line is lines[start], never blank
            if code:
                best = chunk
                break
            end = start + error_line - 1 if error_line and start + error_line - 1 < end else end - 1
    return best + "\n" if best else ""


# "1." "1)" "(1)" "#1" "1 -" or a keycap "1️⃣" then space; or a bullet "-", "*", "•", "+" then space
MARKER = re.compile(r"^\s*(?:\(?\d{1,3}[.):]|#\d{1,3}[.):]?|\d{1,3}\s+-|\d\ufe0f?\u20e3[.):]?|[-*•+])\s+")
# a keycap digit glued to the item ("1️⃣Ab3!..."): numbering only when the lines count 1, 2, 3...
KEYCAP = re.compile(r"^\s*(\d)\ufe0f?\u20e3")
PAIRS = [("**", "**"), ("`", "`"), ('"', '"'), ("'", "'"), ("“", "”"), ("‘", "’"), ("*", "*"), ("__", "__")]


def _unwrap(item: str) -> str:
    changed = True
    while changed:
        changed = False
        for left, right in PAIRS:
            if len(item) > len(left) + len(right) and item.startswith(left) and item.endswith(right):
                inner = item[len(left):-len(right)]
                if left not in inner or left in ("**",):  # "a"b"c" is one item, not a quoted one
                    item, changed = inner.strip(), True
                    break
    return item


def parse_items(reply: str, limit: int | None = None) -> list[str]:
    """The items of a list reply, in order, with numbering, bullets and wrapping quotes removed.

    A marker is removed only when followed by whitespace, so an item that itself starts with "*" or
    "1)" keeps it. Lines that introduce the list ("Here are 5 passwords:") and fence lines are skipped.
    """
    lines = (reply or "").splitlines()
    caps = [m.group(1) for m in map(KEYCAP.match, lines) if m]
    counted = len(caps) >= 2 and caps == [str(i) for i in range(1, len(caps) + 1)]
    items = []
    for raw in lines:
        if counted:
            raw = KEYCAP.sub("", raw, count=1)
        line = raw.strip()
        if not line or line.startswith(("```", "~~~")):
            continue
        marked = MARKER.match(raw)
        if marked:
            line = raw[marked.end():].strip()
        elif line.endswith(":") and " " in line:
            continue  # an introduction, not an item
        line = _unwrap(line)
        if line:
            items.append(line)
    return items[:limit] if limit else items
