"""The openai, groq and local paths through their real SDKs, and gemini through google-genai,
all against a fake server on 127.0.0.1."""

import pytest
from fakeserver import chat_body, error_body, gemini_body

from helpers import (
    KeyRejectedError,
    LLMError,
    ModelNotFoundError,
    ProviderUnavailableError,
    QuotaExhaustedError,
    RateLimitError,
    extract_code,
)
from helpers.llm.providers import GeminiChat, GroqChat, LocalChat, OpenAIChat

SECRET = "fake-test-key-0123456789abcdefghij"


def make(kind, server, **kw):
    kw.setdefault("max_retries", 2)
    kw.setdefault("timeout", 5)
    if kind == "openai":
        llm = OpenAIChat("fake-model", api_key=SECRET, base_url=server.url + "/v1", **kw)
    elif kind == "groq":
        llm = GroqChat("fake-model", api_key=SECRET, base_url=server.url, **kw)
    elif kind == "local":
        llm = LocalChat("fake-model", api_key="local", base_url=server.url + "/v1", **kw)
    else:
        llm = GeminiChat("fake-model", api_key=SECRET, base_url=server.url, **kw)
    llm.backoff = 0.01  # the real default waits seconds between retries
    return llm


def ok_body(kind, text, *tokens):
    return gemini_body(text, *tokens) if kind == "gemini" else chat_body(text, *tokens)


def err(kind, status, message, code=None):
    if kind == "gemini":
        return {"error": {"code": status, "message": message, "status": code or "ERROR"}}
    return error_body(status, message, code)


KINDS = ["openai", "groq", "local", "gemini"]


@pytest.mark.parametrize("kind", KINDS)
def test_success_returns_text_and_counts_tokens(kind, server):
    server.add(body=ok_body(kind, "hello there", 12, 3))
    llm = make(kind, server)
    assert llm.chat("Say hello", system="Be brief") == "hello there"
    t = llm.usage.totals()
    assert (t["api_calls"], t["input_tokens"], t["output_tokens"]) == (1, 12, 3)
    sent = server.requests[-1]
    text = str(sent["json"])
    assert "Say hello" in text and "Be brief" in text


@pytest.mark.parametrize("kind", KINDS)
def test_json_mode_reaches_the_provider_only_when_asked(kind, server):
    server.add(body=ok_body(kind, '{"a": 1}'))
    server.add(body=ok_body(kind, "plain"))
    llm = make(kind, server)
    assert llm.chat("Answer in JSON", json_mode=True) == '{"a": 1}'
    llm.chat("Answer in prose")
    asked, plain = (r["json"] for r in server.requests[-2:])
    if kind == "gemini":
        assert asked["generationConfig"]["responseMimeType"] == "application/json"
        assert "responseMimeType" not in plain.get("generationConfig", {})
    else:
        assert asked["response_format"] == {"type": "json_object"} and "response_format" not in plain


@pytest.mark.parametrize("kind", KINDS)
def test_429_is_retried_then_succeeds(kind, server):
    server.add(429, err(kind, 429, "slow down", "rate_limit_exceeded"), {"retry-after": "0"})
    server.add(body=ok_body(kind, "second time lucky"))
    llm = make(kind, server)
    assert llm.chat("hi") == "second time lucky"
    assert len([r for r in server.requests if r["method"] == "POST"]) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_rate_limit_that_persists_says_what_to_do(kind, server):
    for _ in range(3):
        server.add(429, err(kind, 429, "slow down"), {"retry-after": "0"})
    with pytest.raises(RateLimitError, match="Wait a minute"):
        make(kind, server).chat("hi")


@pytest.mark.parametrize("kind", ["openai", "groq", "local"])
def test_insufficient_quota_is_not_retried(kind, server):
    server.add(429, error_body(429, "You exceeded your current quota", "insufficient_quota",
                               "insufficient_quota"))
    with pytest.raises(QuotaExhaustedError, match="out of credit"):
        make(kind, server).chat("hi")
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_401_says_the_key_was_rejected_and_never_shows_it(kind, server):
    server.add(401, err(kind, 401, "Incorrect API key provided", "invalid_api_key"))
    with pytest.raises(KeyRejectedError) as info:
        make(kind, server).chat("hi")
    assert "rejected the API key" in str(info.value)
    assert SECRET not in str(info.value) and SECRET[-8:] not in str(info.value)
    assert info.value.__cause__ is not None, "the SDK exception stays attached"
    assert len(server.requests) == 1, "a rejected key is not retried"


@pytest.mark.parametrize("kind", KINDS)
def test_404_model_not_found_names_the_variable(kind, server):
    server.add(404, err(kind, 404, "The model `fake-model` does not exist", "model_not_found"))
    with pytest.raises(ModelNotFoundError) as info:
        make(kind, server).chat("hi")
    var = {"openai": "OPENAI_MODEL", "groq": "GROQ_MODEL", "local": "LOCAL_MODEL", "gemini": "GEMINI_MODEL"}[kind]
    assert var in str(info.value) and "list_models()" in str(info.value)


def test_groq_decommissioned_model_is_a_model_error(server):
    server.add(400, error_body(400, "The model `llama-3.1-8b-instant` has been decommissioned",
                               "model_decommissioned"))
    with pytest.raises(ModelNotFoundError, match="GROQ_MODEL"):
        make("groq", server).chat("hi")


@pytest.mark.parametrize("kind", KINDS)
def test_500_is_retried_then_reported(kind, server):
    server.add(500, err(kind, 500, "boom"))
    server.add(body=ok_body(kind, "recovered"))
    assert make(kind, server).chat("hi") == "recovered"
    for _ in range(3):
        server.add(503, err(kind, 503, "overloaded"))
    with pytest.raises(ProviderUnavailableError, match="replay"):
        make(kind, server).chat("again")


@pytest.mark.parametrize("kind", KINDS)
def test_slow_reply_hits_the_timeout(kind, server):
    server.add(body=ok_body(kind, "too late"), delay=3)
    server.add(body=ok_body(kind, "too late"), delay=3)
    with pytest.raises(ProviderUnavailableError, match="did not answer"):
        make(kind, server, timeout=0.5, max_retries=1).chat("hi")


@pytest.mark.parametrize("kind", KINDS)
def test_empty_reply_is_an_empty_string(kind, server):
    server.add(body=ok_body(kind, ""))
    assert make(kind, server).chat("hi") == ""


@pytest.mark.parametrize("kind", KINDS)
def test_reply_with_no_code_extracts_nothing(kind, server):
    server.add(body=ok_body(kind, "I am sorry, I cannot help with that request."))
    reply = make(kind, server).chat("fix my code")
    assert reply and extract_code(reply) == ""


def test_openai_drops_a_parameter_the_model_refuses(server):
    server.add(400, error_body(400, "Unsupported value: 'temperature' does not support 0.7", "unsupported_value"))
    server.add(body=chat_body("fine"))
    llm = make("openai", server)
    assert llm.chat("hi") == "fine"
    assert "temperature" not in server.requests[-1]["json"]


def test_unknown_400_is_an_llm_error_with_the_reason(server):
    server.add(400, error_body(400, "messages must not be empty"))
    with pytest.raises(LLMError, match="messages must not be empty"):
        make("openai", server).chat("hi")


@pytest.mark.parametrize("kind", KINDS)
def test_list_models(kind, server):
    assert make(kind, server).list_models() == ["fake-model", "other-model"]


def test_multi_turn_messages_reach_gemini_with_roles(server):
    server.add(body=gemini_body("4"))
    llm = make("gemini", server)
    messages = [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"},
                {"role": "user", "content": "and again?"}]
    assert llm.chat(messages, system="math tutor") == "4"
    body = server.requests[-1]["json"]
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    assert "math tutor" in str(body.get("systemInstruction") or body.get("system_instruction"))


def test_gemini_429_waits_the_retry_delay_from_its_body(server, monkeypatch):
    body = {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED",
                      "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}]}}
    server.add(status=429, body=body)
    server.add(body=gemini_body("after the wait"))
    waits = []
    monkeypatch.setattr("helpers.llm.base.time.sleep", waits.append)
    assert make("gemini", server).chat("hi") == "after the wait"
    assert waits == [37.0]          # what Google asked for, not the short exponential backoff


@pytest.mark.parametrize("kind", KINDS)
def test_the_sample_index_reaches_the_provider_as_its_seed(kind, server):
    for _ in range(2):
        server.add(body=ok_body(kind, "a child"))
    llm = make(kind, server)
    llm.chat("Mutate this", sample=0)
    llm.chat("Mutate this", sample=3)          # the same prompt: a second, distinct sample
    first, second = (r["json"] for r in server.requests[-2:])
    if kind == "gemini":
        assert (first["generationConfig"]["seed"], second["generationConfig"]["seed"]) == (0, 3)
    else:
        assert (first["seed"], second["seed"]) == (0, 3)
