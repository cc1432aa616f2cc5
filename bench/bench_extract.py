"""extract_code on a long unfenced reply: before (the quadratic search of d57fc4e) vs now, in one run.

    python bench/bench_extract.py

The reply: 400 lines, each short function explained by a line of prose before it (no fences), the shape that
took seconds (every top-level line was a start, every end was parsed). Two more shapes are compared for equal
output: prose around one block, and a reply cut off inside a parenthesis.
Also checks that both versions extract the same code from it, and from every reply in recordings/.
Prints the ratio; never fails.
"""

import ast
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from helpers.llm import parsing  # noqa: E402


def quadratic_longest_code_run(reply: str) -> str:
    """The search as it was at d57fc4e: every start, every end, one parse each."""
    def looks_like_code(text):
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return False
        return bool(text.strip()) and any(not isinstance(n, ast.Expr) or isinstance(n.value, ast.Call)
                                          for n in tree.body)

    lines, best = reply.splitlines(), ""
    for start in range(len(lines)):
        if not lines[start].strip() or lines[start][0] in " \t":
            continue
        for end in range(len(lines), start, -1):
            chunk = "\n".join(lines[start:end]).strip("\n")
            if len(chunk) <= len(best):
                break
            if looks_like_code(chunk):
                best = chunk
                break
    return best + "\n" if best else ""


def function(i):
    return f"def step_{i}(x):\n    \"\"\"Step {i}.\"\"\"\n    y = x * {i}\n    return y + 1\n"


REPLY = "".join(f"Step {i}: we compute the value, then return it.\n{function(i)}" for i in range(80))
OTHERS = ["Here is the module you asked for, it's below:\n" + "".join(function(i) for i in range(100))
          + "That's all: each step multiplies, then adds one.\n",
          "".join(function(i) for i in range(100)) + "def last(x):\n    return (x +\n"]


def timed(fn, text, repeats=3):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn(text)
        times.append(time.perf_counter() - t)
    return min(times), out


def main():
    before, old = timed(quadratic_longest_code_run, REPLY, 1)
    after, new = timed(parsing._longest_code_run, REPLY)
    print(f"{len(REPLY.splitlines())}-line unfenced reply: before {before:.3f} s, now {after:.4f} s, "
          f"{before / after:.0f}x faster; same code extracted: {old == new}")
    replies = []
    for path in sorted((ROOT / "recordings").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            replies += [v for v in re.findall(r'"(?:text|reply|content)": ("(?:[^"\\]|\\.)*")', line)]
    texts = [json.loads(r) for r in replies] + OTHERS
    same = sum(quadratic_longest_code_run(t) == parsing._longest_code_run(t) for t in texts)
    print(f"recorded replies and two more shapes: {same} of {len(texts)} give the same code before and now")


if __name__ == "__main__":
    main()
