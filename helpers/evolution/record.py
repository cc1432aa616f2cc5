"""What the explorer shows about a run, filed as the run goes: for each candidate, how it was made (the prompt,
the model's raw reply, the copies refused before it, what it cost, what its repair gave), and the children never
made. The loop's steps hand their facts to a ``RunRecord``; none of it steers the search."""

from dataclasses import dataclass, field


@dataclass
class Making:
    """How one candidate was made."""

    prompt: str = ""          # the prompt that made it (after copies: the last re-ask, which names them)
    reply: str = ""           # the model's raw reply to that prompt (a repair: the code it took from it)
    calls: int = 0            # LLM calls spent on it: its ask and re-asks, or its repair's loop
    tokens: int = 0           # what those calls carried, input + output (replayed and cached ones too)
    rejected: list = field(default_factory=list)   # replies refused before it: copies of genomes seen before
    repair_note: str = ""     # on a child that failed: what its one repair attempt gave


class RunRecord:
    """``made[id]``: a candidate's ``Making``; ``given_up``: one dict per child never made (every reply a copy)."""

    def __init__(self):
        self.made: dict[int, Making] = {}
        self.given_up: list[dict] = []
        self._asking: dict[tuple, Making] = {}   # a child still being asked for, by (operator, generation, slot)

    def of(self, cid: int) -> Making:
        """How candidate ``cid`` was made (a seed: nothing to tell)."""
        return self.made.get(cid) or Making()

    def replied(self, op, index: int, parents, ctx, child, *, rejected: str, final: bool) -> None:
        """The reply of ``op`` to the ``index``-th group of its last call: ``child`` is what it made (None: a copy,
        ``rejected`` its text; ``final``: no re-ask follows, the child is given up)."""
        key = (id(op), ctx.generation, ctx.slot)
        note = self._asking.setdefault(key, Making())
        if index < len(op.asked):   # an operator that asks no model has no prompt to show
            prompt, raw, call = op.asked[index]
            note.prompt, note.reply, note.calls = prompt, raw, note.calls + 1
            note.tokens += call.input_tokens + call.output_tokens if call else 0
        if child is not None:
            self.made[child.id] = self._asking.pop(key)
            return
        note.rejected.append(rejected)
        if final:
            del self._asking[key]
            self.given_up.append({"generation": ctx.generation, "op": op.name, "prompt": note.prompt,
                                  "reply": note.reply, "calls": note.calls, "tokens": note.tokens,
                                  "rejected": note.rejected, "parents": tuple(p.id for p in parents)})

    def calls_so_far(self, repair) -> int:
        """Where the repair's LLM ledger stands now, to count the calls of its next attempt."""
        return len(repair.llm.usage.calls) if repair.llm is not None else 0

    def repaired(self, failed, repair, before: int, genome: str, fix) -> None:
        """One repair attempt of ``failed``: ``genome`` what it gave, ``fix`` the new candidate (None: no new one)."""
        spent = repair.llm.usage.calls[before:] if repair.llm is not None else []
        if fix is not None:
            self.made[fix.id] = Making(prompt=repair.prompt, reply=genome or "", calls=len(spent),
                                       tokens=sum(x.input_tokens + x.output_tokens for x in spent))
        self.made.setdefault(failed.id, Making()).repair_note = (
            f"repaired: #{fix.id}" if fix is not None else
            "the repair was a program seen before" if genome else "the repair gave no working program")
