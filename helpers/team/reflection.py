"""Agents improve their own system prompt by rule edits: each reads the tech lead's failing tests (expected
against actual, or the error) and proposes 1 to 3 new rules, which are appended to its prompt. A reply that
echoes the prompt or the feedback back adds nothing; the rules it writes after such an echo still count."""

import difflib
import re

from ..llm.parsing import MARKER, parse_items
from .developers import mean_score
from .lead import Attempt

REFLECT_TOKENS = 160  # room for three rules of a line each, and for a short echo before them
MAX_FAILURES = 8  # feedback lines shown: enough to see the pattern, short enough for a small model
PER_PROBLEM = 2  # so that one problem's many failures cannot crowd out the others
REFLECT = """You are {agent}. This is your system prompt:
<prompt>
{prompt}
</prompt>

The tech lead ran hidden tests on your code for the training problems. Your score: {score:.2f} (share of hidden
tests passed). The failing tests, expected against actual, or the error:
{failures}

Write 1 to 3 new rules for your system prompt that would have avoided these failures on any problem: general
rules, not answers to these tests, and not rules your prompt already has. One rule per line, each starting
with "- ", and nothing else."""


def failures(attempts: list[Attempt], limit: int = MAX_FAILURES, per_problem: int = PER_PROBLEM) -> list[str]:
    """Distinct failing-test lines of ``attempts`` (samples often fail alike): at most ``per_problem`` for each
    problem, taken in turn across problems, at most ``limit`` in all."""
    by_problem: dict[str, list[str]] = {}
    for a in attempts:
        for line in a.feedback.splitlines() if a.passed < a.total else []:
            lines = by_problem.setdefault(a.problem, [])
            if f"- {a.problem}: {line}" not in lines and len(lines) < per_problem:
                lines.append(f"- {a.problem}: {line}")
    rounds = zip(*[lines + [""] * (per_problem - len(lines)) for lines in by_problem.values()], strict=True)
    return [line for turn in rounds for line in turn if line][:limit]


def reflection_prompt(agent: str, prompt: str, mine: list[Attempt]) -> str:
    """What an agent reads before proposing rules: its prompt, its score and each failing test."""
    return REFLECT.format(agent=agent, prompt=prompt, score=mean_score(mine),
                          failures="\n".join(failures(mine)) or "- (none: every hidden test passed)")


def propose(llm, agent: str, prompt: str, mine: list[Attempt], *, n: int = 3, first_sample: int = 0) -> list[str]:
    """Up to ``n`` distinct rewrites of ``prompt``: one reflection per sample, its new rules appended.
    A reply with no usable rule proposes nothing (and costs no evaluation)."""
    asked = reflection_prompt(agent, prompt, mine)
    rewrites = []
    for s in range(first_sample, first_sample + n):
        rules = extract_rules(llm.chat(asked, max_tokens=REFLECT_TOKENS, sample=s), asked)
        if rules and with_rules(prompt, rules) not in rewrites:
            rewrites.append(with_rules(prompt, rules))
    return rewrites


def with_rules(prompt: str, rules: list[str]) -> str:
    """The prompt with ``rules`` appended, one "- " line each."""
    return prompt.rstrip() + "\n" + "\n".join(f"- {r}" for r in rules)


def _sentences(text: str) -> list[str]:
    squashed = " ".join(text.split())
    return [s.strip() for s in re.split(r"(?<=[.!?:])\s+|\s+-\s+", squashed) if s.strip()]


def echoes(sentence: str, known: list[str], cutoff: float = 0.8) -> bool:
    """A sentence the model copied, whole or nearly ("You are Clean" -> "I am Clean"), from ``known``."""
    s = sentence.lower().strip(" -*.")
    return any(s in k.lower() or difflib.SequenceMatcher(None, s, k.lower().strip(" -*.")).ratio() >= cutoff
               for k in known)


def extract_rules(reply: str, asked: str, limit: int = 3) -> list[str]:
    """The new rules in ``reply``: its list items ("- ...", "1. ...") minus whatever echoes ``asked`` (the
    reflection prompt, which holds the agent's prompt and the feedback), code and tags. Prose around the
    list ("Here are the rules:", "By following these rules...") is no rule."""
    text = re.sub(r"```.*?(```|\Z)", "\n", reply or "", flags=re.S)  # code is no rule; a cut-off block ends the reply
    text = re.sub(r"</?prompt>", "\n", text)
    marked = [ln for ln in text.splitlines() if MARKER.match(ln)]
    known = _sentences(asked) + [ln.strip() for ln in asked.splitlines() if ln.strip()]
    rules = []
    for item in parse_items("\n".join(marked)):
        item = re.sub(r"\*\*(.+?)\*\*", r"\1", item).strip()
        fresh = [s for s in _sentences(item) if not echoes(s, known + rules)]
        rule = " ".join(fresh)
        if 15 <= len(rule) <= 240 and "->" not in rule and not re.match(r"(def|class|import|from|return)\s", rule):
            rules.append(rule)
    return rules[:limit]


def keep_if_better(old_score: float, new_score: float) -> bool:
    """The lesson's selection rule: a rewrite survives only if it scores strictly higher on training."""
    return new_score > old_score
