"""Record, then replay: byte-identical replies, no network, no keys, and misses that never crash."""

import json
import threading

from fakeserver import chat_body

from helpers import FakeLLM, get_llm
from helpers.llm.providers import OpenAIChat
from helpers.llm.recording import Recorder, load
from helpers.llm.replay import ReplayLLM

MESSY = ["  leading spaces\n\n", "emoji ✨🫶 and ünïcödé", "```python\nprint('x')\n```\n", "", "tabs\tand\r\nCRLF"]


def record_fake(path, replies, prompts, **kw):
    llm = FakeLLM(replies, recorder=Recorder(path, "fake", "fake-model"))
    return llm, [llm.chat(p, **kw) for p in prompts]


def test_record_then_replay_is_byte_identical(tmp_path):
    path = tmp_path / "nb.jsonl"
    prompts = [f"prompt {i}" for i in range(len(MESSY))]
    _, live = record_fake(path, list(MESSY), prompts)
    replay = ReplayLLM(path)
    assert [replay.chat(p) for p in prompts] == live == MESSY
    t = replay.usage.totals()
    assert t["replay_hits"] == len(MESSY) and t["replay_misses"] == 0 and t["input_tokens"] == 0


def test_recording_header_names_model_and_date(tmp_path):
    path = tmp_path / "nb.jsonl"
    record_fake(path, ["a"], ["p"])
    header, entries = load(path)
    assert header["model"] == "fake-model" and len(header["date"]) == 10 and header["notebook"] == "nb"
    assert entries[0]["reply"] == "a" and entries[0]["request"]["messages"][0]["content"] == "p"


def test_loading_and_rewriting_a_recording_keeps_its_bytes(tmp_path):
    path = tmp_path / "nb.jsonl"
    record_fake(path, list(MESSY), [f"p{i}" for i in range(len(MESSY))])
    header, entries = load(path)
    again = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in [header, *entries])
    assert again == path.read_text(encoding="utf-8")


def test_a_new_recording_session_starts_the_file_afresh(tmp_path):
    path = tmp_path / "nb.jsonl"
    record_fake(path, ["old"], ["p"])
    record_fake(path, ["new"], ["q"])
    _, entries = load(path)
    assert [e["reply"] for e in entries] == ["new"]


def test_the_key_never_reaches_a_recording(tmp_path, server):
    secret = "fake-live-key-abcdefghijklmnopqrstu"
    server.add(body=chat_body("hi"))
    path = tmp_path / "nb.jsonl"
    llm = OpenAIChat("fake-model", api_key=secret, base_url=server.url + "/v1",
                     recorder=Recorder(path, "openai", "fake-model"))
    llm.chat("hello")
    text = path.read_text()
    assert "hi" in text and secret not in text and secret[-6:] not in text
    assert {k.lower(): v for k, v in server.requests[-1]["headers"].items()}["authorization"].endswith(secret), "the key went to the server only"


def test_cache_hit_costs_no_tokens_and_no_call(tmp_path):
    llm = FakeLLM(["first", "second"])
    assert llm.chat("same") == "first"
    assert llm.chat("same") == "first"
    assert len(llm.requests) == 1
    t = llm.usage.totals()
    assert t["cache_hits"] == 1 and t["api_calls"] == 1


def test_identical_calls_in_flight_at_once_reach_the_provider_once(tmp_path):
    # Two threads ask the same thing while the first call is still out (a worker racing through cache hits
    # catches up with one still waiting). A second provider call would cost twice and put two different
    # replies under one key in the recording.
    twin_arrived, results = threading.Event(), []

    def slow(request):
        if not twin.is_alive():
            twin.start()
        twin_arrived.wait(timeout=1)  # set only if the twin reaches the provider as well
        return "only reply"

    def second():
        results.append(llm.chat("same prompt"))

    llm = FakeLLM([slow, lambda request: twin_arrived.set() or "second reply"],
                  recorder=Recorder(tmp_path / "nb.jsonl", "fake", "fake-model"))
    twin = threading.Thread(target=second)
    results.append(llm.chat("same prompt"))
    twin.join(timeout=5)
    assert results == ["only reply", "only reply"] and len(llm.requests) == 1
    assert llm.usage.totals()["cache_hits"] == 1
    assert len(load(tmp_path / "nb.jsonl")[1]) == 1, "one recorded reply per key"


def test_distinct_samples_of_the_same_prompt_are_not_cached_together():
    llm = FakeLLM(["a", "b", "c"])
    assert llm.chat_many(["same", "same", "same"]) and len(llm.requests) == 3
    assert sorted(r["sample"] for r in llm.requests) == [0, 1, 2]
    assert llm.chat("same", sample=1) in {"a", "b", "c"} and len(llm.requests) == 3


def test_replay_miss_falls_back_to_the_most_similar_unused_reply(tmp_path):
    path = tmp_path / "nb.jsonl"
    record_fake(path, ["about cats", "about dogs"], ["tell me about cats please", "tell me about dogs please"])
    replay = ReplayLLM(path)
    # the score in the prompt changed since the recording, so the key misses
    assert replay.chat("tell me about dogs please, score 0.81") == "about dogs"
    assert replay.chat("tell me about cats please, score 0.79") == "about cats"
    assert replay.chat("something else entirely") in {"about cats", "about dogs"}
    assert replay.usage.totals()["replay_misses"] == 3


def test_a_miss_is_logged_as_a_diff_against_the_request_that_answered_it(tmp_path, monkeypatch):
    path, log = tmp_path / "nb.jsonl", tmp_path / "misses.jsonl"
    record_fake(path, ["about cats"], ["Feedback:\nscore 0.79\ntell me about cats"])
    monkeypatch.setenv("LLM_REPLAY_MISSES", str(log))
    replay = ReplayLLM(path)
    replay.chat("Feedback:\nscore 0.79\ntell me about cats")          # a hit: nothing logged
    assert not log.exists()
    replay.chat("Feedback:\nscore 0.81\ntell me about cats")          # the score drifted: a miss
    [line] = log.read_text().splitlines()
    diff = json.loads(line)["diff"]
    assert "-score 0.79" in diff and "+score 0.81" in diff


def test_a_recording_made_on_one_python_replays_on_another(tmp_path):
    """Python words some errors differently per version; those differences alone are not misses."""
    path = tmp_path / "nb.jsonl"
    on_311 = ("Fix it:\n    return max(xs)\n           ^^^^^^^\nValueError: max() arg is an empty sequence\n"
              "  [Previous line repeated 992 more times]\nThanks")
    on_313 = ("Fix it:\n    return max(xs)\n    ...<2 lines>...\nValueError: max() iterable argument is empty\n"
              "  [Previous line repeated 993 more times]\nThanks")
    record_fake(path, ["the fix"], [on_311])
    replay = ReplayLLM(path)
    assert replay.chat(on_313) == "the fix" and replay.usage.totals()["replay_misses"] == 0
    assert replay.chat(on_313.replace("max()", "sum()")) == "the fix"   # a real difference is still a miss
    assert replay.usage.totals()["replay_misses"] == 1


def test_replay_serves_recordings_under_any_provider_name(tmp_path, clean_env):
    clean_env.setenv("LLM_RECORDINGS_DIR", str(tmp_path))
    record_fake(tmp_path / "demo.jsonl", ["recorded answer"], ["question"], temperature=0.2)
    llm = get_llm("replay", recording="demo", quiet=True)
    assert llm.chat("question", temperature=0.2) == "recorded answer"
    assert llm.usage.totals()["replay_hits"] == 1


def test_recording_through_get_llm_with_local_server(tmp_path, clean_env, server):
    clean_env.setenv("LLM_RECORDINGS_DIR", str(tmp_path))
    clean_env.setenv("LLM_RECORD", "1")
    server.add(body=chat_body("live words"))
    llm = get_llm("local", base_url=server.url + "/v1", recording="nb1", quiet=True)
    assert llm.chat("q") == "live words"
    header, entries = load(tmp_path / "nb1.jsonl")
    assert header["provider"] == "local" and entries[0]["usage"] == {"input_tokens": 11, "output_tokens": 7}
    replay = get_llm("replay", recording="nb1", quiet=True)
    assert replay.chat("q") == "live words"


def test_chat_many_keeps_order_and_can_turn_failures_into_blanks(capsys):
    from helpers import RateLimitError

    llm = FakeLLM([lambda r: r["messages"][-1]["content"].upper()] * 3 + [RateLimitError("busy")])
    assert llm.chat_many(["a", "b", "c"]) == ["A", "B", "C"]
    assert llm.chat_many(["d"], errors="empty") == [""]
    assert "busy" in capsys.readouterr().out
