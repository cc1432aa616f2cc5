"""Where API keys come from, first hit wins: Colab Secrets (in Colab), the environment, then a ``.env``
file in the current folder or a parent (read, never copied into os.environ). Nothing here picks a provider.
"""

import os
import sys

from .errors import MissingKeyError

KEY_NAMES = {
    "openai": ("OPENAI_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "groq": ("GROQ_API_KEY",),
}

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


def key_location(name: str) -> str | None:
    """Where ``find_key(name)`` would find the secret (same order), for messages; None if nowhere."""
    if _colab_secret(name):
        return "Colab Secrets"
    if os.environ.get(name):
        return "the environment"
    if _dotenv_value(name):
        return "a .env file"
    return None


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
