"""The room-rehearsal bench's server, driven by the real SDKs: recorded replies, 429s, and one live notebook."""

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from rehearsal.profiles import PROFILES  # noqa: E402
from rehearsal.runner import NOTEBOOKS, rehearse  # noqa: E402
from rehearsal.server import RehearsalServer  # noqa: E402

from helpers import get_llm  # noqa: E402
from helpers.llm.recording import load, recording_path  # noqa: E402

RECORDING = recording_path("03_toolmaker")
FAST = {"ttft": 0.01, "tokens_per_s": 1e6}  # the tests check behaviour, not the profiles' pace


def first_recorded_call():
    entry = load(RECORDING)[1][0]
    messages = entry["request"]["messages"]
    system = next((m["content"] for m in messages if m["role"] == "system"), None)
    turns = [m for m in messages if m["role"] != "system"]
    return entry, turns, system


@pytest.mark.parametrize("provider", ["openai", "groq", "gemini"])
def test_each_sdk_gets_the_recorded_reply_then_a_429_when_the_minute_is_full(provider, clean_env):
    profile = dataclasses.replace(PROFILES[provider], rpm=1, **FAST)
    entry, turns, system = first_recorded_call()
    with RehearsalServer(profile, RECORDING) as server:
        for name, value in server.env().items():
            clean_env.setenv(name, value)
        llm = get_llm(quiet=True)
        assert type(llm).__name__ != "ReplayLLM"
        reply = llm.chat(turns, system, temperature=entry["request"]["temperature"],
                         max_tokens=entry["request"]["max_tokens"], json_mode=entry["request"].get("json", False))
        assert reply == entry["reply"]
        assert (server.stats.answered, server.stats.misses) == (1, 0)
        assert server.stats.input_tokens == entry["usage"]["input_tokens"]

        with pytest.raises(Exception) as caught:  # the raw SDK error, before helpers' retries
            llm._complete({"messages": [{"role": "user", "content": "one more"}], "temperature": 0.7,
                           "max_tokens": 50, "sample": 0})
    assert server.stats.rate_limited == 1
    status = getattr(caught.value, "status_code", None) or getattr(caught.value, "code", None)
    assert status == 429
    headers = caught.value.response.headers
    if provider == "gemini":  # Gemini puts the delay in the body's RetryInfo, not in headers
        assert "RetryInfo" in str(caught.value.details)
    else:
        assert 0 < int(headers["retry-after"]) <= 60
        expected = profile.rpd if provider == "groq" else profile.rpm  # Groq's request headers are per day
        assert headers["x-ratelimit-limit-requests"] == str(expected)


def test_tokens_per_minute_count_max_tokens_where_the_provider_reserves_them():
    profile = dataclasses.replace(PROFILES["groq"], tpm=600, **FAST)
    request = {"messages": [{"role": "user", "content": "x" * 400}], "temperature": 0.7, "max_tokens": 400}
    with RehearsalServer(profile, RECORDING) as server:
        assert server.handle(request, gemini=False)[0] == 200  # 101 estimated + 400 reserved
        status, body, headers = server.handle(request, gemini=False)
    assert status == 429 and body["error"]["type"] == "tokens" and "Requested 501" in body["error"]["message"]


def test_a_short_notebook_runs_live_through_the_server(monkeypatch):
    for var in ("OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GROQ_API_KEY", "LLM_PROVIDER", "CI"):
        monkeypatch.delenv(var, raising=False)
    notebook = next(p for p in NOTEBOOKS if p.stem == "03_toolmaker")
    row = rehearse(notebook, dataclasses.replace(PROFILES["openai"], **FAST), timeout=300)
    assert row["live"], "the notebook must announce the live provider, not replay"
    assert not row["errors"] and not row["failed_calls"]
    assert row["misses"] == 0, "every request the SDK sent must match its recording exactly"
    assert row["answered"] == row["requests"] > 0
    assert row["provider_calls"][-1] == row["answered"], "the notebook's ledger counts every call the server answered"
    assert row["tokens_in"] > 0 and row["cost"] > 0
