"""Part 2 of notebook 02: a mini AlphaEvolve that evolves the ``solve()`` of a scikit-learn classifier for
20 Newsgroups, scored in the sandbox as the Mini Evolve post does: 0.8 x accuracy + 0.2 x speed.

The task is a folder, ``problems/newsgroups``, on notebook 05's ``Problem``: its seed, its evaluator (which
follows ``solve()`` in one module), and in ``workshop.toml`` its words, explore ideas, baselines, cascade and the
score's knobs. What only it has lives here: the data handed to each run, the score with CPU-time caps that scale
with the data (``judge``), and the wording of its prompts, which show each program's feedback
(``NewsgroupsPrompts``).

    ng = newsgroups_problem(load_newsgroups(), cascade=0.30)
    evo = Evolution(ng.fitness, ng.operators(llm), ..., repair=ng.repairer(llm))
"""

import ast
import re
import tomllib
from pathlib import Path

from ...sandbox import outcome
from ..candidate import Check, Fitness
from ..problem import Problem, Prompts, load_problem
from ..problem.prompts import only_function
from ..problems import HERE
from .tidy import call_name

FOLDER = HERE / "newsgroups"
DATA_FILE = "data.pkl"   # the data's name in each run's folder, where it is linked (the sandbox's /tmp is its own)
REPLY = (" Import everything you use inside solve(). Reply with the complete Python code of solve() only, in one "
         "```python block.")


def newsgroups_problem(data, **settings) -> Problem:
    """Notebook 02's task on ``data`` (``load_newsgroups()``): the folder's problem, with the data linked into
    every sandboxed run. ``settings``: the score's knobs of the folder's ``[options]`` (``accuracy_weight``,
    ``max_train_time``, ``max_pred_time`` in CPU seconds for the whole splits, ``slice_size``), or any ``Problem``
    argument (``cascade=0.30``, ``ideas=()``, ``timeout``...)."""
    problem = load_problem(FOLDER, files={DATA_FILE: Path(data.path)}, prompts=NewsgroupsPrompts, judge=judge,
                           **{k: v for k, v in settings.items() if k not in _knobs()})
    problem.options.update({k: v for k, v in settings.items() if k in _knobs()})
    problem.options.update(speed_weight=1 - problem.options["accuracy_weight"], full_train=len(data.X_train),
                           full_predict=len(data.X_test))
    return problem


def _knobs() -> set:
    return set(SETTINGS["options"])


SETTINGS = tomllib.loads((FOLDER / "workshop.toml").read_text(encoding="utf-8"))
# The seed (the post's idea, trained by SGDClassifier for 5 epochs: it runs on every scikit-learn this workshop
# supports), generation 0's two other seeds, the post's seed as printed and its final pipeline: the folder's.
SEED_PROGRAM = (FOLDER / "initial_program.py").read_text(encoding="utf-8")
SEEDS = [SEED_PROGRAM, SETTINGS["baselines"]["naive Bayes"], SETTINGS["baselines"]["TF-IDF and SGD"]]
POST_SEED, POST_FINAL = SETTINGS["baselines"]["the post's seed"], SETTINGS["baselines"]["the post's final pipeline"]


# --------------------------------------------------------------------------- the score
def time_to_score(elapsed: float, cap: float) -> float:
    """Full marks within the cap, none beyond it (pass/fail, so the score does not drift with the load)."""
    return 1.0 if elapsed <= cap else 0.0


def combined_score(accuracy, train_time, pred_time, accuracy_weight=0.8, max_train_time=10.0,
                   max_pred_time=3.0) -> float:
    speed = 0.5 * time_to_score(train_time, max_train_time) + 0.5 * time_to_score(pred_time, max_pred_time)
    return accuracy_weight * accuracy + (1 - accuracy_weight) * speed


def caps(options, n_train, n_predict) -> tuple[float, float]:
    """The CPU-second caps for training on ``n_train`` documents and predicting ``n_predict``: the options' caps
    are for the whole training and test splits, and scale in proportion. Without it, the held-out run (a third
    more training documents than validation) could fail a cap selection saw it pass."""
    return (options["max_train_time"] * n_train / max(1, options["full_train"]),
            options["max_pred_time"] * n_predict / max(1, options["full_predict"]))


def score(options, accuracy, train_time, pred_time, n_train=None, n_predict=None) -> float:
    train_cap, pred_cap = caps(options, n_train or options["full_train"], n_predict or options["full_predict"])
    return combined_score(accuracy, train_time, pred_time, options["accuracy_weight"], train_cap, pred_cap)


def judge(problem, metrics, artifacts, stage) -> Fitness:
    """What the evaluator measured, as the post scores it: accuracy and speed within the caps, and the reasons
    the next prompt quotes (runs, accuracy where, speed within the limits or by how much not)."""
    o = problem.options
    acc, tt, pt = metrics["accuracy"], metrics["train_time"], metrics["pred_time"]
    train_cap, pred_cap = caps(o, metrics["n_train"], metrics["n_predict"])
    fast = tt <= train_cap and pt <= pred_cap
    slow = [f"training took {tt:.1f} CPU seconds, more than {train_cap:.1f}"] * (tt > train_cap) + \
           [f"prediction took {pt:.1f} CPU seconds, more than {pred_cap:.1f}"] * (pt > pred_cap)
    where = {"slice": f"on the validation split, trained on a {o['slice_size']:,}-document slice",
             "validation": "on the validation split", "test": "on the held-out test split"}[stage]
    checks = [Check("runs", True, "trained and predicted"),
              Check("accuracy", None, f"{acc:.3f} {where} (higher is better)"),
              Check("speed", fast, "within the time limits" if fast else "; ".join(slow))]
    return Fitness(round(score(o, acc, tt, pt, metrics["n_train"], metrics["n_predict"]), 4), checks,
                   info={"accuracy": acc, "train_time": tt, "pred_time": pt, "status": "ok", "stage": stage,
                         "train_cap": train_cap, "pred_cap": pred_cap})


def extract_solve(reply: str) -> str:
    """``solve()`` (and the imports above it) from a reply; drops example calls and other top-level code."""
    return only_function(reply, "solve")


def summarise(code: str, width: int = 150) -> str:
    """One line for a program in a prompt's memory: its pipeline call, or the estimators it builds."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return "(does not parse)"
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    pipe = next((n for n in calls if call_name(n) in ("make_pipeline", "Pipeline")), None)
    text = ast.unparse(pipe) if pipe else " + ".join(ast.unparse(n) for n in calls if call_name(n)[:1].isupper())
    text = " ".join(text.split()) or "(no estimator found)"
    return text if len(text) <= width else text[: width - 3] + "..."


def _estimators(code: str) -> list:
    """The estimator calls a program makes (capitalised names, not the containers around them nor an exception
    it raises), in order."""
    tree = ast.parse(code)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n)[:1].isupper()
             and call_name(n) not in ("Pipeline", "FeatureUnion") and not call_name(n).endswith(("Error", "Exception"))]
    return [n for n in sorted(calls, key=lambda n: (n.lineno, n.col_offset))
            if not any(n is not m and n in ast.walk(m) for m in calls)]


def settings(code: str) -> list[str]:
    """The estimators a program builds, each with its arguments: ``TfidfVectorizer(sublinear_tf=True)``."""
    try:
        return [" ".join(ast.unparse(n).split()) for n in _estimators(code)] or ["(no estimator found)"]
    except SyntaxError:
        return ["(does not parse)"]


def changes(before: str, after: str) -> str:
    """What a child changed in its parent's estimators, argument by argument where the estimator stayed:
    ``ComplementNB: +alpha=0.5``, ``SGDClassifier() -> ComplementNB()``, or "same estimators, other code"."""
    try:
        a, b = _estimators(before), _estimators(after)
    except SyntaxError:
        return "(does not parse)"
    text = lambda n: " ".join(ast.unparse(n).split())   # noqa: E731
    gone = [n for n in a if text(n) not in {text(m) for m in b}]
    new = [n for n in b if text(n) not in {text(m) for m in a}]
    out, swapped = [], []
    for n in new:
        same = next((g for g in gone if ast.unparse(g.func) == ast.unparse(n.func)), None)
        if same is None:
            swapped.append(n)
            continue
        gone.remove(same)
        old_kw, new_kw = ({k.arg: text(k.value) for k in x.keywords} for x in (same, n))
        diff = [f"+{k}={v}" for k, v in new_kw.items() if k not in old_kw]
        diff += [f"{k}={old_kw[k]}->{v}" for k, v in new_kw.items() if k in old_kw and old_kw[k] != v]
        diff += [f"-{k}" for k in old_kw if k not in new_kw]
        if [text(x) for x in same.args] != [text(x) for x in n.args]:
            diff.append("other positional arguments")
        out.append(f"{ast.unparse(n.func)}: {' '.join(diff)}")
    out += [f"{' + '.join(text(g) for g in gone) or '(nothing)'} -> {' + '.join(text(n) for n in swapped)}"
            ] if gone or swapped else []
    return "; ".join(out) or "same estimators, other code"


def _clean(text: str) -> str:
    """Error text without temporary paths or timings, so the next prompt is the same on every run."""
    text = re.sub(r'File "[^"]*?/(site-packages|sandbox-)[^"]*?/([^/"]+)"', r'File "\2"', text)
    text = re.sub(r"/tmp/[\w./-]+", "<tmp>", text)
    text = re.sub(r"(/[\w.-]+)+/\.cache/workshop-newsgroups/[\w.-]+", "<data>", text)
    return text


class NewsgroupsPrompts(Prompts):
    """Notebook 02's wording where it is more than a sentence (the sentences are in the folder's workshop.toml):
    each program with its feedback, memory lines by pipeline, its errors, its repair."""

    def summary(self, code: str) -> str:
        return summarise(code)

    def show(self, problem, c, label) -> str:
        acc = c.fitness.info.get("accuracy") if c.fitness else None
        head = f"{label} (score {c.score:.3f}" + (f", accuracy {acc:.3f})" if acc is not None else ")")
        return f"{head}:\n```python\n{c.genome.strip()}\n```\nFeedback:\n{c.feedback}"

    def reply(self, problem) -> str:
        return REPLY

    def repair(self, problem, code: str, error: str) -> str:
        return (f"This solve() failed when it was evaluated.\n\n```python\n{code.strip()}\n```\n\n"
                f"What happened:\n{error}\n\nFix solve() so that it trains and predicts without this error, "
                "keeping its idea. Import everything you use inside solve(). Reply with the complete solve() "
                "only, in one ```python block.")

    def crash(self, problem, run) -> tuple[str, str]:
        what = outcome(run.status, timeout=problem.timeout, memory_mb=problem.memory_mb)
        tail = _clean("\n".join((run.traceback or run.stderr or "").strip().splitlines()[-6:]))
        return what, f"The code {what}" + (f" with {run.error_type}" if run.error_type else "") + f":\n{tail}"

    def stopped(self, problem, stage, metric, value, threshold, info) -> str:
        return f"stopped after the slice: {metric} {value:.3f} is below {threshold:.3f}"
