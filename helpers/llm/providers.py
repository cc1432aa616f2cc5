"""The cloud and local providers: each a small ``LLM`` subclass overriding ``_complete``, plus the model table.

Default models were checked against each provider's deprecation page in November 2026.
"""

from .base import LLM, Reply
from .errors import MissingPackageError

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
        params = {"temperature": request["temperature"], self.token_param: request["max_tokens"],
                  "seed": request.get("sample", 0)}   # distinct samples of one prompt really differ
        if request.get("json"):
            params["response_format"] = {"type": "json_object"}
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
                                             max_output_tokens=request["max_tokens"], seed=request.get("sample", 0),
                                             response_mime_type="application/json" if request.get("json") else None)
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
