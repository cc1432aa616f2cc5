"""Where keys come from, and which provider answers when you do not name one.

Key lookup order (``find_key``), first hit wins:
  1. Colab Secrets (the key icon in Colab's left sidebar), when running in Colab;
  2. the process environment;
  3. a ``.env`` file in the current folder or any parent (read, never copied into os.environ).

Provider order (``choose_provider``) when the caller does not name one:
  1. ``LLM_PROVIDER``;
  2. under ``CI=true``: ``replay``;
  3. a key for OpenAI, then Gemini, then Groq (looked up as above);
  4. a local OpenAI-compatible server that answers a short probe (``LLM_BASE_URL``, else Ollama's address);
  5. ``replay``: recorded answers, no network.
"""

import os
import sys
import urllib.request

from .errors import MissingKeyError

KEY_NAMES = {
    "openai": ("OPENAI_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "groq": ("GROQ_API_KEY",),
}
OLLAMA_URL = "http://localhost:11434/v1"

_colab_warned: set[str] = set()


def in_colab() -> bool:
    return "google.colab" in sys.modules


def _colab_secret(name: str) -> str | None:
    try:
        from google.colab import userdata
    except ImportError:
        return None
    try:
        return userdata.get(name) or None
    except Exception as exc:  # SecretNotFoundError, NotebookAccessError, TimeoutException
        if type(exc).__name__ == "NotebookAccessError" and name not in _colab_warned:
            _colab_warned.add(name)
            print(colab_steps(name, granted=False))
        return None


def _dotenv_value(name: str) -> str | None:
    try:
        from dotenv import dotenv_values, find_dotenv
    except ImportError:
        return None
    path = find_dotenv(usecwd=True)
    return (dotenv_values(path).get(name) or None) if path else None


def find_key(name: str) -> str | None:
    """The value of secret ``name``: Colab Secrets, then the environment, then a .env file."""
    return _colab_secret(name) or os.environ.get(name) or _dotenv_value(name)


def key_for(provider: str) -> str | None:
    return next((k for k in map(find_key, KEY_NAMES.get(provider, ())) if k), None)


def colab_steps(name: str, granted: bool = True) -> str:
    if not granted:
        return (f"Colab has a secret {name} but this notebook may not read it: open the key icon in the "
                f"left sidebar and switch on 'Notebook access' for {name}, then re-run the setup cell.")
    return (f"In Colab: click the key icon in the left sidebar, 'Add new secret', name it {name}, paste "
            f"your key as the value, switch on 'Notebook access', then re-run the setup cell.")


def require_key(provider: str) -> str:
    """The key for ``provider`` or a MissingKeyError that says exactly where to put it."""
    key = key_for(provider)
    if key:
        return key
    name = KEY_NAMES[provider][0]
    where = colab_steps(name) if in_colab() else (
        f"Set it in your shell (export {name}=...) or in a .env file next to the notebooks "
        f"({name}=...), then restart the kernel.")
    raise MissingKeyError(f"No {name} found for provider '{provider}'. {where} "
                          f"No key at all? Use LLM_PROVIDER=replay to replay the recorded run.")


def probe_local(base_url: str | None = None, timeout: float = 0.5) -> str | None:
    """The base URL of a local OpenAI-compatible server if it answers GET /models quickly."""
    url = (base_url or os.environ.get("LLM_BASE_URL") or OLLAMA_URL).rstrip("/")
    try:
        with urllib.request.urlopen(url + "/models", timeout=timeout) as reply:
            return url if reply.status == 200 else None
    except Exception:
        return None


def choose_provider() -> tuple[str, str]:
    """(provider, why) following the order in this module's docstring."""
    named = os.environ.get("LLM_PROVIDER", "").strip().lower()
    if named:
        return named, "LLM_PROVIDER says so"
    if os.environ.get("CI", "").lower() == "true":
        return "replay", "CI=true, so no network"
    for provider, names in KEY_NAMES.items():
        for name in names:
            if _colab_secret(name):
                return provider, f"found {name} in Colab Secrets"
            if os.environ.get(name):
                return provider, f"found {name} in the environment"
            if _dotenv_value(name):
                return provider, f"found {name} in a .env file"
    url = probe_local()
    if url:
        return "local", f"a local server answers at {url}"
    return "replay", "no key and no local server"
