"""The toolmaker's library never loses what it had, and the agent builds, verifies and reloads tools."""

import importlib
import json
import re

import pytest

from helpers import FakeLLM, run_tests
from helpers.toolmaker import (
    BROKEN_TOOLS,
    SHOUT_TESTS,
    Request,
    ToolLibrary,
    Toolmaker,
    ToolNotFoundError,
    acceptance_tests,
    check_broken,
    check_own_tool,
    check_reuse,
    one_assert_per_test,
    split_reply,
    stated_signature,
    tool_report,
)
from helpers.toolmaker.choose import parse_choice, parse_object
from helpers.toolmaker.library import default_workdir
from helpers.toolmaker.source import name_tests

SHOUT = 'def shout(text: str) -> str:\n    """Upper-case the text."""\n    return text.upper()\n'
SENTIMENT = '''```python
from textblob import TextBlob


def sentiment(text: str) -> float:
    """Polarity of the text, from -1 (negative) to 1 (positive)."""
    return TextBlob(text).sentiment.polarity


def test_positive():
    assert sentiment("I love this wonderful day") > 0


def test_negative():
    assert sentiment("This is awful and terrible") {op} 0
```'''


@pytest.fixture
def lib(tmp_path):
    return ToolLibrary(tmp_path / "workspace", timeout=5)


def test_first_run_creates_the_library_from_the_template_and_later_runs_keep_it(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_WORKDIR", str(tmp_path / "ws"))
    assert default_workdir() == tmp_path / "ws"
    lib = ToolLibrary()
    assert lib.path == tmp_path / "ws" / "tools.py"
    assert lib.names() == ["add", "multiply", "reverse_text"]
    assert lib.call("reverse_text", "abc") == "cba"
    assert lib.add(SHOUT, SHOUT_TESTS, name="shout").ok
    again = ToolLibrary(keep=True)  # a new session that asks to carry on: the learner's tools are still there
    assert "shout" in again.names() and again.call("shout", "hi") == "HI"
    assert list(again.table().columns[:4]) == ["name", "signature", "made", "tests passed"]


def test_by_default_each_run_starts_fresh_and_the_previous_library_is_archived(tmp_path, capsys):
    first = ToolLibrary(tmp_path / "ws", timeout=5)
    assert first.add(SHOUT, SHOUT_TESTS, name="shout").ok
    built = first.path.read_text()
    second = ToolLibrary(tmp_path / "ws", timeout=5)         # a re-run of the notebook
    assert second.names() == ["add", "multiply", "reverse_text"] and "shout" not in second.names()
    archived = list((tmp_path / "ws" / "archive").glob("*/tools.py"))
    assert [p.read_text() for p in archived] == [built]      # nothing lost: the previous library is kept
    assert "keep=True" in capsys.readouterr().out
    ToolLibrary(tmp_path / "ws", timeout=5)                  # an untouched template is not archived again
    assert len(list((tmp_path / "ws" / "archive").iterdir())) == 1


@pytest.mark.parametrize("case", sorted(BROKEN_TOOLS))
def test_every_bad_tool_leaves_the_library_byte_for_byte_and_importable(lib, case):
    before = lib.path.read_bytes()
    registry_before = lib.registry_path.read_bytes()
    change = lib.add(BROKEN_TOOLS[case], SHOUT_TESTS, name="add" if case == "name clash" else "shout")
    assert not change.ok and "the library is unchanged" in change.message
    expected = {"syntax error": "syntax error at line 3", "import raises": "does not import",
                "import hangs": "would run on every import", "fails its tests": "FAILED test_shout",
                "name clash": "name clash: `add` already exists", "breaks another tool": "FAILED test_multiply",
                "touches files": "would run on every import", "no code at all": "no code at all"}[case]
    assert expected in change.message
    assert lib.path.read_bytes() == before and lib.registry_path.read_bytes() == registry_before
    assert not lib.versions()
    assert lib.reload().add(2, 3) == 5 and "shout" not in lib.names()


def test_a_tool_whose_test_hangs_is_refused_by_the_timeout(tmp_path):
    lib = ToolLibrary(tmp_path / "ws", timeout=2)
    before = lib.path.read_bytes()
    code = 'def spin(n: int) -> int:\n    """Count to n, slowly."""\n    while True:\n        pass\n'
    change = lib.add(code, "def test_spin():\n    assert spin(3) == 3\n", name="spin")
    assert not change.ok and "timed out" in change.message
    assert lib.path.read_bytes() == before


def test_a_tool_without_tests_or_under_the_wrong_name_is_refused(lib):
    before = lib.path.read_bytes()
    assert "no tests" in lib.add(SHOUT, "", name="shout").message
    assert "does not define a function `yell`" in lib.add(SHOUT, SHOUT_TESTS, name="yell").message
    assert lib.path.read_bytes() == before


def test_adding_is_atomic_keeps_the_previous_version_and_never_duplicates(lib):
    before = lib.path.read_bytes()
    change = lib.add(SHOUT, SHOUT_TESTS, name="shout")
    assert change.ok, change.message
    assert lib.versions()[0].read_bytes() == before  # the previous library, kept
    entry = json.loads(lib.registry_path.read_text())["shout"]
    assert entry["tests_passed"] == "1/1" and entry["made"] and "def test_shout" in entry["tests"]
    again = lib.add(SHOUT, SHOUT_TESTS, name="shout")  # re-running the notebook cell
    assert not again.ok and "name clash" in again.message
    assert lib.source.count("def shout(") == 1 and len(lib.versions()) == 1
    assert not list(lib.dir.glob(".*.new"))  # no half-written file left behind


def test_tests_inside_the_reply_move_to_the_registry_and_main_blocks_go(lib):
    reply = SHOUT + "\n\n# a comment that stays\ndef test_a():\n    assert shout('a') == 'A'\n\n\n" \
        "test_a()\n\nif __name__ == '__main__':\n    print(shout('x'))\n"
    code, tests, notes = split_reply(reply)
    assert "def test_a" in tests and "test_a" not in code and "__main__" not in code
    assert "# a comment that stays" in code and notes
    change = lib.add(reply, name="shout")
    assert change.ok, change.message
    assert "def test_shout_a(" in lib.tests("shout")  # renamed so two tools' test_a cannot collide


def test_name_tests_makes_unique_names():
    src = "def test_x():\n    assert 1\n\n\ndef test_x():\n    assert 1\n"
    assert name_tests(src, "shout").count("def test_shout_x") == 2
    assert "def test_shout_x_2(" in name_tests(src, "shout")


def test_update_refuses_a_broken_version_and_reload_avoids_the_stale_binding(lib):
    tools = importlib.import_module("tools")
    from tools import add  # the stale-binding trap: this name keeps the function of this moment
    before = lib.path.read_bytes()
    broken = lib.update("add", 'def add(a: float, b: float) -> float:\n    """Add."""\n    return a * b\n')
    assert not broken.ok and "FAILED test_add" in broken.message and lib.path.read_bytes() == before
    assert check_broken(lib, broken, before) is True
    better = 'def add(a: float, b: float) -> float:\n    """Add two numbers."""\n    return round(a + b, 10)\n'
    change = lib.update("add", better)
    assert change.ok, change.message
    assert add(0.1, 0.2) != 0.3  # stale: still the old function object
    assert tools.add(0.1, 0.2) == 0.3 and lib.call("add", 0.1, 0.2) == 0.3
    assert lib.update("add", better).message.startswith("unchanged")
    assert lib.source.count("def add(") == 1 and "return a + b" in lib.versions()[-1].read_text()


def test_parse_choice_validates_against_the_registry(lib):
    assert parse_choice('Sure: {"tool": "add", "args": {"a": 1, "b": 2}}', lib).args == {"a": 1, "b": 2}
    with pytest.raises(ValueError, match="do not fit"):
        parse_choice('{"tool": "add", "args": {"x": 1}}', lib)
    with pytest.raises(ValueError, match="no JSON"):
        parse_choice("I would use add.", lib)
    with pytest.raises(ToolNotFoundError) as missing:
        parse_choice('{"tool": "analyze_sentiment", "args": {"text": "I love it"}}', lib)
    assert stated_signature(missing.value) == "analyze_sentiment(text: str)"
    with pytest.raises(ValueError, match="two or more words"):   # `split` would say nothing in the menu
        parse_choice('{"tool": "split", "args": {"text": "a b"}}', lib)


def test_a_python_literal_is_read_when_json_is_not():
    reply = r"""{'tool': 'extract_emails', 'args': {'pattern': r'\b\w+@\w+\.\w+', 'strict': True}}"""
    assert parse_object(reply) == {"tool": "extract_emails", "args": {"pattern": r"\b\w+@\w+\.\w+", "strict": True}}
    with pytest.raises(ValueError, match="does not parse"):
        parse_object("{'tool': open('x')}")


SENTIMENT_REQUEST = Request("How positive is 'What a wonderful day'?",
                            accept=["-1 <= {call} <= 1", "{call} > 0", "{tool}('This is terrible and awful') < 0"])
CHOICE = '{"tool": "analyze_sentiment", "args": {"text": "What a wonderful day"}}'


def sentiment_reply(op="<", body="return TextBlob(text).sentiment.polarity", pin=None):
    reply = SENTIMENT.replace("sentiment(", "analyze_sentiment(").format(op=op).replace(
        "return TextBlob(text).sentiment.polarity", body)
    if pin:
        reply = reply.replace('assert analyze_sentiment("I love this wonderful day") > 0',
                              f'assert analyze_sentiment("I love this wonderful day") == {pin}')
    return reply


def test_the_agent_owns_the_acceptance_tests_and_asks_about_a_disagreeing_test(lib):
    llm = FakeLLM([CHOICE, sentiment_reply(pin="1.0"), sentiment_reply()])   # a made-up exact value, then fixed
    agent = Toolmaker(llm, lib, verbose=False)
    out = agent.ask(SENTIMENT_REQUEST)
    assert out.built and not out.error and out.result > 0
    assert (out.calls, out.runs) == (3, 4)              # choose + 2 replies; 2 judging runs + the library's 2
    question = llm.requests[-1]["messages"][-1]["content"]
    assert "your function returns 0.75; your test expects 1.0. Which is wrong?" in question
    assert "acceptance tests pass" in question
    tests = lib.tests("analyze_sentiment")
    assert "_accept_" in tests and "_yours_" in tests and "== 1.0" not in tests
    assert agent.builds == [{"tool": "analyze_sentiment", "ok": True, "attempts": 2}]


def test_a_function_that_fails_the_acceptance_tests_is_sent_back_with_what_failed(lib):
    llm = FakeLLM([CHOICE, sentiment_reply(body="return 2.0"), sentiment_reply()])
    out = Toolmaker(llm, lib, verbose=False).ask(SENTIMENT_REQUEST)
    assert out.built and not out.error
    feedback = llm.requests[2]["messages"][-1]["content"]
    assert "acceptance tests for this request fail" in feedback and "left: 2.0" in feedback


def test_the_same_reply_twice_never_reaches_the_sandbox_twice(lib):
    wrong = sentiment_reply(body="return 2.0")
    reformatted = wrong.replace("\n\n\ndef test_positive", "\n\n# the same code, another comment\ndef test_positive")
    llm = FakeLLM([CHOICE, wrong, reformatted, "no code"])
    out = Toolmaker(llm, lib, max_calls=3, verbose=False).ask(SENTIMENT_REQUEST)
    assert out.runs == 1, "the repeated reply was not run again"
    temperatures = [r["temperature"] for r in llm.requests[1:]]
    assert temperatures[2] > temperatures[1], "asked again at a higher temperature"
    assert "same code as your last reply" in llm.requests[3]["messages"][-1]["content"]
    assert out.error and "analyze_sentiment" not in lib


def test_a_reply_that_only_adds_the_missing_docstring_is_a_new_program(lib):
    undocumented = sentiment_reply().replace('    """Polarity of the text, from -1 (negative) to 1 (positive)."""\n', "")
    llm = FakeLLM([CHOICE, undocumented, sentiment_reply()])
    out = Toolmaker(llm, lib, max_calls=2, verbose=False).ask(SENTIMENT_REQUEST)
    assert "docstring" in llm.requests[2]["messages"][-1]["content"]
    assert out.built and not out.error, "the documented reply was judged, not taken for the same code again"


@pytest.mark.parametrize("reply", ["```python\ndef shout_text(text):\n    '''\ud800'''\n    return text\n```",
                                   "```python\nx = " + "1 + " * 50_000 + "1\n```",
                                   "```python\ndef shout_text(text):\n    return text\n```"],
                         ids=["lone surrogate", "huge expression", "no docstring"])
def test_ask_answers_with_a_message_and_never_raises_for_a_bad_reply(lib, reply):
    before = lib.path.read_bytes()
    llm = FakeLLM(['{"tool": "shout_text", "args": {"text": "hi"}}', reply])
    out = Toolmaker(llm, lib, max_calls=1, verbose=False).ask("Shout 'hi'")
    assert out.error and lib.path.read_bytes() == before


def test_the_agent_gives_up_after_its_budget_and_changes_nothing(lib):
    before = lib.path.read_bytes()
    llm = FakeLLM(['{"tool": "shout_text", "args": {"text": "hi"}}', "I cannot write code.", "Still no code."])
    out = Toolmaker(llm, lib, max_calls=2, verbose=False).ask("Shout 'hi'")
    assert out.error.startswith("could not build `shout_text`") and out.runs == 0
    assert lib.path.read_bytes() == before and len(llm.requests) == 3


def test_one_assert_per_test_keeps_the_setup_and_names_each_part():
    tests = ("def test_a():\n    x = 2\n    assert f(x) == 4\n    y = 3\n    assert f(y) == 6\n\n"
             "def test_b():\n    assert f(0) == 0\n")
    split = one_assert_per_test(tests)
    assert re.findall(r"def (test_\w+)", split) == ["test_yours_a_1", "test_yours_a_2", "test_yours_b"]
    report = run_tests("def f(x):\n    return 2 * x if x != 3 else 0\n", split)
    assert [r.passed for r in report.results] == [True, False, True]    # every wrong expectation in one run


def test_acceptance_tests_call_the_users_example_and_check_a_plain_value():
    src = acceptance_tests(Request("Count the words in 'a b c'", accept=["{call} == 3"]), "count_words",
                           {"text": "a b c"})
    assert run_tests("def count_words(text):\n    return len(text.split())\n", src).all_passed
    assert not run_tests("def count_words(text):\n    return object()\n", src).all_passed


def test_checks_say_what_is_missing_instead_of_raising(lib, capsys):
    agent = Toolmaker(FakeLLM([]), lib)
    assert check_own_tool(lib) is False and check_reuse(agent) is False and check_broken(lib) is False
    assert check_own_tool(lib, "nope") is False
    assert "✗ " in capsys.readouterr().out


def test_a_model_that_stands_by_its_function_keeps_it_without_the_disagreeing_test(lib):
    pinned = sentiment_reply(pin="1.0")
    llm = FakeLLM([CHOICE, pinned, pinned])               # asked "which is wrong?", it sends the same code back
    out = Toolmaker(llm, lib, verbose=False).ask(SENTIMENT_REQUEST)
    assert out.built and not out.error and out.calls == 3
    assert out.runs == 3, "judged once (no second run of the same code), then the library's two runs"
    assert "== 1.0" not in lib.tests("analyze_sentiment") and "_accept_" in lib.tests("analyze_sentiment")


def test_an_existing_tool_whose_answer_fails_the_request_is_not_used(lib):
    request = Request("How many words are in 'to be or not'?", accept=["{call} == 4"])
    count = '```python\ndef count_words(text: str) -> int:\n    """How many words the text has."""\n    return len(text.split())\n```'
    llm = FakeLLM(['{"tool": "reverse_text", "args": {"text": "to be or not"}}',   # a wrong existing tool
                   '{"tool": "count_words", "args": {"text": "to be or not"}}', count])
    out = Toolmaker(llm, lib, verbose=False).ask(request)
    assert out.built and out.tool == "count_words" and out.result == 4
    assert "`reverse_text` does not answer this request" in llm.requests[1]["messages"][-1]["content"]


def test_checks_written_as_script_lines_become_an_advisory_test_instead_of_breaking_the_import(lib):
    script = sentiment_reply().split("\n\n\ndef test_positive")[0] + (
        '\n\nscore = analyze_sentiment("I love this wonderful day")\nassert score == 1.0, "case 1"\n```')
    llm = FakeLLM([CHOICE, script, script])
    out = Toolmaker(llm, lib, verbose=False).ask(SENTIMENT_REQUEST)
    assert out.built and not out.error                       # the function is kept; the pinned 1.0 is not
    question = llm.requests[2]["messages"][-1]["content"]
    assert "your function returns 0.75; your test expects 1.0" in question
    assert "score = " not in lib.tool_source("analyze_sentiment") and "== 1.0" not in lib.tests("analyze_sentiment")


def test_the_report_counts_tools_built_and_checks_the_library_afresh(lib, capsys):
    llm = FakeLLM([CHOICE, sentiment_reply(), '{"tool": "shout_text", "args": {"text": "hi"}}', "no code"])
    agent = Toolmaker(llm, lib, max_calls=1, verbose=False)
    agent.ask(SENTIMENT_REQUEST)
    agent.ask("Shout 'hi'")
    table = tool_report(agent.outcomes, lib, requested=2)
    said = capsys.readouterr().out
    assert "tools built: 1 of 2" in said and "library intact" in said
    assert list(table["LLM calls"]) == [2, 2] and list(table["sandbox runs"]) == [3, 0]   # judge + library's 2
    lib.path.write_text(lib.source.replace("return a + b", "return a - b"))   # damaged behind its back
    tool_report(agent.outcomes, lib, requested=2)
    assert "library BROKEN" in capsys.readouterr().out
