"""Agents rewrite their own system prompt from the tech lead's feedback (and the winner's code), and the
selection rule that keeps a rewrite only if it does at least as well."""

import re

from .developers import mean_score
from .lead import Attempt

REFLECT_TOKENS = 300
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
