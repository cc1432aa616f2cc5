"""chat_many against sequential calls, on a loopback server with a fixed latency per reply.

Target: 8 prompts through chat_many take at most 1.3x the wall time of one call.
Prints ratios measured in this run; never fails (timings on shared machines are noisy).
    python bench/bench_llm.py [latency_seconds]
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fakeserver import FakeServer, chat_body  # noqa: E402

from helpers.llm.providers import LocalChat  # noqa: E402

LATENCY = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
N = 8


def main():
    server = FakeServer()
    llm = LocalChat("fake-model", api_key="local", base_url=server.url + "/v1")
    for _ in range(2 * N + 1):
        server.add(body=chat_body("reply"), delay=LATENCY)
    start = time.perf_counter()
    llm.chat("warm-up and one call")
    one = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(N):
        llm.chat(f"sequential {i}")
    sequential = time.perf_counter() - start
    start = time.perf_counter()
    llm.chat_many([f"concurrent {i}" for i in range(N)], max_workers=N)
    concurrent = time.perf_counter() - start
    server.close()
    ratio = concurrent / one
    print(f"server latency {LATENCY:.2f}s | one call {one:.3f}s | {N} sequential {sequential:.3f}s | "
          f"{N} via chat_many {concurrent:.3f}s")
    print(f"chat_many / one call = {ratio:.2f}x (target <= 1.3x: {'PASS' if ratio <= 1.3 else 'MISS'}); "
          f"sequential / chat_many = {sequential / concurrent:.1f}x")


if __name__ == "__main__":
    main()
