"""Notebook 04's exercise checks: a third agent, a new problem whose tests bite, a lenient selection rule."""

import difflib
import re

from ..checks import report
from ..sandbox import run_tests
from .developers import AGENTS
from .problems import PROBLEMS, Problem


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
    """Exercise: the lenient variant keeps a rewrite that scores at least as well (ties included)."""
    cases = [((0.5, 0.5), True), ((0.5, 0.75), True), ((0.75, 0.5), False), ((0.0, 0.0), True)]
    wrong = [f"rule(old={o}, new={n}) returned {rule(o, n)!r}, expected {want}" for (o, n), want in cases
             if bool(rule(o, n)) != want]
    return report([(False, w) for w in wrong] or [(True, "ties survive, losses do not")])
