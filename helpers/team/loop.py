"""The lesson's loop: each round every agent reflects, its rewrite is tried on the training problems, and
selection keeps it only if it does at least as well. Notebook 04 shows this function's source and runs it."""

import pandas as pd

from .developers import attempt_all, mean_score
from .problems import Problem
from .reflection import keep_if_not_worse, reflect


def evolve_team(llm, agents: dict, problems: list[Problem], *, rounds: int = 2, select=keep_if_not_worse,
                current: dict | None = None, verbose: bool = True):
    """Evolve each agent's system prompt for ``rounds`` rounds; returns (history DataFrame, lineage of prompts).

    ``current`` holds each agent's attempts with its original prompt, if already graded (else they are made).
    """
    prompts, lineage = dict(agents), {a: [p] for a, p in agents.items()}
    current = dict(current) if current else {
        a: attempt_all(llm, [(a, p, pr, 0) for pr in problems], desc=f"round 0 {a}") for a, p in prompts.items()}
    history = [dict(round=0, agent=a, candidate=mean_score(s), kept=mean_score(s), accepted=True)
               for a, s in current.items()]
    for rnd in range(1, rounds + 1):
        champion = current[max(current, key=lambda a: mean_score(current[a]))]  # who leads at the start of the round
        for a in prompts:
            lost = mean_score(champion) > mean_score(current[a])
            candidate = reflect(llm, a, prompts[a], current[a], champion if lost else None, sample=rnd)
            unchanged = candidate == prompts[a]  # the reply held no usable new prompt: nothing to try
            trial = current[a] if unchanged else attempt_all(llm, [(a, candidate, pr, 0) for pr in problems],
                                                             desc=f"round {rnd} {a}")
            accepted = not unchanged and select(mean_score(current[a]), mean_score(trial))
            if accepted:
                prompts[a], current[a] = candidate, trial
                lineage[a].append(candidate)
            history.append(dict(round=rnd, agent=a, candidate=mean_score(trial), kept=mean_score(current[a]),
                                accepted=accepted))
            if verbose:
                print(f"round {rnd} {a:>6}: " + ("no new prompt in the reply" if unchanged else
                                                 f"rewrite scored {mean_score(trial):.2f} -> "
                                                 f"{'kept' if accepted else 'rejected'}"))
    return pd.DataFrame(history), lineage
