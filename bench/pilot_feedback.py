"""Pilot of notebook 01's feedback experiment (issue 33), before anything is recorded: every candidate long bug
(``LONG_ZOO`` in helpers/repair/long_zoo.py), no feedback against full feedback, 4 samples at temperature 0.7, at
most 2 calls a run, the model asked for only the functions it changes (``repair(..., ask_for="functions")``).

    python bench/pilot_feedback.py                                # the local model, e.g. ../shared/llm/serve
    python bench/pilot_feedback.py --samples 6 --bugs invoice grades --arms none traceback full

Prints each bug's repaired runs per arm, the rates with their standard errors, and the bugs where full feedback
beat none, with the samples per bug a recording would need for their difference to be two standard errors.
Every reply is kept in bench/pilot_feedback/replies.jsonl the moment it arrives, and read back first: a killed
pilot resumes where it stopped, and a re-run asks the model nothing it was asked before. Each run's row goes to
runs.csv. The pilot's samples start at 1000: the local server seeds a call with its sample, so a recording
(samples 0, 1, ...) draws fresh replies, never the pilot's.
The server is get_llm("local")'s: LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1) and LLM_MODEL choose it.
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # the repository, for helpers

from helpers.llm import LLM, get_llm  # noqa: E402
from helpers.llm.base import Reply, request_key  # noqa: E402
from helpers.llm.recording import load  # noqa: E402
from helpers.repair import (  # noqa: E402
    ALL_LONG,
    ARMS,
    LONG_ZOO,
    arms_table,
    get_bug,
    print_arms,
    repair,
    run_arms,
    runs_needed,
)

OUT = Path(__file__).resolve().parent / "pilot_feedback"
LEVELS = {level: arm for arm, level in ARMS.items()}   # 'none' -> 'no feedback', ...


class KeptReplies(LLM):
    """Answers a request kept in ``path``; asks ``live`` for any other and appends it to ``path`` at once, in
    the recording's format (a header, then one JSON line per call), so ``ReplayLLM`` can read the file too."""

    provider = "kept"

    def __init__(self, path: Path, live: LLM):
        self.path, self.live = Path(path), live
        self.kept = {e["key"]: e for e in load(self.path)[1]}
        self.live_seconds: list[float] = []
        super().__init__(live.model, max_retries=0)

    def _complete(self, request: dict) -> Reply:
        key = request_key(request)
        entry, source = self.kept.get(key), "replay"
        if entry is None:
            entry, source = self._ask(key, request), "api"
        usage = entry.get("usage", {})
        return Reply(entry["reply"], usage.get("input_tokens", 0), usage.get("output_tokens", 0), source)

    def _ask(self, key: str, request: dict) -> dict:
        start = time.perf_counter()
        text = self.live.chat(request["messages"], temperature=request["temperature"],
                              max_tokens=request["max_tokens"], sample=request["sample"])
        seconds = time.perf_counter() - start
        call = self.live.usage.calls[-1]
        entry = {"key": key, "request": request, "reply": text, "provider": self.live.provider,
                 "model": self.live.model, "usage": {"input_tokens": call.input_tokens,
                                                     "output_tokens": call.output_tokens},
                 "latency": round(seconds, 3), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        lines = [] if self.path.exists() else [{"type": "header", "provider": self.live.provider,
                                                "model": self.live.model, "notebook": "pilot_feedback",
                                                "date": time.strftime("%Y-%m-%d", time.gmtime())}]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.writelines(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n" for line in [*lines, entry])
        self.kept[key] = entry
        self.live_seconds.append(seconds)
        return entry


def suggest(results: dict, better: str, baseline: str, samples: int, seconds_per_call: float = 15.0) -> list[str]:
    """Print the bugs where ``better`` repaired more runs than ``baseline`` and what a recording of them needs."""
    won = {}
    for bug in dict.fromkeys(results[better]["bug"]):
        k = {arm: int(results[arm].loc[results[arm]["bug"] == bug, "repaired"].sum()) for arm in (better, baseline)}
        if k[better] > k[baseline]:
            won[bug] = k[better] - k[baseline]
    chosen = sorted(won, key=won.get, reverse=True)
    if not chosen:
        print(f"\nNo bug where {better} beat {baseline} in {samples} samples: on this design the pilot shows no "
              "difference (issue 33 says: report it as blocked, with these figures).")
        return []
    print(f"\nBugs where {better} beat {baseline} (runs repaired, {better} minus {baseline}, of {samples}): "
          + ", ".join(f"{bug} +{won[bug]}" for bug in chosen))
    rows = {arm: results[arm][results[arm]["bug"].isin(chosen)] for arm in (better, baseline)}
    # planning rates (k + 1) / (n + 2): 0 of 8 is not a sure 0, and its SE of 0 would promise too much
    p1, p0 = ((rows[arm]["repaired"].sum() + 1) / (len(rows[arm]) + 2) for arm in (better, baseline))
    n = runs_needed(p0, p1)
    calls = sum(rows[arm]["attempts"].mean() for arm in rows) / 2
    print(f"On these {len(chosen)} bugs, planning with rates {p1:.2f} ({better}) and {p0:.2f} ({baseline}), "
          f"(k+1)/(n+2) of the pilot's: for that difference to be 2 SE a recording needs {n} runs per arm, "
          f"{math.ceil(n / len(chosen))} samples per bug. The choice flatters the pilot's difference (it kept the "
          "bugs where it was large): take more. Three arms, samples per bug against the SE of the difference:")
    for per_bug in (4, 6, 8, 10, 12, 16):
        runs = per_bug * len(chosen)
        se = ((p1 * (1 - p1) + p0 * (1 - p0)) / runs) ** 0.5
        total = math.ceil(3 * runs * calls)
        print(f"  {per_bug:>2} samples: {runs:>3} runs per arm, SE {se:.3f}, the difference is {(p1 - p0) / se:.1f} SE; "
              f"~{total} calls, ~{total * seconds_per_call / 60:.0f} min at {seconds_per_call:.0f} s a call")
    return chosen


def main(argv=None, llm: LLM | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=4, help="samples per bug and arm (default 4)")
    parser.add_argument("--bugs", nargs="+", help=f"candidate bugs (default all: {[b.name for b in LONG_ZOO]})")
    parser.add_argument("--arms", nargs="+", default=["none", "full"], choices=list(LEVELS),
                        help="feedback levels to compare (default: none full)")
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--first-sample", type=int, default=1000, help="first sample index (default 1000)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for replies.jsonl and runs.csv ({OUT})")
    args = parser.parse_args(argv)
    bugs = [get_bug(name, ALL_LONG) for name in args.bugs] if args.bugs else LONG_ZOO
    kept = KeptReplies(args.out / "replies.jsonl", llm or get_llm("local"))
    print(f"{len(kept.kept)} replies kept in {args.out / 'replies.jsonl'}; asking {kept.live!r} for the rest")
    arms = [LEVELS[level] for level in args.arms]
    results = run_arms(repair, bugs, kept, arms=arms, samples=args.samples, temperature=args.temperature,
                       max_attempts=2, first_sample=args.first_sample, ask_for="functions")
    import pandas as pd

    pd.concat([df.assign(arm=arm) for arm, df in results.items()]).to_csv(args.out / "runs.csv", index=False)
    print("\nRuns repaired per bug and arm:")
    print(arms_table(results).to_string())
    print()
    better, baseline = arms[-1], arms[0]
    print_arms(results, better, baseline)
    per_call = sum(kept.live_seconds) / len(kept.live_seconds) if kept.live_seconds else float("nan")
    kept_seconds = [e.get("latency", 0.0) for e in kept.kept.values()]
    typical = sum(kept_seconds) / len(kept_seconds) if kept_seconds and sum(kept_seconds) else 15.0
    suggest(results, better, baseline, args.samples, typical)
    t = kept.usage.totals()
    print(f"\n{t['calls']} LLM calls: {t['api_calls']} asked now ({per_call:.1f} s each on average), "
          f"{t['replay_hits']} answered from the kept replies")
    return results


if __name__ == "__main__":
    main()
