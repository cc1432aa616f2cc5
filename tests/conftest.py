import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for fakeserver
from fakeserver import FakeServer  # noqa: E402

KEY_VARS = ["OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GROQ_API_KEY", "LLM_PROVIDER", "LLM_MODEL",
            "LLM_BASE_URL", "LLM_RECORD", "OPENAI_MODEL", "GEMINI_MODEL", "GROQ_MODEL", "LOCAL_MODEL", "CI",
            "OPENAI_BASE_URL", "GROQ_BASE_URL", "GEMINI_BASE_URL", "LLM_RECORDINGS_DIR"]


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No keys, no provider choice, no .env file in reach: every test starts from nothing."""
    for var in KEY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture
def server():
    s = FakeServer()
    yield s
    s.close()


# The real 20 Newsgroups when a shared copy sits beside the repository (as in CI); set at import, so that
# skip conditions evaluated while collecting see it. A fresh clone without it still passes.
_SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sklearn"
if "SCIKIT_LEARN_DATA" not in os.environ and _SHARED_DATA.exists():
    os.environ["SCIKIT_LEARN_DATA"] = str(_SHARED_DATA)
