"""Notebook 02's exercise 3: a learner's own operator, a recipe with no model. ``check_my_operator`` passes the
worked solution, and fails every way of getting it wrong with one line that says what to do, without a traceback
and without an LLM call."""

import re
from pathlib import Path

import nbformat
import pytest

import helpers.evolution as evolution
from helpers.evolution import Operator, check_my_operator
from helpers.evolution.operators import LLMOperator

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def no_model(monkeypatch):
    """Any LLM operator the check might build and call fails the test."""
    def refuse(self, groups, contexts):
        raise AssertionError("check_my_operator called an LLM operator")
    monkeypatch.setattr(LLMOperator, "__call__", refuse)


def refused(op, capsys) -> str:
    """What the check says of ``op``: it fails, in one line, with no traceback."""
    assert check_my_operator(op) is False
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1 and "Traceback" not in out, out
    return out


def test_the_worked_solution_passes_and_is_compared_with_blind_edits(capsys):
    nb = nbformat.read(ROOT / "solutions" / "02_evolution_solutions.ipynb", as_version=4)
    source = next(c.source for c in nb.cells if c.cell_type == "code" and "check_my_operator(" in c.source
                  and "(Operator)" in c.source)
    names = {**vars(evolution), "re": re, "__name__": "solution"}   # re: an earlier solution imports it
    exec(source, names)   # the solution cell as the notebook runs it (it calls the check itself)
    capsys.readouterr()
    operator = next(v for v in names.values() if isinstance(v, type) and v.__module__ == "solution")
    assert issubclass(operator, Operator)
    assert check_my_operator(operator()) is True
    out = capsys.readouterr().out
    assert out.startswith("✓ your operator made") and "random mutation" in out
    mine = next(line for line in out.splitlines() if line.strip().startswith("your operator"))
    assert "best 1.000" in mine, "the recipe knows every rule: it reaches a perfect password"


def test_nothing_written_yet(capsys):
    assert "write class MyOperator(Operator) with make(self, parents, context)" in refused(None, capsys)


def test_a_plain_function_is_named_with_what_to_write(capsys):
    def shout(groups, contexts):
        return [g[0].genome.upper() for g in groups]
    assert "your operator is the function shout(), not an Operator: subclass" in refused(shout, capsys)


def test_the_class_instead_of_an_instance(capsys):
    class Mine(Operator):
        def make(self, parents, context):
            return parents[0].genome + "!"
    assert "your operator is the class Mine, not an operator: pass an instance, Mine()" in refused(Mine, capsys)


def test_an_operator_without_make(capsys):
    class Empty(Operator):
        name = "empty"
    out = refused(Empty(), capsys)
    assert "your operator (empty) makes no child" in out and "write make(self, parents, context)" in out


def test_a_copy_of_the_parent_is_no_child(capsys):
    class Same(Operator):
        def make(self, parents, context):
            return parents[0].genome
    out = refused(Same(), capsys)
    assert "every child was a copy" in out and "make() must change the parent's genome" in out


def test_an_exception_in_make_names_the_parent_and_the_error(capsys):
    class Picky(Operator):
        def make(self, parents, context):
            if "sky" in parents[0].genome:
                raise ValueError("no sky please")
            return parents[0].genome + "✨"
    out = refused(Picky(), capsys)
    assert "make() raised ValueError: no sky please, for the parent #4 'blue✨sky99!'" in out


def test_make_must_return_the_password(capsys):
    class Forgetful(Operator):
        def make(self, parents, context):
            parents[0].genome + "!"   # noqa: B018 (the mistake under test: no return)
    assert "make() returned None, not a password: return the edited string" in refused(Forgetful(), capsys)


def test_children_that_never_beat_their_parent_do_not_pass(capsys):
    class Lower(Operator):
        def make(self, parents, context):
            return parents[0].genome.lower()   # loses the capitals: never better
    assert "scored above its parent" in refused(Lower(), capsys)
