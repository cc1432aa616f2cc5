"""Provider resolution in every branch, with Colab Secrets faked at the module boundary."""

import sys
import types

import pytest

from helpers.llm import choose, keys
from helpers.llm.errors import MissingKeyError


class SecretNotFoundError(Exception):
    pass


class NotebookAccessError(Exception):
    pass


@pytest.fixture
def colab(monkeypatch):
    """A fake google.colab with a userdata.get whose secrets the test fills in."""
    secrets, denied = {}, set()

    def get(name):
        if name in denied:
            raise NotebookAccessError(name)
        if name not in secrets:
            raise SecretNotFoundError(name)
        return secrets[name]

    google = types.ModuleType("google")
    google.__path__ = []
    colab_mod = types.ModuleType("google.colab")
    colab_mod.userdata = types.SimpleNamespace(get=get)
    monkeypatch.setitem(sys.modules, "google.colab", colab_mod)
    return secrets, denied


@pytest.fixture
def no_local(monkeypatch):
    monkeypatch.setattr(choose, "probe_local", lambda *a, **k: None)


def test_nothing_at_all_means_replay(clean_env, no_local):
    assert choose.choose_provider() == ("replay", "no key and no local server")


def test_llm_provider_wins_over_everything(clean_env, no_local, colab):
    colab[0]["OPENAI_API_KEY"] = "sk-colab"
    clean_env.setenv("CI", "true")
    clean_env.setenv("LLM_PROVIDER", "Groq")
    assert choose.choose_provider()[0] == "groq"


def test_ci_means_replay_even_with_keys(clean_env, no_local):
    clean_env.setenv("OPENAI_API_KEY", "sk-env")
    clean_env.setenv("CI", "true")
    assert choose.choose_provider()[0] == "replay"


def test_colab_secret_comes_before_the_environment(clean_env, no_local, colab):
    colab[0]["GROQ_API_KEY"] = "gsk-colab"
    clean_env.setenv("GROQ_API_KEY", "gsk-env")
    assert choose.choose_provider() == ("groq", "found GROQ_API_KEY in Colab Secrets")
    assert keys.find_key("GROQ_API_KEY") == "gsk-colab"


def test_provider_order_is_openai_gemini_groq(clean_env, no_local, colab):
    colab[0].update({"GROQ_API_KEY": "g", "GOOGLE_API_KEY": "a"})
    assert choose.choose_provider()[0] == "gemini"
    colab[0]["OPENAI_API_KEY"] = "o"
    assert choose.choose_provider()[0] == "openai"


def test_environment_then_dotenv(clean_env, no_local, tmp_path):
    (tmp_path / ".env").write_text("GEMINI_API_KEY=from-dotenv\n")
    assert choose.choose_provider() == ("gemini", "found GEMINI_API_KEY in a .env file")
    assert "GEMINI_API_KEY" not in __import__("os").environ, "helpers never write keys to os.environ"
    clean_env.setenv("OPENAI_API_KEY", "sk-env")
    assert choose.choose_provider() == ("openai", "found OPENAI_API_KEY in the environment")


def test_local_server_that_answers(clean_env, server):
    clean_env.setenv("LLM_BASE_URL", server.url + "/v1")
    assert choose.choose_provider()[0] == "local"
    assert choose.probe_local() == server.url + "/v1"


def test_silent_local_server_is_skipped_quickly(clean_env):
    clean_env.setenv("LLM_BASE_URL", "http://127.0.0.1:9/v1")  # discard port: nothing listens
    assert choose.probe_local() is None
    assert choose.choose_provider()[0] == "replay"


def test_colab_secret_without_notebook_access_prints_the_steps(clean_env, no_local, colab, capsys):
    colab[1].add("OPENAI_API_KEY")
    keys._colab_warned.clear()
    assert choose.choose_provider()[0] == "replay"
    out = capsys.readouterr().out
    assert "Notebook access" in out and "OPENAI_API_KEY" in out


def test_missing_key_in_colab_gives_the_steps(clean_env, colab):
    with pytest.raises(MissingKeyError) as info:
        keys.require_key("groq")
    assert "key icon" in str(info.value) and "GROQ_API_KEY" in str(info.value)


def test_missing_key_at_home_names_env_and_dotenv(clean_env):
    with pytest.raises(MissingKeyError, match=r"export OPENAI_API_KEY=.*\.env"):
        keys.require_key("openai")
