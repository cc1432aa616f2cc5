"""Which provider answers when you do not name one, first hit wins: ``LLM_PROVIDER``; ``replay`` under
``CI=true``; a key for OpenAI, then Gemini, then Groq (``keys``); a local OpenAI-compatible server that
answers a short probe (``LLM_BASE_URL``, else Ollama's address); else ``replay``, with no network."""

import os
import urllib.request

from .keys import KEY_NAMES, key_location

OLLAMA_URL = "http://localhost:11434/v1"


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
            where = key_location(name)
            if where:
                return provider, f"found {name} in {where}"
    url = probe_local()
    if url:
        return "local", f"a local server answers at {url}"
    return "replay", "no key and no local server"
