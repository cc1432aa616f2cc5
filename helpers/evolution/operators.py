"""The two contracts the engine calls: an ``Operator`` makes children from parents, a ``Repair`` gets one chance to
fix a child that failed. Both are small base classes (a model in simonw/llm overrides one method; so do these), and
``Evolution`` checks what it is given when it is made, so a missing piece is named before any LLM call.

The kit's operators: ``llm_mutation`` and ``llm_crossover`` (a prompt per child, all sent together) and
``random_mutation`` (the blind baseline)."""

import random
from collections.abc import Callable

from ..llm.errors import HelpfulError
from .candidate import Candidate, Context


class ContractError(HelpfulError, TypeError):
    """An operator or a repair that the engine cannot use; the message says what is missing."""


class Operator:
    """Makes children. The engine calls ``op(groups, contexts)`` once per generation with one group of parents per
    child (a tuple of ``arity`` candidates) and a ``Context`` for each; it returns one genome per group, or a list of
    variants (the engine takes the first one it has not seen).

    Override ``make(parents, context) -> genome`` to make one child at a time, or ``__call__`` to make them all at
    once (the LLM operators send their prompts together). ``arity``: 1 for a mutation, 2 for a crossover. ``name``
    labels its children. ``calls``: the LLM calls it made, re-asks included (0 if it asks no model). ``asked``: after
    each call, one (prompt, reply, ledger row) per group, which the explorer shows (empty: nothing to show)."""

    arity = 1
    name = "operator"
    calls = 0
    asked = ()

    def __call__(self, groups, contexts) -> list:
        return [self.make(parents, ctx) for parents, ctx in zip(groups, contexts, strict=True)]

    def make(self, parents: tuple[Candidate, ...], context: Context) -> str:
        raise NotImplementedError(f"{type(self).__name__} makes no child: write make(self, parents, context)")


class Repair:
    """One chance to fix a child that failed: ``repair(candidate) -> genome``, or "" when it has no fix. Override
    ``__call__``. ``llm``: the model it asks, if any (the explorer counts the repair's calls in that model's
    ledger). ``prompt``: the last prompt it sent (the explorer shows it)."""

    llm = None
    prompt = ""

    def __call__(self, candidate: Candidate) -> str:
        raise NotImplementedError(f"{type(self).__name__} repairs nothing: write __call__(self, candidate) -> genome")


# --------------------------------------------------------------------------- the contracts, checked
def check_operator(op, where: str) -> Operator:
    """``op`` if the engine can call it; else a ``ContractError`` that says what to write."""
    how = ("subclass helpers.evolution.Operator, set arity = 1 (a mutation) or 2 (a crossover) and write "
           "make(self, parents, context) -> genome")
    if isinstance(op, type) and issubclass(op, Operator):
        raise ContractError(f"{where} is the class {op.__name__}, not an operator: pass an instance, {op.__name__}()")
    if not isinstance(op, Operator):
        what = f"the function {op.__name__}()" if callable(op) and hasattr(op, "__name__") else repr(op)[:60]
        raise ContractError(f"{where} is {what}, not an Operator: {how}")
    if op.arity not in (1, 2):
        raise ContractError(f"{where} ({op.name}) has arity {op.arity!r}: set arity = 1 (one parent, a mutation) "
                            "or 2 (two parents, a crossover)")
    if type(op).__call__ is Operator.__call__ and type(op).make is Operator.make:
        raise ContractError(f"{where} ({op.name}) makes no child: {how}")
    return op


def check_repair(repair) -> Repair | None:
    """``repair`` if the engine can call it (None: no repair); else a ``ContractError`` that says what to write."""
    if repair is None or (isinstance(repair, Repair) and type(repair).__call__ is not Repair.__call__):
        return repair
    what = f"the function {repair.__name__}()" if hasattr(repair, "__name__") else repr(repair)[:60]
    raise ContractError(f"repair= is {what}, not a Repair: subclass helpers.evolution.Repair and write "
                        "__call__(self, candidate) -> genome (\"\" when there is no fix); set llm = the model it asks")


# --------------------------------------------------------------------------- the kit's operators
def rejection_note(ctx: Context) -> str:
    """Appended to a re-asked prompt: the rejected reply, named, and what to do instead."""
    if not ctx.rejected.strip():
        return "\n\nYour previous reply had no usable answer. Answer this time, in the format asked."
    shown = ctx.rejected.strip()
    shown = f"\n```\n{shown}\n```\n" if "\n" in shown else f" {shown} "
    return (f"\n\nYour previous reply was{shown}which was already tried (it repeats a parent or an earlier "
            "candidate). Make a different change.")


class LLMOperator(Operator):
    """``prompt(*parents, context)`` per child, all sent at once through ``llm.chat_many``; ``parse`` takes the
    child out of each reply. A re-ask (the reply was not new) adds the rejected reply to the prompt and ``hotter``
    to the temperature."""

    def __init__(self, llm, arity, prompt, parse, *, name, temperature=0.7, hotter=0.3, **chat_kwargs):
        self.llm, self.arity, self.prompt, self.parse, self.name = llm, arity, prompt, parse, name
        self.temperature, self.hotter, self.chat_kwargs = temperature, hotter, chat_kwargs

    def __call__(self, groups, contexts) -> list:
        prompts = [self.prompt(*g, ctx) + (rejection_note(ctx) if ctx.attempt else "")
                   for g, ctx in zip(groups, contexts, strict=True)]
        heat = min(1.5, self.temperature + self.hotter * max((c.attempt for c in contexts), default=0))
        ledger = []   # each prompt's ledger row: what each child cost, for the explorer
        replies = self.llm.chat_many(prompts, errors="empty", sample=self.calls, temperature=heat, calls=ledger,
                                     **self.chat_kwargs)
        self.calls += len(groups)   # the same parent asked again later gets a new sample, not the cached reply
        self.asked = list(zip(prompts, replies, ledger, strict=True))
        return [self.parse(r) for r in replies]


def llm_mutation(llm, prompt: Callable[[Candidate, Context], str], parse: Callable[[str], str], *,
                 name="llm-mutation", **settings) -> LLMOperator:
    """One LLM call per child: ``prompt(parent, context)`` shows the parent and its feedback."""
    return LLMOperator(llm, 1, prompt, parse, name=name, **settings)


def llm_crossover(llm, prompt: Callable[[Candidate, Candidate, Context], str], parse: Callable[[str], str], *,
                  name="llm-crossover", **settings) -> LLMOperator:
    """Two parents, one child: ``prompt(a, b, context)`` asks the model to combine what makes each good."""
    return LLMOperator(llm, 2, prompt, parse, name=name, **settings)


class RandomMutation(Operator):
    """The blind baseline: ``mutate(genome, rng)`` makes a random edit, no model involved (a re-ask is simply
    another random edit)."""

    def __init__(self, mutate: Callable[[str, random.Random], str], *, seed=0, name="random-mutation"):
        self.mutate, self.rng, self.name = mutate, random.Random(seed), name

    def make(self, parents, context) -> str:
        return self.mutate(parents[0].genome, self.rng)


def random_mutation(mutate: Callable[[str, random.Random], str], *, seed=0, name="random-mutation") -> RandomMutation:
    return RandomMutation(mutate, seed=seed, name=name)
