"""A reply the size of the fix: helpers/repair/splice.py, and the loop's ``ask_for="functions"``, offline."""

import ast

import pytest

from helpers import FakeLLM
from helpers.repair import (
    SYSTEM,
    SYSTEM_FUNCTIONS,
    TIMEOUT,
    SpliceRefused,
    functions_prompt,
    get_bug,
    repair,
    repair_prompt,
    splice,
    splice_reply,
)
from helpers.repair.long_zoo import ALL_LONG
from helpers.sandbox import run_tests

PROGRAM = '''"""Prices."""

import math

RATE = 0.2


def net(price):
    return price * (1 - RATE)


@staticmethod
def gross(price):   # a decorated one
    return price * (1 + RATE)


class Cart:
    def total(self, prices):
        return sum(prices)


def report(prices):
    return [net(p) for p in prices]
'''


def fence(code: str) -> str:
    return f"Here you go:\n```python\n{code}```\n"


# --------------------------------------------------------------------------- splice

def test_a_reply_function_replaces_its_namesake_and_everything_else_stays_byte_for_byte():
    out = splice(PROGRAM, "def net(price):\n    return round(price * (1 - RATE), 2)\n")
    before, after = PROGRAM.split("def net(price):\n    return price * (1 - RATE)\n")
    assert out == before + "def net(price):\n    return round(price * (1 - RATE), 2)\n" + after


def test_decorators_go_with_their_function_and_a_class_is_replaced_whole():
    out = splice(PROGRAM, "@staticmethod\ndef gross(price):\n    return 2 * price\n\n\n"
                          "class Cart:\n    def total(self, prices):\n        return max(prices)\n")
    assert out.count("@staticmethod") == 1 and "return 2 * price" in out and "# a decorated one" not in out
    assert "return max(prices)" in out and "sum(prices)" not in out
    assert out.endswith("def report(prices):\n    return [net(p) for p in prices]\n")


def test_a_method_sent_alone_is_refused_top_level_functions_and_classes_only():
    with pytest.raises(SpliceRefused, match="does not parse"):
        splice(PROGRAM, "    def total(self, prices):\n        return max(prices)\n")
    with pytest.raises(SpliceRefused, match="defines no function of the program"):
        splice(PROGRAM, "def total(self, prices):\n    return max(prices)\n")


def test_a_reply_that_names_no_function_of_the_program_is_refused_on_one_line():
    code, why = splice_reply(PROGRAM, fence("def helper(x):\n    return x\n"))
    assert code == "" and "\n" not in why
    assert "defines no function of the program (it defines helper; the program's are net, gross, Cart, report)" in why
    code, why = splice_reply(PROGRAM, fence("RATE = 0.3\nprint(net(10))\n"))
    assert code == "" and "it defines no function at all" in why
    assert splice_reply(PROGRAM, "I cannot see a bug.") == ("", "the reply has no code: send the functions you "
                                                             "change in one ```python block")
    code, why = splice_reply(PROGRAM, fence("def net(price:\n    return 1\n"))
    assert code == "" and why.startswith("the reply's code does not parse (line 1")


def test_imports_the_reply_adds_go_after_the_programs_imports_once():
    reply = "import math\nimport statistics\nfrom decimal import Decimal\n\ndef net(price):\n    return Decimal(price)\n"
    out = splice(PROGRAM, reply)
    assert out.startswith('"""Prices."""\n\nimport math\nimport statistics\nfrom decimal import Decimal\n\nRATE = 0.2\n')
    assert out.count("import math") == 1


def test_imports_into_a_program_without_any_go_after_its_docstring_or_on_top():
    with_doc = '"""Doc."""\n\n\ndef f(x):\n    return x\n'
    assert splice(with_doc, "import math\ndef f(x):\n    return math.floor(x)\n") == \
        '"""Doc."""\n\nimport math\n\n\ndef f(x):\n    return math.floor(x)\n'
    bare = "def f(x):\n    return x\n"
    out = splice(bare, "from __future__ import annotations\nimport math\ndef f(x):\n    return math.floor(x)\n")
    assert out == "import math\n\n\ndef f(x):\n    return math.floor(x)\n"  # no __future__ after the top


def test_new_helpers_go_before_the_function_that_uses_them_other_statements_are_dropped():
    reply = "def rounded(x):\n    return round(x, 2)\n\ndef net(price):\n    return rounded(price * (1 - RATE))\n\nprint(net(3))\n"
    out = splice(PROGRAM, reply)
    assert out.index("def rounded") < out.index("def net") and "print(net(3))" not in out
    report = run_tests(out, "def test_net():\n    assert net(10) == 8.0\n", timeout=TIMEOUT)
    assert report.all_passed, report.feedback()


def test_the_last_of_two_same_named_functions_in_a_reply_wins_as_in_python():
    out = splice(PROGRAM, "def net(price):\n    return 1\n\ndef net(price):\n    return 2\n")
    assert "return 2" in out and "return 1\n" not in out


def test_the_whole_program_sent_back_is_the_program():
    assert splice(PROGRAM, PROGRAM) == PROGRAM


# --------------------------------------------------------------------------- the loop, asking for functions

def fixed_function(bug) -> str:
    """The one function the reference fix changes, as its source."""
    before = {n.name: ast.dump(n) for n in ast.parse(bug.code).body if isinstance(n, ast.FunctionDef)}
    node = next(n for n in ast.parse(bug.fixed).body
                if isinstance(n, ast.FunctionDef) and before.get(n.name) != ast.dump(n))
    return ast.get_source_segment(bug.fixed, node) + "\n"


def test_the_loop_splices_the_function_in_and_asks_with_the_functions_prompt():
    bug = ALL_LONG[0]
    fake = FakeLLM([fence(fixed_function(bug))])
    run = repair(bug.code, bug.tests, llm=fake, ask_for="functions", temperature=0.7, max_attempts=2)
    assert run.repaired and run.attempts == 1 and run.code == bug.fixed
    request = fake.requests[0]
    report = run_tests(bug.code, bug.tests, timeout=TIMEOUT)
    assert request["messages"][0] == {"role": "system", "content": SYSTEM_FUNCTIONS}
    assert request["messages"][1]["content"] == functions_prompt(bug.code, report, "full")
    assert run.replies == [fence(fixed_function(bug))] and run.refused == []


def test_a_refused_reply_is_a_failed_attempt_with_its_reason_shown_and_told_to_the_model(capsys):
    bug = ALL_LONG[0]
    fake = FakeLLM([fence("def helper():\n    return 1\n"), fence(fixed_function(bug))])
    run = repair(bug.code, bug.tests, llm=fake, ask_for="functions", max_attempts=2)
    assert run.repaired and run.attempts == 2 and len(run.history) == 2  # the refused reply ran nothing
    assert len(run.refused) == 1 and run.refused[0].startswith("reply 1: the reply defines no function")
    second = fake.requests[1]["messages"][-1]["content"]
    assert "Your last reply could not be used: the reply defines no function of the program" in second
    run.show()
    assert "--- refused reply 1: the reply defines no function" in capsys.readouterr().out


def test_refusals_use_up_the_budget_and_leave_the_program_as_it_was():
    bug = ALL_LONG[0]
    fake = FakeLLM(["no code at all", fence("x = 1\n")])
    run = repair(bug.code, bug.tests, llm=fake, ask_for="functions", max_attempts=2)
    assert not run.repaired and run.attempts == 2 and len(run.refused) == 2 and run.code == bug.code


def test_the_unchanged_function_sent_back_is_a_repeat_told_as_such():
    bug = ALL_LONG[0]
    buggy = next(ast.get_source_segment(bug.code, n) for n in ast.parse(bug.code).body
                 if getattr(n, "name", "") == "line_net") + "\n"
    fake = FakeLLM([fence(buggy), fence(fixed_function(bug))])
    run = repair(bug.code, bug.tests, llm=fake, ask_for="functions", max_attempts=2)
    assert run.repaired and run.repeats == [True]
    assert "Your last reply sent back this same code, unchanged" in fake.requests[1]["messages"][-1]["content"]


def test_the_default_loop_still_asks_for_the_whole_program_with_the_recorded_prompt():
    bug = get_bug("mean")
    fake = FakeLLM([fence(bug.fixed)])
    run = repair(bug.code, bug.tests, llm=fake)
    report = run_tests(bug.code, bug.tests, timeout=TIMEOUT)
    assert run.repaired and fake.requests[0] == {
        "messages": [{"role": "system", "content": SYSTEM},
                     {"role": "user", "content": repair_prompt(bug.code, report, "full")}],
        "temperature": 0.2, "max_tokens": 400, "sample": 0}


def test_an_unknown_reply_format_is_refused_before_any_call():
    fake = FakeLLM()
    with pytest.raises(ValueError, match="functions"):
        repair("def f():\n    return 1\n", "def test_f():\n    assert f() == 2\n", llm=fake, ask_for="diff")
    assert fake.requests == []
