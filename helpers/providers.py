"""The providers: each a small ``LLM`` subclass that overrides ``_complete``, plus the model table.

Default models (checked against each provider's deprecation page in November 2026; override with the
variable in the middle column, or LLM_MODEL for any provider):
"""

import os

from .errors import LLMError, MissingPackageError
from .keys import OLLAMA_URL, choose_provider, in_colab, probe_local, require_key
from .llm import LLM, Reply

# provider: (default model, variable that overrides it). gpt-5-mini retires 2026-12-11 and
# gpt-4o-mini / gpt-4.1-mini 2027-01-14; gemini-2.5-flash retires 2026-12-01; Groq retired
# llama-3.1-8b-instant on 2026-08-16 and suggests openai/gpt-oss-20b.
MODELS = {
    "openai": ("gpt-6-luna", "OPENAI_MODEL"),
    "gemini": ("gemini-3.5-flash-lite", "GEMINI_MODEL"),
    "groq": ("openai/gpt-oss-20b", "GROQ_MODEL"),
    "local": (None, "LOCAL_MODEL"),  # None: the first model the server lists
    "replay": ("recorded", "LLM_MODEL"),
}


def _need(module: str, pip_name: str):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as exc:
        raise MissingPackageError(f"This provider needs the '{pip_name}' package: run "
                                  f"%pip install {pip_name} in a cell, then restart the kernel.") from exc


def _usage(reply) -> tuple[int, int]:
    u = getattr(reply, "usage", None)
    return (getattr(u, "prompt_tokens", 0) or 0, getattr(u, "completion_tokens", 0) or 0)


class OpenAIChat(LLM):
    """OpenAI through the ``openai`` package (also the base for every OpenAI-compatible server)."""

    provider, model_env = "openai", "OPENAI_MODEL"
    token_param = "max_completion_tokens"  # OpenAI's current name; older servers know only max_tokens

    def __init__(self, model, *, api_key=None, base_url=None, **kw):
        super().__init__(model, **kw)
        openai = _need("openai", "openai")
        # retries live once, in LLM._with_retries, so the SDK's own are off
        self.client = openai.OpenAI(api_key=api_key, base_url=base_url, timeout=self.timeout, max_retries=0)
        self._drop: set[str] = set()

    def _complete(self, request):
        params = {"temperature": request["temperature"], self.token_param: request["max_tokens"]}
        params = {k: v for k, v in params.items() if k not in self._drop}
        try:
            r = self.client.chat.completions.create(model=self.model, messages=request["messages"], **params)
        except Exception as exc:
            # reasoning models refuse a custom temperature: drop it once and remember
            bad = [k for k in params if k in str(exc) and getattr(exc, "status_code", 0) == 400]
            if not bad:
                raise
            self._drop.update(bad)
            return self._complete(request)
        text = (r.choices[0].message.content or "") if r.choices else ""
        return Reply(text, *_usage(r))

    def list_models(self):
        listed = self.client.models.list()
        return sorted(m.id for m in getattr(listed, "data", listed))  # groq returns a page, openai a pager


class LocalChat(OpenAIChat):
    """Any OpenAI-compatible server: Ollama, llama.cpp's server, LM Studio, vLLM."""

    provider, model_env, token_param = "local", "LOCAL_MODEL", "max_tokens"


class GroqChat(OpenAIChat):
    provider, model_env, token_param = "groq", "GROQ_MODEL", "max_tokens"

    def __init__(self, model, *, api_key=None, base_url=None, **kw):
        LLM.__init__(self, model, **kw)
        groq = _need("groq", "groq")
        self.client = groq.Groq(api_key=api_key, base_url=base_url, timeout=self.timeout, max_retries=0)
        self._drop = set()


class GeminiChat(LLM):
    """Gemini through ``google-genai``; the retired ``google-generativeai`` only when it is missing."""

    provider, model_env = "gemini", "GEMINI_MODEL"

    def __init__(self, model, *, api_key=None, base_url=None, **kw):
        super().__init__(model, **kw)
        try:
            from google import genai
            from google.genai import types
        except ImportError:
            genai = None
        if genai is None:
            print("google-genai is not installed: falling back to google-generativeai, whose support ended "
                  "on 2025-11-30 (pip install google-genai to fix).")
            self.old = _need("google.generativeai", "google-genai")
            self.old.configure(api_key=api_key)
            self.client = None
            return
        self.types = types
        # attempts=1: google-genai's retry is off because LLM._with_retries already retries (and honours
        # retry-after); timeout is in milliseconds here
        options = types.HttpOptions(base_url=base_url, timeout=int(self.timeout * 1000),
                                    retry_options=types.HttpRetryOptions(attempts=1))
        self.client = genai.Client(api_key=api_key, http_options=options)

    def _complete(self, request):
        system = "\n".join(m["content"] for m in request["messages"] if m["role"] == "system") or None
        turns = [m for m in request["messages"] if m["role"] != "system"]
        if self.client is None:
            contents = [{"role": "model" if m["role"] == "assistant" else "user", "parts": [m["content"]]}
                        for m in turns]
            r = self.old.GenerativeModel(self.model, system_instruction=system).generate_content(
                contents, generation_config={"temperature": request["temperature"],
                                             "max_output_tokens": request["max_tokens"]})
        else:
            t = self.types
            contents = [t.Content(role="model" if m["role"] == "assistant" else "user",
                                  parts=[t.Part(text=m["content"])]) for m in turns]
            config = t.GenerateContentConfig(system_instruction=system, temperature=request["temperature"],
                                             max_output_tokens=request["max_tokens"])
            r = self.client.models.generate_content(model=self.model, contents=contents, config=config)
        try:
            text = r.text or ""
        except ValueError:  # blocked or empty candidate
            text = ""
        u = getattr(r, "usage_metadata", None)
        return Reply(text, getattr(u, "prompt_token_count", 0) or 0, getattr(u, "candidates_token_count", 0) or 0)

    def list_models(self):
        if self.client is None:
            return sorted(m.name.removeprefix("models/") for m in self.old.list_models())
        return sorted(m.name.removeprefix("models/") for m in self.client.models.list())


CLASSES = {"openai": OpenAIChat, "gemini": GeminiChat, "groq": GroqChat, "local": LocalChat}


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

    ip.set_custom_exc((LLMError,), show)


def make_llm(provider=None, model=None, base_url=None, *, recording=None, record=None, quiet=False,
             timeout=None) -> LLM:
    from .recording import Recorder, ReplayLLM, recording_path

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
            return make_llm("replay", recording=recording, quiet=quiet)
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
    return make_llm(provider, quiet=True).list_models()
