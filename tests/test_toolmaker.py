"""The toolmaker's library never loses what it had, and the agent builds, verifies and reloads tools."""

import importlib
import json

import pytest

from helpers import FakeLLM
from helpers.toolmaker import (
    BROKEN_TOOLS,
    SHOUT_TESTS,
    ToolLibrary,
    Toolmaker,
    ToolNotFoundError,
    check_broken,
    check_own_tool,
    check_reuse,
    split_reply,
    stated_signature,
)
from helpers.toolmaker.agent import parse_choice
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
        parse_choice('{"tool": "sentiment", "args": {"text": "I love it"}}', lib)
    assert stated_signature(missing.value) == "sentiment(text: str)"


def test_the_agent_writes_a_missing_tool_fixes_it_from_the_feedback_and_answers(lib, capsys):
    llm = FakeLLM(['{"tool": "sentiment", "args": {"text": "What a wonderful day"}}',
                   SENTIMENT.format(op=">"),        # a wrong test: the sandbox says so
                   SENTIMENT.format(op="<")])
    agent = Toolmaker(llm, lib, max_fixes=2)
    out = agent.ask("How positive is 'What a wonderful day'?")
    assert out.built and out.attempts == 2 and not out.error and out.result > 0
    assert "FAILED test_sentiment_negative" in llm.requests[-1]["messages"][-1]["content"]  # the rectify step
    assert agent.builds == [{"tool": "sentiment", "ok": True, "attempts": 2}]
    assert lib.registry["sentiment"]["tests_passed"] == "2/2"
    reuse = Toolmaker(FakeLLM(['{"tool": "sentiment", "args": {"text": "awful"}}']), lib).ask("How negative is 'awful'?")
    assert not reuse.built and reuse.result < 0
    assert check_own_tool(lib, "sentiment") is True and check_reuse(agent, out) is False


def test_the_agent_gives_up_after_its_fix_budget_and_changes_nothing(lib):
    before = lib.path.read_bytes()
    llm = FakeLLM(['{"tool": "shout", "args": {"text": "hi"}}', "I cannot write code.", "Still no code."])
    out = Toolmaker(llm, lib, max_fixes=1, verbose=False).ask("Shout 'hi'")
    assert out.error.startswith("could not build `shout` in 2 attempts") and "no code" in out.error
    assert lib.path.read_bytes() == before and len(llm.requests) == 3


def test_checks_say_what_is_missing_instead_of_raising(lib, capsys):
    agent = Toolmaker(FakeLLM([]), lib)
    assert check_own_tool(lib) is False and check_reuse(agent) is False and check_broken(lib) is False
    assert check_own_tool(lib, "nope") is False
    assert "✗ " in capsys.readouterr().out
