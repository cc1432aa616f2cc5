"""``LLM``, the base class: caching, retries, error messages, recording and the ledger, written once.

A provider subclass overrides one method, ``_complete(request)``; this module never imports a provider.
"""

import hashlib
import json
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .errors import (
    KeyRejectedError,
    LLMError,
    ModelNotFoundError,
    ProviderUnavailableError,
    QuotaExhaustedError,
    RateLimitError,
)
from .ledger import Call, Usage


@dataclass
class Reply:
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    source: str = "api"


def request_key(request: dict) -> str:
    """A stable hash of what was asked (not who was asked), so a recording replays under any provider."""
    blob = json.dumps(request, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


class LLM:
    provider = "base"
    model_env = "LLM_MODEL"  # the variable that overrides this provider's model
    backoff = 1.0  # seconds before the first retry when the server gives no retry-after; doubles each time

    def __init__(self, model: str, *, timeout: float = 60, max_retries: int = 4, recorder=None):
        self.model, self.timeout, self.max_retries, self.recorder = model, timeout, max_retries, recorder
        self.usage = Usage()
        self._cache: dict[str, str] = {}
        self._cache_lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}  # one per request key: identical calls run once
        self._last = threading.local()  # this thread's last ledger row, for chat_many(calls=...)

    # -- the one method a provider overrides ---------------------------------------------------
    def _complete(self, request: dict) -> Reply:
        raise NotImplementedError

    def list_models(self) -> list[str]:
        return [self.model]

    # -- public API --------------------------------------------------------------------------------
    def chat(self, prompt, system: str | None = None, *, temperature: float = 0.7,
             max_tokens: int = 1024, sample: int = 0, json_mode: bool = False) -> str:
        """The reply text. ``prompt`` is a string or a list of {"role", "content"} messages.

        ``json_mode`` asks the provider for a JSON object where it has such a mode (the reply must still be
        validated: a mode is a promise about syntax, not about content).

        ``sample`` asks for a distinct answer to the same prompt (evolution wants several children):
        it is part of the cache key, so re-running a cell is free but samples 0..n stay different.
        """
        messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else list(prompt)
        if system:
            messages = [{"role": "system", "content": system}] + messages
        request = {"messages": messages, "temperature": temperature, "max_tokens": max_tokens, "sample": sample}
        if json_mode:   # only when set, so that the keys of earlier recordings stay what they were
            request["json"] = True
        key = request_key(request)
        with self._cache_lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # a concurrent twin waits for this call rather than paying for (and recording) it again
            with self._cache_lock:
                cached = self._cache.get(key)
            if cached is not None:
                self._last.call = Call(self.provider, self.model, 0, 0, 0.0, "cache")
                self.usage.add(self._last.call)
                return cached
            start = time.perf_counter()
            reply = self._with_retries(request)
            latency = time.perf_counter() - start
            self._last.call = Call(self.provider, self.model, reply.input_tokens, reply.output_tokens, latency,
                                   reply.source)
            self.usage.add(self._last.call)
            with self._cache_lock:
                self._cache[key] = reply.text
        if self.recorder is not None and reply.source == "api":
            self.recorder.write(key, request, reply, self.provider, self.model, latency)
        return reply.text

    def chat_many(self, prompts, system: str | None = None, *, max_workers: int = 8,
                  errors: str = "raise", calls: list | None = None, **kwargs) -> list[str]:
        """Send independent prompts concurrently (a bounded pool); replies come back in order.

        Repeats of the same prompt get sample indices 0, 1, 2..., so they are distinct samples.
        ``errors="empty"`` turns a failed call into "" (after printing why) instead of raising.
        ``calls``, a list, receives each prompt's ledger row (``Call``: tokens, source) in order, None for a
        failed call: what each reply cost, which the ledger's totals cannot say (evolution's explorer shows it).
        """
        first, seen, jobs = kwargs.pop("sample", 0), {}, []
        for p in prompts:
            tag = json.dumps(p, sort_keys=True)
            jobs.append((p, first + seen.get(tag, 0)))
            seen[tag] = seen.get(tag, 0) + 1

        def one(job):
            try:
                return self.chat(job[0], system, sample=job[1], **kwargs), self._last.call
            except LLMError as exc:
                if errors == "raise":
                    raise
                print(f"LLM call failed, counted as an empty reply: {exc}")
                return "", None

        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(jobs) or 1))) as pool:
            done = list(pool.map(one, jobs))
        if calls is not None:
            calls.extend(call for _, call in done)
        return [text for text, _ in done]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.provider}:{self.model}>"

    # -- retries and error messages ----------------------------------------------------------------
    def _with_retries(self, request: dict) -> Reply:
        for attempt in range(self.max_retries + 1):
            try:
                return self._complete(request)
            except LLMError:
                raise
            except Exception as exc:
                kind = classify(exc)
                if kind not in ("rate", "transient") or attempt == self.max_retries:
                    raise self._explain(exc, kind) from exc
                # honour retry-after when the server gives one, else exponential backoff with jitter
                wait = retry_after(exc)
                time.sleep(min(60.0, wait if wait is not None else self.backoff * 2 ** attempt * (1 + random.random())))
        raise AssertionError("unreachable")

    def _explain(self, exc: Exception, kind: str | None) -> LLMError:
        who = f"{self.provider} ({self.model})"
        var = f"{self.model_env} (or LLM_MODEL)"
        if kind == "auth":
            return KeyRejectedError(f"{who} rejected the API key (401/403). Check that the key is for "
                                    f"{self.provider}, has no extra spaces and is not revoked; then re-run.")
        if kind == "quota":
            return QuotaExhaustedError(f"{who}: the account is out of credit (insufficient_quota). Add credit "
                                       f"in the provider's billing page, or use another provider "
                                       f"(LLM_PROVIDER=gemini / groq / local / replay).")
        if kind == "notfound":
            return ModelNotFoundError(f"{who}: model '{self.model}' is not available (unknown or retired). "
                                      f"Set {var} to a current model; llm.list_models() shows what your key "
                                      f"can use.")
        if kind == "rate":
            return RateLimitError(f"{who} is still rate-limiting after {self.max_retries} retries. Wait a "
                                  f"minute, lower concurrency (max_workers=2), or switch provider.")
        if kind == "transient":
            return ProviderUnavailableError(f"{who} did not answer ({type(exc).__name__}) after "
                                            f"{self.max_retries} retries. Check the network or the server, "
                                            f"or use LLM_PROVIDER=replay to continue offline.")
        return LLMError(f"{who} refused the request: {short(exc)}")


def short(exc: Exception, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text[:limit] + ("..." if len(text) > limit else "")


def classify(exc: Exception) -> str | None:
    """Sort an SDK exception into auth / quota / notfound / rate / transient (or None: a plain refusal)."""
    status = getattr(exc, "status_code", None) or getattr(exc, "code", None)
    status = status if isinstance(status, int) else None
    # the SDKs keep the machine-readable reason ("insufficient_quota") in .code/.body, not in str()
    text = f"{exc} {getattr(exc, 'code', '')} {getattr(exc, 'body', '')}".lower()
    name = type(exc).__name__
    if status == 429:
        return "quota" if "insufficient_quota" in text else "rate"
    if status in (401, 403):
        return "auth"
    if status == 404 or "decommissioned" in text or "model_not_found" in text:
        return "notfound"
    if status in (408, 409) or (status is not None and status >= 500):
        return "transient"
    if status is None and any(w in name for w in ("Timeout", "Connect", "Protocol", "ReadError")):
        return "transient"
    return None


RETRY_DELAY = re.compile(r"""['"]retryDelay['"]:\s*['"](\d+(?:\.\d+)?)s['"]""")


def retry_after(exc: Exception) -> float | None:
    """Seconds the server asked us to wait: OpenAI and Groq send a `retry-after` header; Gemini puts a
    `RetryInfo.retryDelay` ("37s") in the error body instead."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        return max(0.0, float(headers.get("retry-after")))
    except (TypeError, ValueError):
        pass
    found = RETRY_DELAY.search(f"{getattr(exc, 'details', '')} {exc}")
    return float(found.group(1)) if found else None
