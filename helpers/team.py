"""The evolving dev team: developer agents are system prompts, a tech lead runs hidden tests, agents
rewrite their own prompts from the feedback, and a selection step keeps a rewrite only if it does at
least as well on the training problems. The problems live in ``helpers.problems``.

Everything an agent writes runs in ``helpers.sandbox`` (a separate process with a timeout), so a
solution that hangs, crashes or prints forever costs only its own score.
"""

import difflib
import re
import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd
from tqdm.auto import tqdm

from .checks import report
from .llm import LLMError, extract_code
from .plotting import plot_heldout, plot_team_rounds
from .problems import PROBLEMS, Problem, raises
from .sandbox import run_tests

__all__ = ["AGENTS", "SPEEDY", "CLEAN", "PROBLEMS", "Problem", "raises", "Attempt", "tech_lead", "solve",
           "attempt_all", "mean_score", "reflection_prompt", "reflect", "keep_if_not_worse", "evolve_team",
           "heldout_comparison", "summarize_heldout", "prompt_diff", "show_attempt", "check_third_agent",
           "check_new_problem", "check_selection_rule", "plot_team_rounds", "plot_heldout"]

SPEEDY = ("You are Speedy, a senior Python developer who values speed and efficiency above all. "
          "Write the shortest, fastest code that solves the task: built-ins, comprehensions, one-liners. "
          "No comments, no docstrings, no explanations. Reply with a single Python code block.")
CLEAN = ("You are Clean, a Python developer who values clean, readable code. Use clear names and small "
         "steps, add a short docstring, and prefer plain loops over clever tricks. "
         "Reply with a single Python code block.")
AGENTS = {"Speedy": SPEEDY, "Clean": CLEAN}
SOLVE_TOKENS, REFLECT_TOKENS = 300, 300


@dataclass
class Attempt:
    """One solution and the tech lead's verdict on it."""
    agent: str
    problem: str
    code: str
    score: float  # share of hidden tests passed (times the review bonus, if a review ran)
    passed: int
    total: int
    feedback: str  # the failing tests, expected vs actual, or why nothing ran
    review: float | None = None


# --------------------------------------------------------------------------- the tech lead
def tech_lead(code: str, problem: Problem, *, agent: str = "", timeout: float = 5, llm=None,
              review_weight: float = 0.2) -> Attempt:
    """Run ``code`` against the problem's hidden tests in the sandbox and score it.

    The score is the share of hidden tests passed. With ``llm``, a review of readability adds up to
    ``review_weight`` of the score, scaled by that share, so it can never rescue code that fails.
    """
    if not code.strip():
        return Attempt(agent, problem.name, code, 0.0, 0, len(problem.hidden), "no code in the reply")
    report = run_tests(code, problem.tests(), timeout=timeout)
    total = max(report.total, len(problem.hidden))
    share = report.passed / total if total else 0.0
    failing = [f"{o.name.removeprefix('test_')}: {tidy(o.message)}" for o in report.results if not o.passed]
    if report.passed == 0 and not report.run.ok:  # one reason for all: crash on import, timeout, memory
        failing = [f"no test passed, the run ended with status {report.run.status}: "
                   f"{tidy(report.results[0].message if report.results else report.run.feedback())}"]
    attempt = Attempt(agent, problem.name, code, round(share, 3), report.passed, total,
                      "\n".join(failing) or "all hidden tests pass")
    if llm is not None and share > 0:
        attempt.review = llm_review(llm, code, attempt)
        attempt.score = round(share * (1 - review_weight + review_weight * attempt.review), 3)
    return attempt


def tidy(message: str, limit: int = 160) -> str:
    """One deterministic line for a prompt: no source excerpt (the sandbox names its limit, not a timing)."""
    line = (message or "").strip().splitlines()[-1:] or [""]
    line = re.sub(r" \(line \d+: .*\)$", "", line[0])
    line = line.removeprefix("AssertionError: ")
    mine = re.search(r"\(\s*(\S.* -> expected .+)\)\s+-> left: ", line)  # our message inside the sandbox's
    line = mine.group(1) if mine else line
    return line[:limit] + ("..." if len(line) > limit else "")


def llm_review(llm, code: str, attempt: Attempt) -> float:
    """An LLM's 0..1 opinion of readability and idioms; it sees the test results first."""
    reply = llm.chat(f"Hidden tests: {attempt.passed}/{attempt.total} passed.\n```python\n{code}```\n"
                     "Rate this code's readability and idiomatic style from 0 to 10. Reply with the number only.",
                     temperature=0.0, max_tokens=8)
    m = re.search(r"\d+(\.\d+)?", reply)
    return min(1.0, float(m.group()) / 10) if m else 0.0


# --------------------------------------------------------------------------- solving
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


# --------------------------------------------------------------------------- reflection and selection
REFLECT = """You are {agent}. This is your current system prompt:
<prompt>
{prompt}
</prompt>

The tech lead ran hidden tests on your code. Your score: {score:.2f} (share of hidden tests passed).
Feedback:
{feedback}
{winner}
Rewrite your system prompt so that you pass more hidden tests next time. Keep your philosophy and add
a few short, general rules (not answers to these particular tests). Reply with only the new system
prompt between <prompt> and </prompt>."""


def reflection_prompt(agent: str, prompt: str, mine: list[Attempt], winner: list[Attempt] | None = None) -> str:
    """What an agent reads before rewriting itself: its score, the feedback, and maybe the winner's code."""
    feedback = "\n".join(f"- {a.problem} ({a.passed}/{a.total}): {line}" for a in mine
                         for line in a.feedback.splitlines()[:3])
    extra = ""
    if winner:  # show the winner's solution to the problem where this agent lost the most
        lost = max(zip(mine, winner, strict=True), key=lambda pair: pair[1].score - pair[0].score)[1]
        extra = (f"\n{lost.agent} scored higher ({mean_score(winner):.2f}). Their solution to {lost.problem}:\n"
                 f"```python\n{lost.code.strip()}\n```\n")
    return REFLECT.format(agent=agent, prompt=prompt, score=mean_score(mine), feedback=feedback, winner=extra)


def reflect(llm, agent: str, prompt: str, mine: list[Attempt], winner: list[Attempt] | None = None, *,
            sample: int = 0) -> str:
    """The agent's rewrite of its own system prompt (the old prompt when the reply holds none)."""
    reply = llm.chat(reflection_prompt(agent, prompt, mine, winner), max_tokens=REFLECT_TOKENS, sample=sample)
    return extract_prompt(reply, prompt)


def _squash(text: str) -> str:
    return " ".join(text.split())


def extract_prompt(reply: str, old: str, limit: int = 1200) -> str:
    m = re.search(r"<prompt>\s*(.*?)\s*(</prompt>|\Z)", reply or "", re.S)
    text = m.group(1) if m else re.sub(r"^[^\n]*(new|updated|revised)[^\n]*prompt[^\n]*:\s*", "", reply or "", flags=re.I)
    if m and m.group(2) and _squash(text) == _squash(old):
        # Small models often echo the old prompt inside the tags and write their new rules after them;
        # those rules end where the reply starts echoing our message back (feedback, the winner's code).
        added = re.split(r"\n\s*(?:The tech lead ran|Feedback:|<prompt>|```)", reply[m.end():])[0].strip()
        text = f"{old}\n\n{added}" if added else old
    text = text.replace("<prompt>", "").strip()
    if len(text) < 40 or "```" in text or re.search(r"^\s*(def|class|import|from)\s", text, re.M):
        return old  # no usable prompt (too short, or code instead of instructions): keep the old one
    return text[:limit]


def keep_if_not_worse(old_score: float, new_score: float) -> bool:
    """The lesson's selection rule: a rewrite survives if it scores at least as well on training."""
    return new_score >= old_score


def evolve_team(llm, agents: dict, problems: list[Problem], *, rounds: int = 2, select=keep_if_not_worse):
    """The evolution loop of the notebook as a function: returns (history DataFrame, lineage of prompts)."""
    prompts, lineage = dict(agents), {a: [p] for a, p in agents.items()}
    current = {a: attempt_all(llm, [(a, p, pr, 0) for pr in problems], desc=f"round 0 {a}") for a, p in prompts.items()}
    history = [dict(round=0, agent=a, candidate=mean_score(current[a]), kept=mean_score(current[a]), accepted=True)
               for a in prompts]
    for rnd in range(1, rounds + 1):
        best = max(current, key=lambda a: mean_score(current[a]))
        winners = {a: current[best] if mean_score(current[best]) > mean_score(current[a]) else None for a in prompts}
        for a in prompts:
            candidate = reflect(llm, a, prompts[a], current[a], winners[a], sample=rnd)
            trial = current[a] if candidate == prompts[a] else attempt_all(
                llm, [(a, candidate, pr, 0) for pr in problems], desc=f"round {rnd} {a}")
            accepted = candidate != prompts[a] and select(mean_score(current[a]), mean_score(trial))
            if accepted:
                prompts[a], current[a] = candidate, trial
                lineage[a].append(candidate)
            history.append(dict(round=rnd, agent=a, candidate=mean_score(trial), kept=mean_score(current[a]),
                                accepted=accepted))
    return pd.DataFrame(history), lineage


# --------------------------------------------------------------------------- the fair before-and-after
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


# --------------------------------------------------------------------------- looking at the results
def _sentences(prompt: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?:])\s+|\n+", prompt.strip()) if s.strip()]


def prompt_diff(lineage: list[str]) -> str:
    """Sentence-level diff of each prompt against the one before it: '+' added, '-' removed."""
    parts = []
    for i, (old, new) in enumerate(zip(lineage, lineage[1:], strict=False), start=1):
        lines = [d for d in difflib.ndiff(_sentences(old), _sentences(new)) if d[:1] in "+-"]
        parts.append(f"--- version {i - 1} -> version {i}\n" + ("\n".join(lines) or "  (no change)"))
    return "\n".join(parts) or "(only the original prompt: no rewrite was kept)"


def show_attempt(attempts: list[Attempt], agent: str, problem: str) -> str:
    """The code and the tech lead's feedback for one agent on one problem (first match)."""
    for a in attempts:
        if a.agent == agent and a.problem == problem:
            return (f"{agent} on {problem}: score {a.score:.2f} ({a.passed}/{a.total} hidden tests)\n\n"
                    f"{a.code.strip() or '(no code)'}\n\ntech lead: {a.feedback}")
    return f"no attempt by {agent} on {problem}"


# --------------------------------------------------------------------------- exercise checks
def check_third_agent(agents: dict) -> bool:
    """Exercise: add a third agent with its own philosophy."""
    new = {name: p for name, p in agents.items() if name not in AGENTS}
    if not new:
        return report([(False, "add a third entry to the agents dict, e.g. agents['Tester'] = '...'")])
    name, prompt = next(iter(new.items()))
    problems = []
    if len(prompt) < 80:
        problems.append(f"{name}'s prompt is short ({len(prompt)} chars): say what it values and how it works")
    close = [o for o in AGENTS if difflib.SequenceMatcher(None, prompt, AGENTS[o]).ratio() > 0.7]
    if close:
        problems.append(f"{name}'s prompt is nearly a copy of {close[0]}'s: give it its own philosophy")
    if "code block" not in prompt.lower():
        problems.append("ask for 'a single Python code block' so the tech lead can find the code")
    return report([(False, p) for p in problems] or [(True, f"{name} joins the team")])


def check_new_problem(problem: Problem) -> bool:
    """Exercise: add a problem whose hidden tests are right (the reference passes) and bite (a stub fails)."""
    if not isinstance(problem, Problem):
        return report([(False, "build a Problem(name, statement, examples, hidden, reference)")])
    issues = []
    if len(problem.examples) < 1:
        issues.append("give at least one visible example")
    if len(problem.hidden) < 4:
        issues.append(f"only {len(problem.hidden)} hidden tests: aim for 4 or more")
    if not any(re.search(r"\(\s*(\[\]|''|\"\"|\{\})", call) for _, call, _ in problem.hidden):
        issues.append("no hidden test calls the function with empty input ([] or '')")
    if problem.name in PROBLEMS and problem is PROBLEMS[problem.name]:
        issues.append("that is an existing problem: write a new one")
    if not issues:
        ref = run_tests(problem.reference, problem.tests(), timeout=5)
        stub = run_tests(f"def {problem.name}(*args, **kwargs):\n    return None\n", problem.tests(), timeout=5)
        if not ref.total or not ref.all_passed:
            issues.append(f"your reference solution fails its own hidden tests: {ref.summary()}")
        if stub.all_passed:
            issues.append("a function that returns None passes every test: the tests don't bite")
    return report([(False, i) for i in issues]
                  or [(True, f"{problem.name} has {len(problem.hidden)} hidden tests that are right and bite")])


def check_selection_rule(rule) -> bool:
    """Exercise: a strict selection rule keeps a rewrite only when it scores higher."""
    cases = [((0.5, 0.5), False), ((0.5, 0.75), True), ((0.75, 0.5), False), ((0.0, 0.0), False)]
    wrong = [f"rule(old={o}, new={n}) returned {rule(o, n)!r}, expected {want}" for (o, n), want in cases
             if bool(rule(o, n)) != want]
    return report([(False, w) for w in wrong] or [(True, "only strict improvements survive")])
