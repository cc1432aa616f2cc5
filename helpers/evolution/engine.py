"""A small, readable genetic algorithm whose operators can be LLM calls: candidates with ids and lineage,
tournament selection, elitism, a diversity rule, novelty before evaluation (a child must be new, or the
operator is asked again), repair before discard, memory in the prompts, duplicates scored once.

The steps (``start``, ``pick_parents``, ``breed``, ``evaluate``, ``survivors``) are the lesson, and ``run`` is
them in a loop. What they need but do not decide lives beside them: the data (candidate.py), the operators and
the repair (operators.py), the budgets and the progress bar (budget.py), what the explorer shows (record.py)."""

import difflib
import random
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, replace

from ..program_text import program_key
from .budget import Budget
from .candidate import Candidate, Context, Fitness
from .operators import Operator, Repair, check_operator, check_repair
from .record import RunRecord


# --------------------------------------------------------------------------- novelty
def exact(genome: str) -> str:
    """Passwords: two genomes are the same when the strings are (spaces around them aside)."""
    return genome.strip()


# Programs: the same when their parsed syntax trees are, so formatting, comments and docstrings do not count
# (program_text.py: the one key notebook 01's repair loop and notebook 03's toolmaker use too).
ast_key = program_key


# --------------------------------------------------------------------------- the engine
@dataclass
class Generation:
    generation: int
    best: float
    mean: float
    best_id: int
    evaluations: int   # distinct genomes scored so far (the budget spent)


class Evolution:
    """Population, selection with elitism and diversity, breeding, concurrent evaluation, history.

        evo = Evolution(evaluate, [(llm_mutation(llm, prompt, parse), 0.7), (llm_crossover(...), 0.3)])
        population = evo.start(seed_genomes)          # generation 0, evaluated
        for gen in range(1, 6):
            parents = evo.pick_parents(population)    # tournament selection, one group per child
            children = evo.breed(parents, gen)        # only new genomes; a repeat is asked again
            children = evo.evaluate(children)         # concurrently; a crash gets one repair
            population = evo.survivors(population + children, gen)   # elitism + a little diversity

    A genome is a string (a password, a program). ``evaluate(genome) -> Fitness`` gives the score and the
    per-check feedback behind it. ``operators``: ``Operator``s, or (operator, weight) pairs; each child is made
    by one, drawn by weight. ``key(genome)`` says when two genomes are the same (``exact`` for passwords,
    ``ast_key`` for code): a child whose key was seen before is not admitted, and its operator is asked again,
    at most ``reasks`` times. ``repair`` (optional, a ``Repair``) gets one chance to fix a child that failed.
    ``record`` keeps what the explorer shows; ``stopped`` says which budget ended the last ``run``.
    """

    def __init__(self, evaluate: Callable[[str], Fitness], operators, *, population_size=6, children=None,
                 elite=2, diversity=0.2, tournament=2, executor: Executor | None = None, seed=0, key=exact,
                 reasks=2, repair: Repair | None = None, memory=3):
        pairs = [op if isinstance(op, tuple) else (op, 1.0) for op in operators]
        self.operators = [(check_operator(op, f"operator {i + 1}"), w) for i, (op, w) in enumerate(pairs)]
        self.evaluate_genome, self.repair = evaluate, check_repair(repair)
        self.population_size, self.elite, self.diversity = population_size, elite, diversity
        self.children = children or population_size
        self.tournament, self.executor = tournament, executor
        self.key, self.reasks, self.memory = key, reasks, memory
        self.rng = random.Random(seed)
        self.candidates: dict[int, Candidate] = {}   # every candidate ever made, by id
        self.history: list[Generation] = []
        self.trace: list[tuple[int, int, float]] = []   # (evaluations, LLM calls, best score) after each score
        self.population: list[Candidate] = []
        self.replies = self.new_replies = self.repairs = 0
        self.record = RunRecord()                    # what the explorer shows; none of it steers the search
        self.stopped = ""                            # which budget stopped the last run()
        self._scores: dict[str, Fitness] = {}        # genome -> fitness: duplicates are scored once
        self._seen: set[str] = set()                 # keys of every genome admitted
        self._next_id = 0

    # -- the steps of the loop ------------------------------------------------------------------
    def start(self, genomes) -> list[Candidate]:
        """Generation 0: the seeds, evaluated."""
        seeds = [self._new(g, (), 0, "seed") for g in genomes]
        self._seen.update(self.key(g) for g in genomes)
        self.evaluate(seeds)
        self.population = self._ranked(seeds)[: self.population_size]
        self._record(0, self.population)
        return self.population

    def pick_parents(self, population) -> list[tuple]:
        """One (operator, parents) job per child; parents chosen by tournament (best of ``tournament``).
        A crossover of two parents that are the same genome would copy it: it becomes a mutation."""
        ops, weights = zip(*self.operators, strict=True)
        mutation = next((op for op in ops if op.arity == 1), None)
        jobs = []
        for _ in range(self.children):
            op = self.rng.choices(ops, weights)[0]
            parents = tuple(self._tournament(population) for _ in range(op.arity))
            if op.arity == 2 and mutation and self.key(parents[0].genome) == self.key(parents[1].genome):
                op, parents = mutation, parents[:1]
            jobs.append((op, parents))
        return jobs

    def breed(self, jobs, generation) -> list[Candidate]:
        """Each operator is called once with all its parent groups, so its LLM calls go out together. Only new
        genomes become children: a reply seen before (by ``key``) is asked again, hotter, with the copy named in
        the prompt, at most ``reasks`` times; then that child is given up."""
        children = []
        for op in dict.fromkeys(op for op, _ in jobs):
            groups = [parents for o, parents in jobs if o is op]
            contexts = [replace(self.context(parents, generation), slot=i) for i, parents in enumerate(groups)]
            while groups:
                replies, again = op(groups, contexts), []
                for i, (parents, ctx, reply) in enumerate(zip(groups, contexts, replies, strict=True)):
                    child = self._admit(op, i, parents, ctx, reply)   # None: every variant was seen before
                    if child is not None:
                        children.append(child)
                    elif ctx.attempt < self.reasks:                  # ask again, hotter, naming the copy
                        again.append((parents, replace(ctx, rejected=_copies(reply), attempt=ctx.attempt + 1)))
                groups, contexts = [a[0] for a in again], [a[1] for a in again]
        return children

    def evaluate(self, candidates) -> list[Candidate]:
        """Score the candidates, concurrently when there is an executor; each distinct genome once. With a
        ``repair``, a child that failed gets one repair attempt; a new fix joins the list as its child."""
        self._score(candidates)
        failed = [c for c in candidates if c.failed and c.op not in ("seed", "repair")] if self.repair else []
        fixes = [fix for fix in map(self._repair, failed) if fix is not None]
        return candidates + self._score(fixes)

    def survivors(self, pool, generation) -> list[Candidate]:
        """Elitism: the ``elite`` best stay. The other places go to the next best, except that with
        probability ``diversity`` a place goes to the most different of the remaining candidates. A failed
        candidate (it crashed: score 0) keeps a place only when no scored one is left: a crash is the most
        different program of all, and the diversity rule would otherwise keep it."""
        ranked, kept = self._ranked(pool), []
        seen = set()
        ranked = [c for c in ranked if not (c.genome in seen or seen.add(c.genome))]  # one per genome
        ranked = [c for c in ranked if not c.failed] + [c for c in ranked if c.failed]
        while ranked and len(kept) < self.population_size:
            scored = [c for c in ranked if not c.failed]
            if len(kept) >= self.elite and len(scored) > 1 and self.rng.random() < self.diversity:
                pick = min(scored, key=lambda c: max(similarity(c.genome, k.genome) for k in kept))
            else:
                pick = ranked[0]
            kept.append(pick)
            ranked.remove(pick)
        self.population = kept
        self._record(generation, kept)
        return kept

    def run(self, generations=None, seeds=None, progress=True, max_calls=None, max_evaluations=None) -> Candidate:
        """The steps above in a loop, one generation after another, until a budget is spent; returns the best
        candidate. Without ``seeds`` it goes on from where the population stands. The budgets (a number of
        ``generations``, ``max_calls``, ``max_evaluations``) and the progress bar are ``Budget``'s."""
        budget = Budget(generations, max_calls, max_evaluations, progress)
        population = self.start(seeds) if seeds is not None else self.population
        for generation in budget.numbers(self):
            parents = self.pick_parents(population)
            children = self.breed(parents, generation)
            children = self.evaluate(children)
            population = self.survivors(population + children, generation)
        return self.best

    def context(self, parents, generation) -> Context:
        """Memory for a prompt: the top candidates, and recent failures (the parents' own children first)."""
        ids = {p.id for p in parents}
        failed = [c for c in self.candidates.values() if c.failed and c.op != "seed"][::-1]
        failed.sort(key=lambda c: not ids & set(c.parents))   # stable: the parents' own first, newest first
        scored = [c for c in self.candidates.values() if c.fitness and not c.failed]
        return Context(generation, "explore" if generation % 2 else "exploit",
                       self._ranked(scored)[: self.memory], failed[:2])

    # -- reading the results ------------------------------------------------------------------
    @property
    def best(self) -> Candidate:
        scored = [c for c in self.candidates.values() if c.fitness]
        return self._ranked(scored)[0]

    @property
    def evaluations(self) -> int:
        return len(self._scores)

    @property
    def calls(self) -> int:
        """LLM calls the operators made (re-asks included; repairs are counted in ``llm.usage``)."""
        return sum(op.calls for op, _ in self.operators)

    @property
    def novelty_rate(self) -> float:
        """The share of the operators' replies that were new genomes (0 when nothing was asked yet)."""
        return self.new_replies / self.replies if self.replies else 0.0

    def novelty(self) -> str:
        return f"novelty rate: {self.novelty_rate:.2f} ({self.new_replies} of {self.replies} replies new)"

    def lineage(self, candidate=None) -> list[Candidate]:
        """The ancestors of ``candidate`` (default: the best), seed first, following every parent."""
        start = candidate or self.best
        order, stack, seen = [], [start], set()
        while stack:
            c = stack.pop()
            if c.id in seen:
                continue
            seen.add(c.id)
            order.append(c)
            stack.extend(self.candidates[p] for p in c.parents)
        return sorted(order, key=lambda c: (c.generation, c.id))

    def table(self):
        import pandas as pd
        return pd.DataFrame([{"generation": h.generation, "best": round(h.best, 3), "mean": round(h.mean, 3),
                              "best id": h.best_id, "evaluations": h.evaluations} for h in self.history])

    # -- machinery ------------------------------------------------------------------------------
    def _admit(self, op: Operator, index, parents, ctx, reply) -> Candidate | None:
        """The novelty rule: the first variant of ``reply`` whose key was never seen becomes a child (None: none
        is new). The reply, and what it made, go to the record."""
        self.replies += 1
        genome = next((g for g in _variants(reply) if g.strip() and self.key(g) not in self._seen), None)
        child = None
        if genome is not None:
            self._seen.add(self.key(genome))
            self.new_replies += 1
            child = self._new(genome, tuple(p.id for p in parents), ctx.generation, op.name)
        self.record.replied(op, index, parents, ctx, child, rejected=_copies(reply), final=ctx.attempt >= self.reasks)
        return child

    def _repair(self, failed: Candidate) -> Candidate | None:
        """One repair attempt: what it gives becomes a child of ``failed`` if its key is new (None: it is not). The
        record keeps what it cost."""
        self.repairs += 1
        before = self.record.calls_so_far(self.repair)
        genome = self.repair(failed)
        fix = None
        if genome and self.key(genome) not in self._seen:
            self._seen.add(self.key(genome))
            fix = self._new(genome, (failed.id,), failed.generation, "repair")
        self.record.repaired(failed, self.repair, before, genome, fix)
        return fix

    def _new(self, genome, parents, generation, op) -> Candidate:
        c = Candidate(genome, self._next_id, parents, generation, op)
        self.candidates[c.id] = c
        self._next_id += 1
        return c

    def _score(self, candidates) -> list[Candidate]:
        todo = list(dict.fromkeys(c.genome for c in candidates if c.genome not in self._scores))
        if todo:
            mapper = self.executor.map if self.executor else map
            for genome, fit in zip(todo, mapper(self.evaluate_genome, todo), strict=True):
                self._scores[genome] = fit
                before = self.trace[-1][2] if self.trace else float("-inf")
                self.trace.append((len(self._scores), self.calls, max(before, fit.score)))
        for c in candidates:
            c.fitness = self._scores[c.genome]
        return candidates

    @staticmethod
    def _ranked(pool):
        # A crash ranks below every scored candidate, whatever the scores (a seed may score 0, or less);
        # ties: the older candidate first.
        return sorted(pool, key=lambda c: (c.failed, -c.score, c.id))

    def _tournament(self, population):
        contenders = self.rng.sample(population, min(self.tournament, len(population)))
        return self._ranked(contenders)[0]

    def _record(self, generation, population):
        scores = [c.score for c in population]
        best = self._ranked(population)[0]
        self.history.append(Generation(generation, best.score, sum(scores) / len(scores), best.id,
                                       self.evaluations))


def _variants(reply) -> list[str]:
    """An operator's reply for one child: a genome, or a list of variants (k per call); empty ones dropped."""
    return [g for g in ([reply] if isinstance(reply, str) else list(reply)) if g]


def _copies(reply) -> str:
    """A refused reply as the re-ask names it: its variants, one per line."""
    return "\n".join(_variants(reply))


def similarity(a: str, b: str) -> float:
    """0 (nothing in common) .. 1 (identical), difflib's ratio."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def best_of_n(batches, evaluate, executor: Executor | None = None, first_call=1) -> list[tuple[int, int, float]]:
    """The no-evolution baseline: score independent samples. ``batches`` holds one list of genomes per LLM
    call (numbered from ``first_call``: 0 when the first list is the seeds, which cost no call); returns the
    trace (evaluations, LLM calls, best so far) after each distinct genome scored."""
    seen, jobs = set(), []
    for call, genomes in enumerate(batches, first_call):
        for g in genomes:
            if g and g not in seen:
                seen.add(g)
                jobs.append((call, g))
    scores = list((executor.map if executor else map)(lambda job: evaluate(job[1]).score, jobs))
    trace, best = [], float("-inf")
    for i, ((call, _), s) in enumerate(zip(jobs, scores, strict=True), 1):
        best = max(best, s)
        trace.append((i, call, best))
    return trace


def best_within(trace, budget, axis="evaluations") -> float:
    """The best score a trace of (evaluations, calls, best) had reached within ``budget`` on ``axis``."""
    at = 0 if axis == "evaluations" else 1
    return max((t[2] for t in trace if t[at] <= budget), default=float("nan"))


def show_diff(before: str, after: str, names=("seed", "winner")) -> str:
    """A unified diff (difflib) of two genomes: what evolution changed."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), *names, lineterm="", n=1)
    return "\n".join(lines) or "(no change)"

