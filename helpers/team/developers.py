"""The developer agents, each only a system prompt, and how they solve problems: ``solve`` one, ``attempt_all``
concurrently (each graded by the tech lead), ``mean_score`` of a set of attempts."""

import statistics
from concurrent.futures import ThreadPoolExecutor

from tqdm.auto import tqdm

from ..llm import LLMError, extract_code
from .lead import Attempt, tech_lead
from .problems import Problem

SPEEDY = ("You are Speedy, a senior Python developer who values speed and efficiency above all. "
          "Write the shortest, fastest code that solves the task: built-ins, comprehensions, one-liners. "
          "No comments, no docstrings, no explanations. Reply with a single Python code block.")


CLEAN = ("You are Clean, a Python developer who values clean, readable code. Use clear names and small "
         "steps, a one-line docstring, and plain loops rather than clever tricks. "
         "Reply with a single Python code block.")


AGENTS = {"Speedy": SPEEDY, "Clean": CLEAN}
SOLVE_TOKENS = 200  # a short function fits; a runaway reply is cut (and costs its score)


def solve(llm, prompt: str, problem: Problem, *, sample: int = 0) -> str:
    """The code a developer with system prompt ``prompt`` writes for ``problem``."""
    reply = llm.chat(problem.prompt(), system=prompt, max_tokens=SOLVE_TOKENS, sample=sample)
    return extract_code(reply, problem.name)


def attempt_all(llm, jobs, *, desc: str = "solving", workers: int = 2, **lead) -> list[Attempt]:
    """``jobs`` are (agent name, system prompt, problem, sample): solve each, then let the tech lead grade it."""
    def one(job):
        agent, prompt, problem, sample = job
        try:
            code = solve(llm, prompt, problem, sample=sample)
        except LLMError as exc:  # one failed call costs one score, not the whole round
            print(f"LLM call failed for {agent} on {problem.name}, scored as no code: {exc}")
            code = ""
        return tech_lead(code, problem, agent=agent, **lead)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(tqdm(pool.map(one, jobs), total=len(jobs), desc=desc, leave=False))


def mean_score(attempts: list[Attempt]) -> float:
    return round(statistics.fmean(a.score for a in attempts), 3) if attempts else 0.0
