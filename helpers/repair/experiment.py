"""The experiment around the notebook's ``repair`` loop: what one repair returns (``RepairRun``), the loop
over the zoo (``run_zoo(repair, ...)``, which takes the notebook's function), and the comparison of levels."""

from dataclasses import dataclass, field

from .zoo import ZOO


@dataclass
class RepairRun:
    """Every version of the code the loop tried, with its test report. Entry 0 is the original."""
    history: list = field(default_factory=list)  # [(code, report), ...]
    stopped: str = ""  # why the loop ended early, if it did (the exercise on early stopping sets it)

    @property
    def repaired(self) -> bool:
        return bool(self.history) and self.history[-1][1].all_passed

    @property
    def attempts(self) -> int:
        """LLM fixes tried (the original code's run is not an attempt)."""
        return max(0, len(self.history) - 1)

    @property
    def code(self) -> str:
        return self.history[-1][0] if self.history else ""

    def show(self) -> None:
        for i, (code, report) in enumerate(self.history):
            label = "original" if i == 0 else f"attempt {i}"
            print(f"--- {label}: {report.summary()}")
            print(code.rstrip())
        why = f" (stopped: {self.stopped})" if self.stopped else ""
        print(f"=== {'repaired' if self.repaired else 'NOT repaired'} after {self.attempts} attempt(s){why}")

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


def run_zoo(repair, zoo=None, llm=None, *, progress=True, **kwargs):
    """Run ``repair(bug.code, bug.tests, llm=llm, **kwargs)`` on every bug; one DataFrame row per bug.

    ``tokens`` counts what the calls carried (spent on a provider, or replayed from the recording);
    cache hits count 0. ``df.attrs["runs"]`` maps each bug's name to its RepairRun.
    """
    import pandas as pd
    from tqdm.auto import tqdm

    zoo = ZOO if zoo is None else zoo
    rows, runs = [], {}
    label = ", ".join(f"{k}={v}" for k, v in kwargs.items() if isinstance(v, str | int | float))
    for bug in tqdm(zoo, desc=label or "repairing", disable=not progress):
        before = _spent(llm.usage) if llm is not None else 0
        run = as_run(repair(bug.code, bug.tests, **kwargs) if llm is None else
                      repair(bug.code, bug.tests, llm=llm, **kwargs))
        runs[bug.name] = run
        last = run.history[-1][1] if run.history else None
        rows.append({"bug": bug.name, "kind": bug.kind, "repaired": run.repaired, "attempts": run.attempts,
                     "tests": last.summary() if last else "",
                     "tokens": (_spent(llm.usage) - before) if llm is not None else None})
    df = pd.DataFrame(rows)
    df.attrs["runs"] = runs
    return df


def repair_rate(df) -> str:
    return f"{int(df['repaired'].sum())}/{len(df)} repaired"


def compare_levels(results: dict):
    """One row per feedback level (or prompt): repair rate, attempts, tokens."""
    import pandas as pd

    rows = []
    for name, df in results.items():
        fixed = df[df["repaired"]]
        rows.append({"setting": name, "repaired": int(df["repaired"].sum()), "bugs": len(df),
                     "repair rate": round(df["repaired"].mean(), 3),
                     "attempts (all)": int(df["attempts"].sum()),
                     "attempts per repaired bug": round(fixed["attempts"].mean(), 2) if len(fixed) else None,
                     "tokens": int(df["tokens"].fillna(0).sum())})
    return pd.DataFrame(rows).set_index("setting")
