"""The fair before-and-after: original, evolved and control prompts on held-out problems, with their spread."""

import pandas as pd

from .developers import attempt_all
from .problems import Problem


def heldout_comparison(llm, originals: dict, evolved: dict, problems: list[Problem], *, samples: int = 2) -> pd.DataFrame:
    """Original vs evolved prompts on problems evolution never saw, ``samples`` runs each, plus a control:
    the original prompt run again (fresh samples) as many times. One row per (agent, arm, problem, sample),
    with the score and the ``Attempt`` (code and feedback)."""
    jobs, labels = [], []
    for a in originals:
        arms = [("original", originals[a], 0), ("evolved", evolved[a], 0), ("control", originals[a], samples)]
        for arm, prompt, first in arms:
            for pr in problems:
                for s in range(first, first + samples):
                    jobs.append((a, prompt, pr, s))
                    labels.append(dict(agent=a, arm=arm, problem=pr.name, sample=s - first))
    attempts = attempt_all(llm, jobs, desc="held-out")
    return pd.DataFrame([dict(label, score=at.score, attempt=at) for label, at in zip(labels, attempts, strict=True)])


def summarize_heldout(df: pd.DataFrame) -> pd.DataFrame:
    """Mean, spread (standard deviation over problems x samples) and count per agent and arm."""
    order = {"original": 0, "evolved": 1, "control": 2}
    out = df.groupby(["agent", "arm"])["score"].agg(mean="mean", std="std", n="count").round(3).reset_index()
    return out.sort_values(["agent", "arm"], key=lambda c: c.map(order) if c.name == "arm" else c, ignore_index=True)
