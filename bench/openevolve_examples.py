"""OpenEvolve's own example folders, loaded by the kit as they are: does the kit score each seed as OpenEvolve does?

    python bench/openevolve_examples.py [--examples /tmp/oe_examples/examples] [--only NAME] [--evolve]

The examples are not in this repository (they are OpenEvolve's files): put a checkout's ``examples/`` folder
somewhere, e.g. ``git clone --depth 1 <OpenEvolve's repository> /tmp/oe && ln -s /tmp/oe/examples
/tmp/oe_examples/examples``. For every Python example (``initial_program.py`` + ``evaluator.py``) whose evaluator
and seed need only numpy, scipy and the standard library (OpenEvolve's ``EvaluationResult`` and a module beside
the evaluator allowed), it loads the folder with ``load_problem`` (no edit), scores the seed with the kit (in the
sandbox) and with OpenEvolve's own ``Evaluator`` (in a child process, as OpenEvolve runs it: OpenEvolve must be
installed), twice, so that a seed whose score varies between runs is told apart from a real difference. The
others are listed with what they need.

``--evolve`` then runs one generation of ``evolve`` on each with the model ``get_llm()`` picks, and reports the
child's score. Its replies are kept in bench/recordings/openevolve_examples.jsonl (recorded when a live model
answers, replayed when none does), so a reader with no model reruns the same generation.
"""

import argparse
import ast
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from helpers.evolution import evolve, load_problem  # noqa: E402
from helpers.evolution.problem import ProblemError  # noqa: E402

ALLOWED = {"numpy", "scipy", "openevolve"} | set(sys.stdlib_module_names)
RECORDINGS = Path(__file__).resolve().parent / "recordings"
SAME = 1e-6   # "scores as OpenEvolve does", for a deterministic evaluator
RAN_NOT = "OpenEvolve's evaluator did not finish: "

# Runs in a child: OpenEvolve's Evaluator on the seed, as its controller builds it from the folder's config.
OPENEVOLVE = r"""
import asyncio, json, logging, sys
logging.basicConfig(level=logging.WARNING, format="%(message)s")
from openevolve.config import load_config
from openevolve.evaluator import Evaluator
from openevolve.utils.metrics_utils import get_fitness_score
folder, config = sys.argv[1], sys.argv[2]
settings = load_config(config if config else None)
evaluator = Evaluator(settings.evaluator, folder + "/evaluator.py", suffix=".py")
code = open(folder + "/initial_program.py", encoding="utf-8").read()
metrics = asyncio.run(evaluator.evaluate_program(code, "seed"))
score = get_fitness_score(metrics, settings.database.feature_dimensions)
print("RESULT " + json.dumps({"metrics": {k: v for k, v in metrics.items() if isinstance(v, (int, float, str))},
                              "score": score}))
"""


def imports(path: Path, everywhere=True) -> set[str]:
    """The top-level modules a file imports (relative imports and modules beside it excluded); with
    ``everywhere=False`` only those its module-level code imports (not inside a function it may never call)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return {"(does not parse)"}
    names = set()
    for node in ast.walk(tree) if everywhere else tree.body:
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    beside = {p.stem for p in path.parent.glob("*.py")}
    return names - beside


def needs(folder: Path) -> set[str]:
    """What the evaluator (anywhere) and the seed (at its top level) import beyond numpy, scipy and the standard
    library: the seed of circle_packing imports matplotlib only inside a drawing function no evaluation calls."""
    return (imports(folder / "evaluator.py") | imports(folder / "initial_program.py", everywhere=False)) - ALLOWED


def config_of(folder: Path) -> str:
    """config.yaml, else the first config file the folder ships (circle_packing has phase 1 and 2)."""
    if (folder / "config.yaml").is_file():
        return "config.yaml"
    shipped = sorted(p.name for p in folder.glob("config*.yaml"))
    return shipped[0] if shipped else "config.yaml"


def openevolve_score(folder: Path, config: str, timeout: float) -> dict:
    run = subprocess.run([sys.executable, "-c", OPENEVOLVE, str(folder),
                          str(folder / config) if (folder / config).is_file() else ""],
                         capture_output=True, text=True, timeout=timeout, cwd=folder)
    line = next((x for x in run.stdout.splitlines() if x.startswith("RESULT ")), None)
    result = json.loads(line[len("RESULT "):]) if line else None
    if result is None or set(result["metrics"]) <= {"error", "timeout"}:   # OpenEvolve's "it failed" metrics
        said = [x for x in (run.stderr or run.stdout).splitlines() if "rror" in x] or ["no output"]
        raise RuntimeError(f"{RAN_NOT}{said[-1].strip()[:200]}")
    return result


def compare(kit_fit, runs: list[dict]) -> tuple[str, float]:
    """'same', 'varies' (OpenEvolve's two runs differ: a random or timed evaluator) or 'DIFFERENT'; the gap."""
    scores = [r["score"] for r in runs]
    gap = abs(kit_fit.score - scores[0])
    if abs(scores[0] - scores[1]) > SAME:
        inside = min(scores) - SAME <= kit_fit.score <= max(scores) + SAME
        return ("varies" + (" (kit inside)" if inside else ""), gap)
    first, second = (r["metrics"] for r in runs)
    steady = {k: v for k, v in first.items() if isinstance(v, int | float) and not isinstance(v, bool)
              and v == second.get(k)}   # a timing (eval_time) differs run to run
    differ = [k for k, v in steady.items() if isinstance(kit_fit.info.get(k), int | float)
              and abs(kit_fit.info[k] - v) > SAME]
    return ("same" if gap <= SAME and not differ else f"DIFFERENT {differ[:3]}", gap)


def one(folder: Path, args, llm) -> dict:
    row = {"example": str(folder.relative_to(args.examples)), "config": config_of(folder)}
    try:
        problem = load_problem(folder, config=row["config"])
        start = time.perf_counter()
        fit = problem.check()
        row["kit_seconds"] = time.perf_counter() - start
    except ProblemError as exc:
        try:   # does OpenEvolve get further? (an example that needs a tool or data set fails there too)
            openevolve_score(folder, row["config"], args.timeout)
            verdict = "OpenEvolve scores it"
        except (RuntimeError, subprocess.TimeoutExpired) as theirs:
            verdict = f"OpenEvolve fails too: {str(theirs).removeprefix(RAN_NOT)[:70]}"
        return {**row, "kit": "refused", "verdict": verdict, "note": str(exc)[:160]}
    row.update(kit=fit.score, stages=" > ".join(problem.label(s) for s in problem.stages),
               artifacts=len(fit.artifacts), rule=problem.score_name)
    try:
        runs = [openevolve_score(folder, row["config"], args.timeout) for _ in range(2)]
        row["openevolve"] = runs[0]["score"]
        row["verdict"], row["gap"] = compare(fit, runs)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        row["verdict"], row["note"] = "OpenEvolve failed", str(exc)[:160]
    if args.evolve:
        evo = evolve(problem, llm, generations=1, children=2, population=2, progress=False)
        children = [c for c in evo.candidates.values() if c.op != "seed"]
        row["child"] = max((c.score for c in children if not c.failed), default=float("nan"))
        row["children"] = f"{sum(not c.failed for c in children)} of {len(children)} scored"
    return row


def show(rows):
    print(f"\n{'example':<46} {'kit seed':>12} {'OpenEvolve':>12} {'|diff|':>9}  verdict")
    for r in rows:
        kit = r["kit"] if isinstance(r["kit"], str) else f"{r['kit']:.6g}"
        oe = f"{r['openevolve']:.6g}" if "openevolve" in r else "-"
        gap = f"{r['gap']:.1e}" if "gap" in r else "-"
        extra = f"; child {r['child']:.6g} ({r['children']})" if "child" in r and not math.isnan(r["child"]) else \
            f"; {r['children']}" if "children" in r else ""
        print(f"{r['example']:<46} {kit:>12} {oe:>12} {gap:>9}  {r.get('verdict', '')}{extra}")
        if r.get("note"):
            print(f"{'':<46} {r['note']}")
        elif "rule" in r:
            print(f"{'':<46} score: {r['rule']}; stages: {r['stages']}; artifacts {r['artifacts']}; "
                  f"{r['kit_seconds']:.1f} s in the sandbox ({r['config']})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=Path("/tmp/oe_examples/examples"))
    parser.add_argument("--only", default="", help="only examples whose path contains this")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for OpenEvolve's side of one seed")
    parser.add_argument("--evolve", action="store_true", help="one generation of evolve on each (an LLM)")
    args = parser.parse_args()
    if not args.examples.is_dir():
        sys.exit(f"{args.examples} does not exist: put OpenEvolve's examples/ folder there (see this file's top)")
    llm = None
    if args.evolve:
        from helpers import get_llm
        os.environ.setdefault("LLM_RECORDINGS_DIR", str(RECORDINGS))
        llm = get_llm(recording="openevolve_examples", record=os.environ.get("LLM_PROVIDER") != "replay")
    folders = sorted(p.parent for p in args.examples.rglob("evaluator.py") if (p.parent / "initial_program.py").is_file())
    rows, skipped = [], []
    for folder in folders:
        if args.only not in str(folder):
            continue
        missing = needs(folder)
        if missing:
            skipped.append((folder.relative_to(args.examples), sorted(missing)))
            continue
        print(f"... {folder.relative_to(args.examples)}", flush=True)
        rows.append(one(folder, args, llm))
    show(rows)
    print(f"\nNot tried ({len(skipped)}): they import more than numpy, scipy and the standard library")
    for name, missing in skipped:
        print(f"  {name}: {', '.join(missing)}")
    if llm is not None:
        print(llm.usage)


if __name__ == "__main__":
    main()
