"""A small, readable genetic algorithm whose operators can be LLM calls: candidates with ids and lineage,
tournament selection, elitism, a diversity rule, concurrent evaluation, duplicates scored once."""

import difflib
import random
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field


@dataclass
class Check:
    name: str
    passed: bool | None   # None: a measurement, not a pass/fail rule
    why: str = ""


@dataclass
class Fitness:
    """A score (higher is better) and the reasons behind it, which the next prompt will quote."""

    score: float
    checks: list[Check] = field(default_factory=list)
    error: str = ""                 # what went wrong, for candidates that could not be scored
    info: dict = field(default_factory=dict)   # extra measurements (accuracy, timings...)

    def feedback(self) -> str:
        mark = {True: "PASS", False: "FAIL", None: "-"}
        lines = [f"{mark[c.passed]} {c.name}: {c.why}" for c in self.checks]
        if self.error:
            lines.append(f"ERROR: {self.error}")
        return "\n".join(lines)


@dataclass
class Candidate:
    genome: str
    id: int
    parents: tuple = ()
    generation: int = 0
    op: str = "seed"
    fitness: Fitness | None = None

    @property
    def score(self) -> float:
        return self.fitness.score if self.fitness else float("-inf")

    @property
    def feedback(self) -> str:
        return self.fitness.feedback() if self.fitness else "not evaluated yet"

    def __repr__(self):
        return f"Candidate(#{self.id}, gen {self.generation}, {self.op}, score {self.score:.3f}, {self.genome[:40]!r})"


# --------------------------------------------------------------------------- operators
def llm_mutation(llm, prompt: Callable[[Candidate], str], parse: Callable[[str], str], *, name="llm-mutation",
                 **chat_kwargs):
    """One LLM call per child: ``prompt(parent)`` shows the parent and its feedback; ``parse`` takes the
    child out of the reply. All children of a generation go out together through ``llm.chat_many``."""
    def op(groups):
        replies = llm.chat_many([prompt(g[0]) for g in groups], errors="empty", sample=op.asked, **chat_kwargs)
        op.asked += len(groups)   # the same parent asked again later gets a new sample, not the cached reply
        return [parse(r) for r in replies]
    op.arity, op.name, op.asked = 1, name, 0
    return op


def llm_crossover(llm, prompt: Callable[[Candidate, Candidate], str], parse: Callable[[str], str], *,
                  name="llm-crossover", **chat_kwargs):
    """Two parents, one child: ``prompt(a, b)`` asks the model to combine what makes each good."""
    def op(groups):
        replies = llm.chat_many([prompt(g[0], g[1]) for g in groups], errors="empty", sample=op.asked,
                                **chat_kwargs)
        op.asked += len(groups)
        return [parse(r) for r in replies]
    op.arity, op.name, op.asked = 2, name, 0
    return op


def random_mutation(mutate: Callable[[str, random.Random], str], *, seed=0, name="random-mutation"):
    """The blind baseline: ``mutate(genome, rng)`` makes a random edit, no model involved."""
    rng = random.Random(seed)

    def op(groups):
        return [mutate(g[0].genome, rng) for g in groups]
    op.arity, op.name = 1, name
    return op


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
            children = evo.breed(parents, gen)        # each operator asks for all its children at once
            evo.evaluate(children)                    # concurrently; a genome already seen is not re-scored
            population = evo.survivors(population + children, gen)   # elitism + a little diversity

    A genome is a string (a password, a program). ``evaluate(genome) -> Fitness`` gives the score and the
    per-check feedback behind it. An operator is a plain callable ``op(groups) -> list[str]``: it gets one
    group of parents per child it must make (one parent for a mutation, two for a crossover) and returns
    one child genome per group, so an LLM operator can send all its prompts through ``llm.chat_many``.
    """

    def __init__(self, evaluate: Callable[[str], Fitness], operators, *, population_size=6, children=None,
                 elite=2, diversity=0.2, tournament=2, executor: Executor | None = None, seed=0):
        self.evaluate_genome = evaluate
        self.operators = [(op, 1.0) if callable(op) else op for op in operators]
        self.population_size, self.elite, self.diversity = population_size, elite, diversity
        self.children = children or population_size
        self.tournament, self.executor = tournament, executor
        self.rng = random.Random(seed)
        self.candidates: dict[int, Candidate] = {}   # every candidate ever made, by id
        self.history: list[Generation] = []
        self.trace: list[tuple[int, float]] = []     # (evaluations so far, best score so far)
        self.population: list[Candidate] = []
        self._scores: dict[str, Fitness] = {}        # genome -> fitness: duplicates are scored once
        self._next_id = 0

    # -- the steps of the loop ------------------------------------------------------------------
    def start(self, genomes) -> list[Candidate]:
        """Generation 0: the seeds, evaluated."""
        seeds = [self._new(g, (), 0, "seed") for g in genomes]
        self.evaluate(seeds)
        self.population = self._ranked(seeds)[: self.population_size]
        self._record(0, self.population)
        return self.population

    def pick_parents(self, population) -> list[tuple]:
        """One (operator, parents) job per child; parents chosen by tournament (best of ``tournament``)."""
        ops, weights = zip(*self.operators, strict=True)
        jobs = []
        for _ in range(self.children):
            op = self.rng.choices(ops, weights)[0]
            jobs.append((op, tuple(self._tournament(population) for _ in range(op.arity))))
        return jobs

    def breed(self, jobs, generation) -> list[Candidate]:
        """Each operator is called once with all its parent groups (so LLM calls run concurrently)."""
        children = [None] * len(jobs)
        for op in dict.fromkeys(op for op, _ in jobs):
            slots = [i for i, (o, _) in enumerate(jobs) if o is op]
            genomes = op([jobs[i][1] for i in slots])
            for i, genome in zip(slots, genomes, strict=True):
                parents = jobs[i][1]
                genome = genome if genome and genome.strip() else parents[0].genome  # empty reply: a copy
                children[i] = self._new(genome, tuple(p.id for p in parents), generation, op.name)
        return children

    def evaluate(self, candidates) -> list[Candidate]:
        """Score the candidates, concurrently when there is an executor; each distinct genome once."""
        todo = list(dict.fromkeys(c.genome for c in candidates if c.genome not in self._scores))
        if todo:
            mapper = self.executor.map if self.executor else map
            for genome, fit in zip(todo, mapper(self.evaluate_genome, todo), strict=True):
                self._scores[genome] = fit
                before = self.trace[-1][1] if self.trace else float("-inf")
                self.trace.append((len(self._scores), max(before, fit.score)))
        for c in candidates:
            c.fitness = self._scores[c.genome]
        return candidates

    def survivors(self, pool, generation) -> list[Candidate]:
        """Elitism: the ``elite`` best stay. The other places go to the next best, except that with
        probability ``diversity`` a place goes to the most different of the remaining candidates."""
        ranked, kept = self._ranked(pool), []
        seen = set()
        ranked = [c for c in ranked if not (c.genome in seen or seen.add(c.genome))]  # one per genome
        while ranked and len(kept) < self.population_size:
            if len(kept) >= self.elite and len(ranked) > 1 and self.rng.random() < self.diversity:
                pick = min(ranked, key=lambda c: max(similarity(c.genome, k.genome) for k in kept))
            else:
                pick = ranked[0]
            kept.append(pick)
            ranked.remove(pick)
        self.population = kept
        self._record(generation, kept)
        return kept

    def run(self, generations, seeds=None, progress=True) -> Candidate:
        """The whole loop (the same steps as above); returns the best candidate."""
        population = self.start(seeds) if seeds is not None else self.population
        first = self.history[-1].generation + 1 if self.history else 1
        steps = range(first, first + generations)
        if progress:
            from tqdm.auto import tqdm
            steps = tqdm(steps, desc="generations")
        for gen in steps:
            children = self.breed(self.pick_parents(population), gen)
            self.evaluate(children)
            population = self.survivors(population + children, gen)
        return self.best

    # -- reading the results ------------------------------------------------------------------
    @property
    def best(self) -> Candidate:
        scored = [c for c in self.candidates.values() if c.fitness]
        return self._ranked(scored)[0]

    @property
    def evaluations(self) -> int:
        return len(self._scores)

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
    def _new(self, genome, parents, generation, op) -> Candidate:
        c = Candidate(genome, self._next_id, parents, generation, op)
        self.candidates[c.id] = c
        self._next_id += 1
        return c

    @staticmethod
    def _ranked(pool):
        return sorted(pool, key=lambda c: (-c.score, c.id))   # ties: the older candidate first

    def _tournament(self, population):
        contenders = self.rng.sample(population, min(self.tournament, len(population)))
        return self._ranked(contenders)[0]

    def _record(self, generation, population):
        scores = [c.score for c in population]
        best = self._ranked(population)[0]
        self.history.append(Generation(generation, best.score, sum(scores) / len(scores), best.id,
                                       self.evaluations))


def similarity(a: str, b: str) -> float:
    """0 (nothing in common) .. 1 (identical), difflib's ratio."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def best_of_n(genomes, evaluate, executor: Executor | None = None) -> list[tuple[int, float]]:
    """The no-evolution baseline: score N independent samples; returns (evaluations, best so far)."""
    genomes = list(dict.fromkeys(genomes))
    scores = list((executor.map if executor else map)(lambda g: evaluate(g).score, genomes))
    trace, best = [], float("-inf")
    for i, s in enumerate(scores, 1):
        best = max(best, s)
        trace.append((i, best))
    return trace


def show_diff(before: str, after: str, names=("seed", "winner")) -> str:
    """A unified diff (difflib) of two genomes: what evolution changed."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), *names, lineterm="", n=1)
    return "\n".join(lines) or "(no change)"

