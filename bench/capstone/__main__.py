"""Notebook 05's verdict with its controls: the kit's evolution against best-of-N at equal calls, without the
human directions, and against OpenEvolve on the same model and budget; held out on two item distributions.

    python bench/capstone table                 # the table, from the kept results (no model, seconds)
    python bench/capstone run                   # re-run every arm from the kept replies (no model; minutes)
    python bench/capstone run --live            # ask the local model for whatever is not kept yet
    python bench/capstone run --live --arms kit --seeds 1

Every LLM reply is kept in ``kept/replies/`` as it arrives, and each run's result in ``kept/results/``: a run
killed halfway resumes where it stopped, and a reader with no model replays all of it. With ``--live``,
``LLM_BASE_URL`` (default http://127.0.0.1:8080/v1) is the OpenAI-compatible server (llama.cpp, Ollama, vLLM).
"""

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))   # the repository, for helpers
sys.path.insert(0, str(HERE))

import arms  # noqa: E402
from distributions import DISTRIBUTIONS, baselines, held_out, judge  # noqa: E402
from kept import KeepingProxy, KeptLLM  # noqa: E402

from helpers import get_llm  # noqa: E402

ARMS = ["kit", "best_of_n", "no_directions", "openevolve"]
LABELS = {"kit": "kit's evolution", "best_of_n": "best-of-N (same prompts, no evolution)",
          "no_directions": "kit's evolution, no directions", "openevolve": "OpenEvolve 0.4.1 (full rewrites)"}
RECORDING = HERE.parent.parent / "recordings" / "05_your_problem.jsonl"   # the notebook's run: kit, seed 0


def run_one(arm, seed, store: Path, live: bool) -> dict:
    out = store / "results" / f"{arm}-{seed}.json"
    budget = None
    if arm != "kit":   # equal calls: what the kit's run of the same seed spent
        kit_result = store / "results" / f"kit-{seed}.json"
        if not kit_result.exists():
            run_one("kit", seed, store, live)
        budget = json.loads(kit_result.read_text())["calls"]
    started = time.time()
    upstream = os.environ.get("LLM_BASE_URL", "http://127.0.0.1:8080/v1") if live else None
    replies = store / "replies" / f"{arm}-{seed}.jsonl"
    extra = {}
    if arm == "openevolve":
        proxy = KeepingProxy(replies, upstream)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                log = store / "logs" / f"openevolve-{seed}.log"
                log.parent.mkdir(parents=True, exist_ok=True)
                block, fit, calls, extra = arms.openevolve(proxy, seed, budget, Path(tmp), log)
        finally:
            proxy.close()
    else:
        live_llm = get_llm("local", base_url=upstream, quiet=True) if live else None
        llm = KeptLLM(replies, live_llm, also=[RECORDING] if (arm, seed) == ("kit", 0) else ())
        if arm == "best_of_n":
            block, fit, calls = arms.best_of_n(llm, seed, budget)
        else:
            block, fit, calls = getattr(arms, arm)(llm, seed)
        extra = {"kept": sum(c.source == "replay" for c in llm.usage.calls)}
    result = {"arm": arm, "seed": seed, "generations": arms.GENERATIONS, "calls": calls, "budget": budget,
              "winner": block,
              "train_excess": round(fit.info.get("excess_pct", float("nan")), 4) if not fit.error else fit.error,
              "held_out": held_out(block), "minutes": round((time.time() - started) / 60, 1), **extra}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"{arm} seed {seed}: {calls} calls, held-out {result['held_out']} ({result['minutes']} min)", flush=True)
    return result


def mean_se(values):
    values = [v for v in values if isinstance(v, int | float)]
    if not values:
        return float("nan"), float("nan"), 0
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
    return statistics.mean(values), se, len(values)


def table(store: Path) -> str:
    results = [json.loads(p.read_text()) for p in sorted((store / "results").glob("*.json"))]
    base = baselines(judge())
    names = list(DISTRIBUTIONS)
    generations = sorted({r.get("generations", 3) for r in results})
    lines = ["Held-out excess over the L2 lower bound, % (lower is better); mean ± SE over seeds; "
             "model: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, llama.cpp, CPU). Budget: the kit runs "
             f"{'/'.join(map(str, generations))} generations of 3 children; best-of-N and OpenEvolve get exactly "
             "the calls the kit's run of the same seed spent; the arm without directions runs the same generations.",
             "| arm | seeds | LLM calls per run | " + " | ".join(names) + " |",
             "|---|---|---|" + "---|" * len(names)]
    stats = {}
    for arm in ARMS:
        rows = [r for r in results if r["arm"] == arm]
        if not rows:
            continue
        calls = mean_se([r["calls"] for r in rows])[0]
        cells = []
        for name in names:
            m, se, n = mean_se([r["held_out"][name] for r in rows])
            stats[arm, name] = (m, se, n)
            cells.append(f"{m:.2f} ± {se:.2f}")
        lines.append(f"| {LABELS[arm]} | {len(rows)} | {calls:.1f} | " + " | ".join(cells) + " |")
    for name, row in base.items():
        lines.append(f"| {name} | - | 0 | " + " | ".join(f"{row[n]:.2f}" for n in names) + " |")
    lines.append("")
    for other in ("best_of_n", "no_directions", "openevolve"):
        for name in names:
            if ("kit", name) in stats and (other, name) in stats:
                (a, sa, _), (b, sb, _) = stats["kit", name], stats[other, name]
                lines.append(f"kit minus {LABELS[other]}, {name}: difference: {a - b:+.2f} ± "
                             f"{math.sqrt(sa ** 2 + sb ** 2):.2f} points (negative: the kit packs tighter)")
    for r in results:
        log = store / "logs" / f"openevolve-{r['seed']}.log"
        if r["arm"] == "openevolve" and log.exists():
            it = arms._iterations(log.read_text())
            lines.append(f"OpenEvolve seed {r['seed']}: {it['children']} of {r['calls']} iterations made a scored "
                         f"child; the others: {', '.join(f'{n} x {e}' for e, n in it['errors'].items()) or 'none'}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "table"])
    parser.add_argument("--live", action="store_true", help="ask the model for replies not kept yet")
    parser.add_argument("--arms", nargs="*", default=ARMS, choices=ARMS)
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    parser.add_argument("--store", type=Path, default=HERE / "kept")
    parser.add_argument("--generations", type=int, default=arms.GENERATIONS,
                        help="the kit's generations (6: the notebook's whole run, 27 calls; keep it in its own --store)")
    parser.add_argument("--fresh", action="store_true", help="recompute results that exist (from kept replies)")
    args = parser.parse_args(argv)
    arms.GENERATIONS = args.generations
    if args.command == "run":
        for seed in args.seeds:
            for arm in args.arms:
                if args.fresh or not (args.store / "results" / f"{arm}-{seed}.json").exists():
                    run_one(arm, seed, args.store, args.live)
    print(table(args.store))


if __name__ == "__main__":
    main()
