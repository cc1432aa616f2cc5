"""What notebook 02 prints with ``show_source`` is the lesson: the loop's steps, each short, with no explorer,
progress-bar or budget bookkeeping in them (that lives in record.py and budget.py, which the steps call)."""

import ast
import inspect
import re
import textwrap
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

import helpers.evolution as evolution

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 40
# What the explorer records and what draws or counts a progress bar: none of it belongs in a printed step.
BOOKKEEPING = re.compile(r"tqdm|\bbar\b|\.update\(|self\.record|\brecord\.|explore|given_up|tokens|_file_ask|"
                         r"\bnotes?\b|\bprint\(|\bidle\b|_stop\b|_budget\b")


def printed(notebook: str) -> list[str]:
    """The dotted names a notebook passes to ``show_source``, in order."""
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    names = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(TransformerManager().transform_cell(cell.source))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "show_source":
                names.append(ast.unparse(node.args[0]))
    return names


def source_of(dotted: str) -> str:
    obj = evolution
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return textwrap.dedent(inspect.getsource(obj))


def code_lines(source: str) -> list[str]:
    """The lines of a function's code, its docstring left out (prose may name the progress bar; code may not)."""
    fn = ast.parse(source).body[0]
    first = fn.body[0]
    skip = first.end_lineno if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) else fn.lineno
    return source.splitlines()[skip:]


def test_02_prints_the_five_steps_of_the_loop():
    assert printed("02_evolution.ipynb") == ["Evolution.pick_parents", "Evolution.breed", "Evolution.evaluate",
                                            "Evolution.survivors", "Evolution.run"]


def test_every_method_02_prints_is_short_and_holds_no_bookkeeping():
    for name in printed("02_evolution.ipynb"):
        source = source_of(name)
        lines = source.rstrip().splitlines()
        assert len(lines) <= MAX_LINES, f"{name} is {len(lines)} lines long: at most {MAX_LINES} read as one idea"
        found = [line.strip() for line in code_lines(source) if BOOKKEEPING.search(line)]
        assert not found, f"{name} prints bookkeeping a learner must read past: {found}"


def test_the_check_finds_bookkeeping_where_there_is_some():
    # The rule is not vacuous: the explorer's and the budget's own code trips it.
    assert BOOKKEEPING.search(inspect.getsource(evolution.engine.Evolution._admit))
    assert BOOKKEEPING.search(inspect.getsource(evolution.budget.Budget.numbers))
