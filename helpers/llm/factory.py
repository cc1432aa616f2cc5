"""``get_llm``: choose a provider, build its model, announce it in one line. The top of the LLM layer."""

import os

from .base import LLM
from .choose import OLLAMA_URL, choose_provider, probe_local
from .errors import HelpfulError, LLMError
from .keys import in_colab, require_key
from .providers import CLASSES, MODELS, LocalChat
from .recording import Recorder, recording_path
from .replay import ReplayLLM


def model_for(provider: str, base_url: str | None = None) -> str:
    default, var = MODELS[provider]
    chosen = os.environ.get(var) or os.environ.get("LLM_MODEL") or default
    if chosen is None:  # a local server: ask it what it serves
        try:
            chosen = LocalChat("?", base_url=base_url, api_key="local").list_models()[0]
        except Exception:
            chosen = "llama3.2"
    return chosen


def _install_quiet_errors():
    """In IPython, show helpers' errors as their message (which says what to do), not a traceback."""
    try:
        ip = get_ipython()  # noqa: F821 - defined only inside IPython
    except NameError:
        return

    def show(shell, etype, value, tb, tb_offset=None):
        print(f"{etype.__name__}: {value}")

    ip.set_custom_exc((HelpfulError,), show)


def get_llm(provider: str | None = None, model: str | None = None, base_url: str | None = None, *,
            recording: str | None = None, record: bool | None = None, quiet: bool = False,
            timeout: float | None = None) -> LLM:
    """The model that will answer, chosen as ``helpers.llm.choose`` documents, announced in one line.

    ``recording`` names this notebook's recording (``recordings/<name>.jsonl``): replay reads it, and
    with ``record=True`` (or ``LLM_RECORD=1``) a live provider writes every call to it.
    """
    why = "you asked for it"
    if provider is None:
        provider, why = choose_provider()
    provider = provider.lower()
    if provider not in CLASSES and provider != "replay":
        raise LLMError(f"Unknown provider '{provider}'. Use one of: {', '.join([*CLASSES, 'replay'])}.")
    _install_quiet_errors()
    path = recording_path(recording) if recording else None
    if provider == "replay":
        llm = ReplayLLM(path)
        if not quiet:
            print(f"LLM: replay of {llm.describe()} ({why}). For live answers set a key "
                  f"(OPENAI_API_KEY, GEMINI_API_KEY or GROQ_API_KEY) or start a local server.")
        return llm
    if provider == "local":
        base_url = base_url or probe_local(base_url) or os.environ.get("LLM_BASE_URL") or OLLAMA_URL
        key = "local"
    else:
        try:
            key = require_key(provider)
        except LLMError as exc:
            print(f"{exc}\nUntil then, answers are replayed from the recording.")
            return get_llm("replay", recording=recording, quiet=quiet)
        base_url = base_url or os.environ.get(f"{provider.upper()}_BASE_URL")
    model = model or model_for(provider, base_url)
    if record is None:
        record = os.environ.get("LLM_RECORD", "").lower() in ("1", "true", "yes")
    recorder = Recorder(path, provider, model) if (record and path) else None
    kw = {"timeout": timeout or (300 if provider == "local" else 60)}
    llm = CLASSES[provider](model, api_key=key, base_url=base_url, recorder=recorder, **kw)
    if not quiet:
        where = f" at {base_url}" if provider == "local" else ""
        rec = f"; recording to {path}" if recorder else ""
        print(f"LLM: {provider} {model}{where} ({why}{rec}). Change with LLM_PROVIDER / "
              f"{MODELS[provider][1]} or LLM_MODEL{' (Colab Secrets work too)' if in_colab() else ''}.")
    return llm


def list_models(provider: str | None = None) -> list[str]:
    """The models your key (or local server) can use right now."""
    return get_llm(provider, quiet=True).list_models()
