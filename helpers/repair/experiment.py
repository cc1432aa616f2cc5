"""The experiment around the notebook's ``repair`` loop: what one repair returns (``RepairRun``), the loop
over the zoo (``run_zoo(repair, ...)``, which takes the notebook's function), the comparison of levels, and the
feedback experiment: the same bugs, samples, temperature and budget in every arm (``run_arms``), its rates with
their standard errors (``print_arms``) and how many runs a difference needs (``runs_needed``)."""

import math
from dataclasses import dataclass, field

from .zoo import ZOO


@dataclass
class RepairRun:
    """Every version of the code the loop tried, with its test report. Entry 0 is the original."""
    history: list = field(default_factory=list)  # [(code, report), ...]
    stopped: str = ""  # why the loop ended early, if it did
    calls: int | None = None  # LLM calls made, when the loop counts them (a repeated fix is a call, not a version)
    repeats: list = field(default_factory=list)  # one per reply the loop had already run: True if it was the
    #                                              very code the model had just been shown
    refused: list = field(default_factory=list)  # 'reply N: why' for each reply the loop could not use
    replies: list = field(default_factory=list)  # every reply's text, in order

    @property
    def repaired(self) -> bool:
        return bool(self.history) and self.history[-1][1].all_passed

    @property
    def attempts(self) -> int:
        """LLM calls made: the loop's count, else the versions after the original."""
        return self.calls if self.calls is not None else max(0, len(self.history) - 1)

    @property
    def code(self) -> str:
        return self.history[-1][0] if self.history else ""

    def show(self) -> None:
        for i, (code, report) in enumerate(self.history):
            label = "original" if i == 0 else f"version {i}"
            print(f"--- {label}: {report.summary()}")
            print(code.rstrip())
        for reason in self.refused:
            print(f"--- refused {reason}")
        why = f" (stopped: {self.stopped})" if self.stopped else ""
        print(f"=== {'repaired' if self.repaired else 'NOT repaired'} after {self.attempts} LLM call(s), "
              f"{len(self.history) - 1} version(s) run{why}")

    def __repr__(self) -> str:
        state = "repaired" if self.repaired else "not repaired"
        last = self.history[-1][1].summary() if self.history else "no run"
        return f"<RepairRun {state} after {self.attempts} attempt(s); last run: {last}>"


def as_run(result) -> RepairRun:
    if isinstance(result, RepairRun):
        return result
    if isinstance(result, list | tuple):
        return RepairRun(list(result))
    raise TypeError("repair() should return a RepairRun (or its history: a list of (code, report) pairs)")


def _spent(usage) -> int:
    t = usage.totals()
    return t["input_tokens"] + t["output_tokens"] + t["replayed_tokens"]


def run_zoo(repair, zoo=None, llm=None, *, samples=1, progress=True, first_sample=0, **kwargs):
    """Run ``repair(bug.code, bug.tests, llm=llm, sample=s, **kwargs)`` ``samples`` times on every bug;
    one DataFrame row per (bug, sample).

    Samples are independent runs of the same repair (``sample=`` gives each its own cache and recording key;
    they differ only at a temperature above 0). ``tokens`` counts what the calls carried (spent on a provider,
    or replayed from the recording); cache hits count 0. ``df.attrs["runs"]`` maps each bug's name to its
    first sample's RepairRun, and ``(name, sample)`` to each sample's. ``first_sample`` numbers the samples
    from there (a pilot at 1000 draws other replies than a recording at 0, where the server seeds by sample).
    """
    import pandas as pd
    from tqdm.auto import tqdm

    zoo = ZOO if zoo is None else zoo
    rows, runs = [], {}
    label = ", ".join(f"{k}={v}" for k, v in kwargs.items() if isinstance(v, str | int | float))
    jobs = [(bug, first_sample + s) for bug in zoo for s in range(samples)]
    for bug, s in tqdm(jobs, desc=label or "repairing", disable=not progress):
        before = _spent(llm.usage) if llm is not None else 0
        extra = {"sample": s} if samples > 1 or s else {}  # one sample: the caller's loop need not know sample=
        run = as_run(repair(bug.code, bug.tests, **extra, **kwargs) if llm is None else
                     repair(bug.code, bug.tests, llm=llm, **extra, **kwargs))
        runs[(bug.name, s)] = run
        runs.setdefault(bug.name, run)
        last = run.history[-1][1] if run.history else None
        rows.append({"bug": bug.name, "group": bug.group, "sample": s, "repaired": run.repaired,
                     "attempts": run.attempts, "repeats": len(run.repeats), "echoes": sum(run.repeats),
                     "refused": len(getattr(run, "refused", [])),
                     "stopped": run.stopped, "tests": last.summary() if last else "",
                     "tokens": (_spent(llm.usage) - before) if llm is not None else None})
    df = pd.DataFrame(rows)
    df.attrs["runs"] = runs
    return df


def repair_rate(df) -> str:
    return f"{int(df['repaired'].sum())}/{len(df)} repaired"


def rate_with_se(repaired) -> tuple[float, float]:
    """The repair rate over runs and its standard error, sqrt(p(1 - p) / n): how far the rate of this many
    runs can move by chance. It treats runs as independent, which samples of the same bug are not quite."""
    n = len(repaired)
    if n == 0:
        raise ValueError("no runs: a repair rate needs at least one run")
    p = sum(bool(r) for r in repaired) / n
    return p, (p * (1 - p) / n) ** 0.5


def rate_line(df, label: str) -> str:
    """'label: repair rate 0.52 ± 0.10 (27 runs; per sample 0.44 0.56 0.56)'. The ± is the SE over runs."""
    p, se = rate_with_se(list(df["repaired"]))
    text = f"{label}: repair rate {p:.2f} ± {se:.2f} ({len(df)} runs"
    if "sample" in df and df["sample"].nunique() > 1:
        per_sample = df.groupby("sample")["repaired"].mean()
        text += "; per sample " + " ".join(f"{v:.2f}" for v in per_sample)
    return text + ")"


def print_repair_rates(results: dict) -> None:
    """Each level's repair rate ± its SE over runs: over the whole zoo, then per group of bugs."""
    for name, df in results.items():
        print(rate_line(df, f"{name:<28} all bugs"))
        for group in sorted(df["group"].unique()) if "group" in df and df["group"].nunique() > 1 else []:
            print(rate_line(df[df["group"] == group], f"{'':<28} {group}"))
    print("(± is the standard error over runs, sqrt(p(1-p)/n); 'per sample' gives each sample's rate over "
          "the bugs, the spread between repeats of the whole experiment)")


def print_difference(results: dict, better: str, baseline: str, label: str = "") -> tuple[float, float]:
    """'full feedback minus no feedback, difference: +0.40 ± 0.14 (2.9 SE)': the two rates' difference and its
    standard error, sqrt(se_a² + se_b²), which treats the two arms as independent samples. ``label`` goes in
    front ('held-out bugs: ...')."""
    (p, se), (q, se_q) = (rate_with_se(list(results[name]["repaired"])) for name in (better, baseline))
    diff, se_diff = p - q, (se ** 2 + se_q ** 2) ** 0.5
    ratio = f" ({diff / se_diff:.1f} SE)" if se_diff else ""
    print(f"{label + ': ' if label else ''}{better} minus {baseline}, difference: {diff:+.2f} ± {se_diff:.2f}{ratio}")
    return diff, se_diff


def print_repeats(results: dict) -> None:
    """How many replies sent back code the loop had already run (not run again, so a call spent for nothing),
    and how many of those were the very code the model had just been shown."""
    for name, df in results.items():
        replies, repeats, echoes = int(df["attempts"].sum()), int(df["repeats"].sum()), int(df["echoes"].sum())
        share = f"{repeats / replies:.2f}" if replies else "-"
        print(f"{name:<28} repeat rate {share}: {repeats} of {replies} replies sent code already run "
              f"({echoes} of them the code just shown), in {int((df['repeats'] > 0).sum())} of {len(df)} runs")


def compare_levels(results: dict):
    """One row per feedback level (or prompt): repair rate ± its SE over runs, LLM calls, tokens."""
    import pandas as pd

    rows = []
    for name, df in results.items():
        fixed = df[df["repaired"]]
        p, se = rate_with_se(list(df["repaired"]))
        rows.append({"setting": name, "repaired": int(df["repaired"].sum()), "runs": len(df),
                     "repair rate": round(p, 3), "± SE": round(se, 3),
                     "LLM calls": int(df["attempts"].sum()),
                     "calls per repaired run": round(fixed["attempts"].mean(), 2) if len(fixed) else None,
                     "tokens": int(df["tokens"].fillna(0).sum())})
    return pd.DataFrame(rows).set_index("setting")


# --------------------------------------------------------------------------- the feedback experiment

ARMS = {"no feedback": "none", "traceback only": "traceback", "full feedback": "full"}  # arm -> feedback level


def run_arms(repair, bugs, llm, *, arms=tuple(ARMS), samples=4, temperature=0.7, max_attempts=2, first_sample=0,
             progress=True, **kwargs) -> dict:
    """Every bug x arm x sample, the arms differing only in the feedback the model is shown: the same bugs,
    samples (the same seeds), temperature and budget of calls. ``{arm: run_zoo's DataFrame}``; ``kwargs`` go
    to ``repair`` in every arm (``ask_for="functions"`` for the long programs)."""
    unknown = [arm for arm in arms if arm not in ARMS]
    if unknown:
        raise ValueError(f"unknown arm(s) {unknown}: choose among {list(ARMS)}")
    return {arm: run_zoo(repair, bugs, llm, samples=samples, first_sample=first_sample, progress=progress,
                         feedback=ARMS[arm], temperature=temperature, max_attempts=max_attempts, **kwargs)
            for arm in arms}


def arm_line(df, arm: str) -> str:
    """'repair rate, no feedback: 0.25 ± 0.08 (6 of 24)': the rate over runs and its standard error."""
    p, se = rate_with_se(list(df["repaired"]))
    return f"repair rate, {arm}: {p:.2f} ± {se:.2f} ({int(df['repaired'].sum())} of {len(df)})"


def arms_table(results: dict):
    """Runs repaired per bug (rows, in the bugs' order) and arm (columns), as 'k/n', with an 'all bugs' row."""
    import pandas as pd

    columns = {}
    for arm, df in results.items():
        per_bug = df.groupby("bug", sort=False)["repaired"].agg(["sum", "size"])
        column = {bug: f"{int(k)}/{n}" for bug, (k, n) in per_bug.iterrows()}
        column["all bugs"] = f"{int(df['repaired'].sum())}/{len(df)}"
        columns[arm] = column
    return pd.DataFrame(columns)


def print_arms(results: dict, better: str = "full feedback", baseline: str = "no feedback", label: str = ""):
    """One 'repair rate' line per arm, then better minus baseline with the standard error of the difference."""
    for arm, df in results.items():
        print(f"{label + ': ' if label else ''}{arm_line(df, arm)}")
    print("(± is the standard error over runs, sqrt(p(1-p)/n); a difference's is sqrt(se1² + se2²))")
    if better in results and baseline in results:
        return print_difference(results, better, baseline, label)
    return None


def runs_needed(p_baseline: float, p_better: float, z: float = 2.0) -> int | None:
    """Runs per arm for a difference p_better - p_baseline to be ``z`` standard errors, each rate's SE being
    sqrt(p(1-p)/n): n >= z² (p1(1-p1) + p0(1-p0)) / d². None when there is no positive difference."""
    d = p_better - p_baseline
    if d <= 0:
        return None
    spread = p_better * (1 - p_better) + p_baseline * (1 - p_baseline)
    return max(1, math.ceil(z * z * spread / (d * d)))
