"""get_llm: the one line a notebook uses, what it prints, and what it does when things are missing."""

import pytest

from helpers import LLMError, get_llm
from helpers.llm.providers import MODELS, GroqChat, LocalChat, OpenAIChat
from helpers.llm.replay import ReplayLLM


def test_replay_when_nothing_is_configured(clean_env, monkeypatch, capsys):
    monkeypatch.setattr("helpers.llm.choose.probe_local", lambda *a, **k: None)
    llm = get_llm(recording="does_not_exist")
    assert isinstance(llm, ReplayLLM)
    line = capsys.readouterr().out
    assert line.startswith("LLM: replay") and "no key and no local server" in line
    assert llm.chat("anything") == ""  # an empty recording answers blank, never crashes


def test_explicit_provider_without_key_falls_back_with_steps(clean_env, capsys):
    llm = get_llm("groq", recording="x")
    out = capsys.readouterr().out
    assert isinstance(llm, ReplayLLM)
    assert "GROQ_API_KEY" in out and "replayed" in out


def test_env_key_picks_provider_and_default_model_without_printing_the_key(clean_env, capsys):
    clean_env.setenv("OPENAI_API_KEY", "fake-secret-value-123456789")
    llm = get_llm()
    assert isinstance(llm, OpenAIChat) and llm.model == MODELS["openai"][0]
    out = capsys.readouterr().out
    assert "found OPENAI_API_KEY in the environment" in out and "fake-secret" not in out
    assert "OPENAI_MODEL" in out


@pytest.mark.parametrize("var", ["GROQ_MODEL", "LLM_MODEL"])
def test_model_overrides(clean_env, var):
    clean_env.setenv("GROQ_API_KEY", "gsk-x")
    clean_env.setenv(var, "my-model")
    llm = get_llm("groq", quiet=True)
    assert isinstance(llm, GroqChat) and llm.model == "my-model"


def test_local_takes_the_first_model_the_server_lists(clean_env, server):
    llm = get_llm("local", base_url=server.url + "/v1", quiet=True)
    assert isinstance(llm, LocalChat) and llm.model == "fake-model"


def test_unknown_provider(clean_env):
    with pytest.raises(LLMError, match="Unknown provider 'claude'"):
        get_llm("claude")


def test_gemini_falls_back_to_the_retired_package_only_when_google_genai_is_missing(monkeypatch, capsys):
    import sys
    import types

    calls = {}
    old = types.ModuleType("google.generativeai")
    old.configure = lambda api_key: calls.setdefault("key", api_key)

    class Model:
        def __init__(self, name, system_instruction=None):
            calls["model"], calls["system"] = name, system_instruction

        def generate_content(self, contents, generation_config):
            calls["contents"] = contents
            return types.SimpleNamespace(text="old sdk says hi", usage_metadata=None)

    old.GenerativeModel = Model
    monkeypatch.setitem(sys.modules, "google.genai", None)  # makes "from google import genai" fail
    monkeypatch.setitem(sys.modules, "google.generativeai", old)
    from helpers.llm.providers import GeminiChat

    llm = GeminiChat("gemini-x", api_key="AIza-test")
    assert "google-generativeai" in capsys.readouterr().out
    assert llm.chat("hello", system="sys") == "old sdk says hi"
    assert calls["model"] == "gemini-x" and calls["system"] == "sys"
    assert calls["contents"] == [{"role": "user", "parts": ["hello"]}]


def test_errors_show_as_their_message_inside_ipython(monkeypatch, capsys):
    import builtins

    from helpers.evolution import ProblemError
    from helpers.llm.factory import _install_quiet_errors

    registered = {}

    class Shell:
        def set_custom_exc(self, types_, handler):
            registered["types"], registered["handler"] = types_, handler

    monkeypatch.setattr(builtins, "get_ipython", lambda: Shell(), raising=False)
    _install_quiet_errors()
    assert issubclass(LLMError, registered["types"]) and issubclass(ProblemError, registered["types"])
    registered["handler"](None, LLMError, LLMError("set GROQ_API_KEY"), None)
    assert capsys.readouterr().out == "LLMError: set GROQ_API_KEY\n"
    registered["handler"](None, ProblemError, ProblemError("the seed does not parse"), None)   # notebook 05's too
    assert capsys.readouterr().out == "ProblemError: the seed does not parse\n"
