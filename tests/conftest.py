import os
import socket
import sys
import threading
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


@pytest.fixture
def listener():
    """A TCP server on 127.0.0.1: (its port, the connections it accepted)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(sock.accept()), daemon=True).start()
    yield sock.getsockname()[1], accepted
    sock.close()


@pytest.fixture(autouse=True, scope="session")
def _offline_data():
    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "sklearn"
    if "SCIKIT_LEARN_DATA" not in os.environ and shared.exists():
        os.environ["SCIKIT_LEARN_DATA"] = str(shared)
