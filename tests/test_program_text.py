"""``program_key``: when two versions of a program are the same program, for every lesson that needs it."""

import ast

import pytest

from helpers import program_text
from helpers.program_text import program_key

PLAIN = "def solve():\n    return make(alpha=1)\n"
DRESSED = 'def solve():\n    """Build it."""\n    # a comment\n    return make( alpha = 1 )   # same call\n\n'
OTHER = "def solve():\n    return make(alpha=2)\n"


def test_the_key_is_the_syntax_tree_so_layout_and_comments_do_not_count():
    assert program_key("x  =  1   # one\n\n\n") == ast.dump(ast.parse("x = 1"))
    assert program_key(PLAIN) != program_key(OTHER)


def test_docstrings_are_dropped_unless_asked_for():
    # the assertions of tests/test_evolution_search.py's ast_key test, which the engine's novelty rule keeps
    assert program_key(PLAIN) == program_key(DRESSED)
    assert program_key(PLAIN) != program_key(OTHER)
    assert program_key("def f(:\n  pass # x\n") == program_key("def f(:\n\n  pass\n")
    # the toolmaker's case: a reply that only adds the docstring its menu needs is a new program
    assert program_key(PLAIN, docstrings=True) != program_key(DRESSED, docstrings=True)
    assert program_key(DRESSED, docstrings=True) == ast.dump(ast.parse(DRESSED))
    uncommented = DRESSED.replace("# a comment", "")
    assert program_key(DRESSED, docstrings=True) == program_key(uncommented, docstrings=True)


def test_every_block_loses_its_opening_string_and_a_body_of_only_a_docstring_is_pass():
    documented = ('"""Module."""\nclass A:\n    """Class."""\n'
                  '    def f(self):\n        """Method."""\n        return 1\n')
    assert program_key(documented) == ast.dump(ast.parse("class A:\n    def f(self):\n        return 1\n"))
    assert program_key('def f():\n    """Only this."""\n') == ast.dump(ast.parse("def f():\n    pass\n"))
    # a string later in a body is code that runs, not the block's docstring
    assert program_key('def f():\n    x = 1\n    "note"\n') != program_key("def f():\n    x = 1\n")


def test_code_that_does_not_parse_is_its_text_without_comments_and_blank_lines():
    assert program_key("def f(:\n\n    pass  # why\n# gone\n") == "def f(:\n    pass"
    assert program_key("def f(:\n  pass\n") != program_key("def f(:\n    pass\n")   # indentation still counts


@pytest.mark.parametrize("code", ["-" * 100_000 + "1", "1" + " + 1" * 100_000],
                         ids=["parser stack (MemoryError)", "deep tree (RecursionError)"])
def test_code_too_deep_to_parse_falls_back_to_its_text(code):
    assert program_key(code) == code


@pytest.mark.parametrize("error", program_text.UNREADABLE)
def test_each_way_the_parser_refuses_code_falls_back_to_the_text(monkeypatch, error):
    def refuse(code):
        raise error("refused")
    monkeypatch.setattr(program_text.ast, "parse", refuse)
    assert program_key("x = 1  # kept without the comment\n") == "x = 1"
