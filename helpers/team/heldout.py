"""The fair before-and-after: original, evolved and control prompts on held-out problems, paired by problem
and sample, and the paired difference with its standard error."""

import math
import statistics

import pandas as pd

from .developers import attempt_all

# Rules that cannot change whether code passes a test: the control adds as much text as evolution did,
# so a gain that comes from a longer prompt alone shows in the control arm too.
NEUTRAL_RULES = ["Use four spaces for each level of indentation.", "Write variable names in English.",
                 "Put one blank line between top-level definitions.", "Prefer double quotes for strings.",
                 "Use f-strings when you format text.", "Keep each line under 100 characters."]


def control_prompt(original: str, evolved: str) -> str:
    """The original prompt plus neutral rules, about as many characters as evolution added."""
    added, rules = len(evolved) - len(original), []
    for rule in NEUTRAL_RULES:
        if sum(len(r) + 3 for r in rules) >= added:
            break
        rules.append(rule)
    return original.rstrip() + "".join(f"\n- {r}" for r in rules) if rules else original


def heldout_comparison(llm, originals: dict, evolved: dict, problems: list, *, samples: int = 2) -> pd.DataFrame:
    """Original, evolved and control prompts on problems evolution never saw, with the same problems and
    sample indices in every arm (so scores pair up). One row per (agent, arm, problem, sample), with the
    score and the ``Attempt`` (code and feedback)."""
    jobs, labels = [], []
    for a in originals:
        arms = {"original": originals[a], "evolved": evolved[a], "control": control_prompt(originals[a], evolved[a])}
        for arm, prompt in arms.items():
            for pr in problems:
                for s in range(samples):
                    jobs.append((a, prompt, pr, s))
                    labels.append(dict(agent=a, arm=arm, problem=pr.name, sample=s))
    attempts = attempt_all(llm, jobs, desc="held-out")
    return pd.DataFrame([dict(label, score=at.score, attempt=at) for label, at in zip(labels, attempts, strict=True)])


def paired_difference(df: pd.DataFrame, agent: str, arm: str = "evolved", base: str = "original"):
    """(mean, standard error, n) of ``arm`` minus ``base``, pair by pair (same problem, same sample)."""
    rows = df[df.agent == agent].pivot_table(index=["problem", "sample"], columns="arm", values="score")
    diffs = list(rows[arm] - rows[base])
    n = len(diffs)
    se = statistics.stdev(diffs) / math.sqrt(n) if n > 1 else float("nan")
    return statistics.fmean(diffs), se, n


def summarize_heldout(df: pd.DataFrame) -> pd.DataFrame:
    """Mean, spread (standard deviation over problems x samples), standard error and count per agent and arm."""
    order = {"original": 0, "evolved": 1, "control": 2}
    out = df.groupby(["agent", "arm"])["score"].agg(mean="mean", std="std", n="count").reset_index()
    out["se"] = out["std"] / out["n"] ** 0.5
    out = out.round(3)
    return out.sort_values(["agent", "arm"], key=lambda c: c.map(order) if c.name == "arm" else c, ignore_index=True)
