"""What the sandbox costs, as ratios measured side by side in one run (medians of a few repeats).

    python bench/bench_sandbox.py

(1) run_code("pass")                     vs  a bare `python -I -c pass`   target <= 1.2x
(2) warm fork-server run of "pass"        vs  a bare `python -I -c pass`   target <= 0.3x
(3) scoring a 20 Newsgroups candidate, warm vs in-process                  target <= 1.1x
Prints PASS/MISS per target; never fails.
"""

import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.sandbox import ForkServer, call_function, run_code  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "sklearn"
if "SCIKIT_LEARN_DATA" not in os.environ and SHARED.exists():
    os.environ["SCIKIT_LEARN_DATA"] = str(SHARED)

CANDIDATE = """
import pickle
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

def score(path="news.pkl"):
    with open(path, "rb") as f:
        texts, y = pickle.load(f)
    X_train, X_test, y_train, y_test = train_test_split(texts, y, test_size=0.3, random_state=42, stratify=y)
    model = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2), SGDClassifier(random_state=0))
    model.fit(X_train, y_train)
    return float(model.score(X_test, y_test))
"""


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(fns, repeats):
    # Alternating the contenders shares out whatever else the machine is doing.
    times = [[] for _ in fns]
    for _ in range(repeats):
        for slot, fn in zip(times, fns, strict=True):
            start = time.perf_counter()
            fn()
            slot.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def report(label, ratio, target, detail):
    verdict = "PASS" if ratio <= target else "MISS"
    print(f"{label:<44} {ratio:5.2f}x  (target <= {target}x)  {verdict}   {detail}")


def main():
    bare_cmd = [sys.executable, "-I", "-c", "pass"]
    bare = lambda: subprocess.run(bare_cmd, check=True)  # noqa: E731
    print("warming the fork server (numpy + sklearn preloaded) ...", flush=True)
    start = time.perf_counter()
    with ForkServer(preload=("numpy", "sklearn")) as server:
        print(f"fork server ready in {time.perf_counter() - start:.1f}s\n")
        run_code("pass")
        server.run_code("pass")
        t_bare, t_cold, t_warm = interleaved(
            [bare, lambda: run_code("pass"), lambda: server.run_code("pass")], repeats=30)
        report("(1) run_code('pass') / bare interpreter", t_cold / t_bare, 1.2,
               f"{t_cold * 1000:.1f} ms vs {t_bare * 1000:.1f} ms")
        report("(2) warm run_code('pass') / bare interpreter", t_warm / t_bare, 0.3,
               f"{t_warm * 1000:.1f} ms vs {t_bare * 1000:.1f} ms")

        try:
            from sklearn.datasets import fetch_20newsgroups
            news = fetch_20newsgroups(subset="test", remove=("headers", "footers", "quotes"))
        except Exception as exc:  # no data offline: say so, do not fail
            print(f"(3) skipped: 20 Newsgroups unavailable ({exc!r})")
            return
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "news.pkl"
            with open(data, "wb") as f:  # pickled once; each run gets a symlink, not a copy
                pickle.dump((list(news.data), news.target.tolist()), f, protocol=pickle.HIGHEST_PROTOCOL)
            namespace = {}
            exec(compile(CANDIDATE, "<candidate>", "exec"), namespace)

            def in_process():
                return namespace["score"](str(data))

            def sandboxed():
                result = call_function(CANDIDATE, "score", timeout=120, warm=server, files={"news.pkl": data})
                assert result.ok, result.feedback()
                return result.value

            acc_in, acc_box = in_process(), sandboxed()  # warm-up, and the two must agree
            t_in, t_box = interleaved([in_process, sandboxed], repeats=5)
            report("(3) warm newsgroups scoring / in-process", t_box / t_in, 1.1,
                   f"{t_box:.2f} s vs {t_in:.2f} s; accuracy {acc_box:.4f} vs {acc_in:.4f}, "
                   f"{data.stat().st_size / 1e6:.1f} MB of data")
            t_cold_score = median_time(lambda: call_function(CANDIDATE, "score", timeout=120,
                                                             files={"news.pkl": data}), repeats=3)
            print(f"    (for reference: cold sandbox scoring {t_cold_score:.2f} s, "
                  f"{t_cold_score / t_in:.2f}x in-process)")


if __name__ == "__main__":
    main()
