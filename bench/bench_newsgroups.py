"""Evaluation throughput for newsgroups candidates: sequential vs concurrent, sandbox vs in-process.

    SCIKIT_LEARN_DATA=../shared/data/sklearn python bench/bench_newsgroups.py [--limit 3000] [--n 4]

Scores the same fixed, trusted programs (the seed, the post's final pipeline and two variants) four ways and
prints the ratios measured in this one run. In-process means exec() of these known programs in this
process: fine for a benchmark of our own code, never for LLM code (that is what the sandbox is for).
"""

import argparse
import pickle
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers.evolution import POST_FINAL, SEED_PROGRAM, load_newsgroups, newsgroups_problem  # noqa: E402
from helpers.evolution.tasks.newsgroups import DATA_FILE, score  # noqa: E402

VARIANTS = [SEED_PROGRAM, POST_FINAL,
            POST_FINAL.replace("SelectKBest(chi2, k=8000),", ""),
            POST_FINAL.replace('stop_words="english", ', "")]


def in_process(task, code):
    namespace = {}
    exec(compile(task.program(code) + "\n\n" + task.evaluator, "<candidate>", "exec"), namespace)   # trusted only
    v = namespace[task.inline]("validation", data=str(task.files[DATA_FILE]))
    return score(task.options, v["accuracy"], v["train_time"], v["pred_time"])


def timed(label, fn, programs, results):
    start = time.perf_counter()
    scores = fn(programs)
    seconds = time.perf_counter() - start
    results[label] = seconds
    print(f"{label:<34} {seconds:7.1f} s  {len(programs) / seconds:5.2f} candidates/s  "
          f"scores {[round(s, 3) for s in scores]}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None, help="documents to use (default: all 7,532)")
    ap.add_argument("--n", type=int, default=4, help="candidates per measurement")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    data = load_newsgroups(limit=args.limit)
    print(f"{data}; {args.n} candidates per measurement, {args.workers} workers", flush=True)
    with open(data.path, "rb") as f:
        pickle.load(f)   # warm the page cache for everyone
    programs = (VARIANTS * args.n)[: args.n]
    task = newsgroups_problem(data, timeout=120, warm=())   # cold: a fresh Python per candidate
    results = {}
    timed("in-process, sequential", lambda ps: [in_process(task, p) for p in ps], programs, results)
    timed("sandbox (cold), sequential", lambda ps: [task.fitness(p).score for p in ps], programs, results)
    with ThreadPoolExecutor(args.workers) as pool:
        timed(f"sandbox (cold), {args.workers} threads", lambda ps: [f.score for f in pool.map(task.fitness, ps)],
              programs, results)
        warm = newsgroups_problem(data, timeout=120)   # the folder's warm=["numpy", "sklearn"]: a forked template
        timed(f"sandbox (warm fork), {args.workers} threads",
              lambda ps: [f.score for f in pool.map(warm.fitness, ps)], programs, results)
    seq, cold, conc = (results["in-process, sequential"], results["sandbox (cold), sequential"],
                       results[f"sandbox (cold), {args.workers} threads"])
    print(f"\nsandbox overhead (cold, sequential / in-process): {cold / seq:.2f}x")
    print(f"concurrency speed-up ({args.workers} threads vs sequential, sandbox): {cold / conc:.2f}x")
    print(f"warm fork server vs cold, {args.workers} threads: "
          f"{conc / results[f'sandbox (warm fork), {args.workers} threads']:.2f}x")


if __name__ == "__main__":
    main()
