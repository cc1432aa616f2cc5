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


# The real 20 Newsgroups when a shared copy sits beside the repository (as in CI); set at import, so that
# skip conditions evaluated while collecting see it. A fresh clone without it still passes.
_SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sklearn"
if "SCIKIT_LEARN_DATA" not in os.environ and _SHARED_DATA.exists():
    os.environ["SCIKIT_LEARN_DATA"] = str(_SHARED_DATA)


@pytest.fixture(scope="session")
def registry(tmp_path_factory):
    """Skip unless pip can reach the package registry (the only network a few setup tests need)."""
    import subprocess
    target = tmp_path_factory.mktemp("registry-probe")
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(target), "groq"],
                              capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        done = None
    if done is None or done.returncode:
        pytest.skip("the package registry is unreachable (pip download failed)")


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
