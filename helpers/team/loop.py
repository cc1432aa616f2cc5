"""The lesson's loop: each round every agent proposes several rule edits, each is scored on the training
problems over several samples, and the best is kept only if it beats the current prompt. Notebook 04 shows
this function's source and runs it."""

import pandas as pd

from .developers import attempt_all, mean_score
from .problems import Problem
from .reflection import keep_if_better, propose


def evaluate(llm, agent: str, prompts: list[str], problems: list[Problem], samples: int, desc: str) -> dict:
    """Each prompt's attempts on every problem, samples 0..samples-1 (the same for every prompt: a fair race)."""
    jobs = [(agent, p, pr, s) for p in prompts for pr in problems for s in range(samples)]
    attempts = attempt_all(llm, jobs, desc=desc)
    size = len(problems) * samples
    return {p: attempts[i * size:(i + 1) * size] for i, p in enumerate(prompts)}


def evolve_team(llm, agents: dict, problems: list[Problem], *, rounds: int = 1, candidates: int = 3,
                samples: int = 2, select=keep_if_better, current: dict | None = None, verbose: bool = True):
    """Evolve each agent's system prompt; returns (history DataFrame, lineage of kept prompts per agent).
    ``current`` holds each agent's attempts with its original prompt, if already graded (else they are made)."""
    prompts, lineage = dict(agents), {a: [p] for a, p in agents.items()}
    current = dict(current) if current else {
        a: evaluate(llm, a, [p], problems, samples, f"round 0 {a}")[p] for a, p in prompts.items()}
    history = [dict(round=0, agent=a, score=mean_score(s), kept=mean_score(s), accepted=True) for a, s in current.items()]
    for rnd in range(1, rounds + 1):
        for a in prompts:
            rewrites = propose(llm, a, prompts[a], current[a], n=candidates, first_sample=(rnd - 1) * candidates)
            trials = evaluate(llm, a, rewrites, problems, samples, f"round {rnd} {a}")
            best = max(rewrites, key=lambda p: mean_score(trials[p]), default=None)  # ties: the first proposed
            before = mean_score(current[a])
            accepted = best is not None and select(before, mean_score(trials[best]))
            if accepted:
                prompts[a], current[a] = best, trials[best]
                lineage[a].append(best)
            history += [dict(round=rnd, agent=a, score=mean_score(trials[p]), kept=mean_score(current[a]),
                             accepted=accepted and p == best) for p in rewrites]
            if verbose:
                scores = ", ".join(f"{mean_score(trials[p]):.2f}" for p in rewrites) or "none (no usable rule)"
                print(f"round {rnd} {a:>6}: the prompt scored {before:.2f}, its rule edits {scores} -> "
                      + ("kept the best" if accepted else "kept the prompt"))
    return pd.DataFrame(history), lineage
