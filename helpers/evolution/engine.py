"""A small, readable genetic algorithm whose operators can be LLM calls: candidates with ids and lineage,
tournament selection, elitism, a diversity rule, novelty before evaluation (a child must be new, or the
operator is asked again), repair before discard, memory in the prompts, duplicates scored once."""

import ast
import difflib
import random
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace


@dataclass
class Check:
    name: str
    passed: bool | None   # None: a measurement, not a pass/fail rule
    why: str = ""
    credit: float | None = None   # partial credit 0..1 for getting closer; None: 1 if passed else 0


@dataclass
class Fitness:
    """A score (higher is better) and the reasons behind it, which the next prompt will quote."""

    score: float
    checks: list[Check] = field(default_factory=list)
    error: str = ""                 # what went wrong, for candidates that could not be scored
    info: dict = field(default_factory=dict)   # extra measurements (accuracy, timings...)
    artifacts: dict = field(default_factory=dict)   # text the evaluator sent for the next prompt (OpenEvolve's)

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
    # What the explorer (explore.py) shows, recorded as the run goes; none of it steers the search.
    prompt: str = ""          # the prompt that made it (after copies: the last re-ask, which names them)
    reply: str = ""           # the model's raw reply to that prompt (a repair: the code it took from it)
    calls: int = 0            # LLM calls spent on it: its ask and re-asks, or its repair's loop
    tokens: int = 0           # what those calls carried, input + output (replayed and cached ones too)
    rejected: list = field(default_factory=list)   # replies refused before it: copies of genomes seen before
    repair_note: str = ""     # on a child that failed: what its one repair attempt gave

    @property
    def score(self) -> float:
        return self.fitness.score if self.fitness else float("-inf")

    @property
    def feedback(self) -> str:
        return self.fitness.feedback() if self.fitness else "not evaluated yet"

    @property
    def failed(self) -> bool:
        """It could not be scored: it crashed, timed out or ran out of memory (its error says which)."""
        return bool(self.fitness and self.fitness.error)

    def __repr__(self):
        return f"Candidate(#{self.id}, gen {self.generation}, {self.op}, score {self.score:.3f}, {self.genome[:40]!r})"


@dataclass
class Context:
    """What a prompt may show besides the parents (OpenEvolve's inspirations and artifacts)."""

    generation: int = 0
    mode: str = "exploit"     # "explore" and "exploit" alternate, generation by generation
    top: list = field(default_factory=list)        # the best candidates so far, best first
    failures: list = field(default_factory=list)   # recent failed children, the parent's own first
    rejected: str = ""        # on a re-ask: the reply that was not new
    attempt: int = 0          # 0 for the first ask; each re-ask counts up and runs hotter
    slot: int = 0             # which child of its generation this prompt is for (0, 1, 2, ...)


def rejection_note(ctx: Context) -> str:
    """Appended to a re-asked prompt: the rejected reply, named, and what to do instead."""
    if not ctx.rejected.strip():
        return "\n\nYour previous reply had no usable answer. Answer this time, in the format asked."
    shown = ctx.rejected.strip()
    shown = f"\n```\n{shown}\n```\n" if "\n" in shown else f" {shown} "
    return (f"\n\nYour previous reply was{shown}which was already tried (it repeats a parent or an earlier "
            "candidate). Make a different change.")


def _file_ask(note: dict, ask) -> None:
    """File one ask, (prompt, raw reply, ledger row) from an LLM operator, with the child it is for."""
    if ask is None:
        return
    prompt, reply, call = ask
    note.update(prompt=prompt, reply=reply, calls=note["calls"] + 1,
                tokens=note["tokens"] + (call.input_tokens + call.output_tokens if call else 0))


# --------------------------------------------------------------------------- operators
def _llm_operator(llm, arity, prompt, parse, name, temperature, hotter, chat_kwargs):
    def op(groups, contexts):
        prompts = [prompt(*g, ctx) + (rejection_note(ctx) if ctx.attempt else "")
                   for g, ctx in zip(groups, contexts, strict=True)]
        heat = min(1.5, temperature + hotter * max((c.attempt for c in contexts), default=0))
        ledger = []   # each prompt's ledger row: what each child cost, for the explorer
        replies = llm.chat_many(prompts, errors="empty", sample=op.calls, temperature=heat, calls=ledger,
                                **chat_kwargs)
        op.calls += len(groups)   # the same parent asked again later gets a new sample, not the cached reply
        op.asked = list(zip(prompts, replies, ledger, strict=True))   # breed() files them with the children
        return [parse(r) for r in replies]
    op.arity, op.name, op.calls, op.asked = arity, name, 0, []
    return op


def llm_mutation(llm, prompt: Callable[[Candidate, Context], str], parse: Callable[[str], str], *,
                 name="llm-mutation", temperature=0.7, hotter=0.3, **chat_kwargs):
    """One LLM call per child: ``prompt(parent, context)`` shows the parent and its feedback; ``parse`` takes
    the child out of the reply. A re-ask (the reply was not new) adds the rejected reply to the prompt and
    ``hotter`` to the temperature. All children of a generation go out together through ``llm.chat_many``."""
    return _llm_operator(llm, 1, prompt, parse, name, temperature, hotter, chat_kwargs)


def llm_crossover(llm, prompt: Callable[[Candidate, Candidate, Context], str], parse: Callable[[str], str], *,
                  name="llm-crossover", temperature=0.7, hotter=0.3, **chat_kwargs):
    """Two parents, one child: ``prompt(a, b, context)`` asks the model to combine what makes each good."""
    return _llm_operator(llm, 2, prompt, parse, name, temperature, hotter, chat_kwargs)


def random_mutation(mutate: Callable[[str, random.Random], str], *, seed=0, name="random-mutation"):
    """The blind baseline: ``mutate(genome, rng)`` makes a random edit, no model involved (a re-ask is
    simply another random edit)."""
    rng = random.Random(seed)

    def op(groups, contexts=None):
        return [mutate(g[0].genome, rng) for g in groups]
    op.arity, op.name, op.calls = 1, name, 0
    return op


# --------------------------------------------------------------------------- novelty
def exact(genome: str) -> str:
    """Passwords: two genomes are the same when the strings are (spaces around them aside)."""
    return genome.strip()


def ast_key(code: str) -> str:
    """Programs: the same when their parsed ASTs are, so formatting, comments and docstrings do not count.
    Code that does not parse falls back to its text without blank lines and comments."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        lines = (line.split("#", 1)[0].rstrip() for line in code.splitlines())
        return "\n".join(line for line in lines if line.strip())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]   # a docstring is documentation, not behaviour
    return ast.dump(tree)


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
    per-check feedback behind it. An operator is a plain callable ``op(groups, contexts) -> list[str]``: it
    gets one group of parents per child it must make (one parent for a mutation, two for a crossover), and
    a ``Context`` per group (the top candidates, recent failures, explore or exploit), and returns one child
    genome per group, so an LLM operator can send all its prompts through ``llm.chat_many``.

    ``key(genome)`` says when two genomes are the same (``exact`` for passwords, ``ast_key`` for code): a
    child whose key was seen before is not admitted, and its operator is asked again, at most ``reasks``
    times. ``repair(candidate) -> genome`` (optional) gets one chance to fix a child that failed.
    """

    def __init__(self, evaluate: Callable[[str], Fitness], operators, *, population_size=6, children=None,
                 elite=2, diversity=0.2, tournament=2, executor: Executor | None = None, seed=0, key=exact,
                 reasks=2, repair: Callable[[Candidate], str] | None = None, memory=3):
        self.evaluate_genome = evaluate
        self.operators = [(op, 1.0) if callable(op) else op for op in operators]
        self.population_size, self.elite, self.diversity = population_size, elite, diversity
        self.children = children or population_size
        self.tournament, self.executor = tournament, executor
        self.key, self.reasks, self.repair, self.memory = key, reasks, repair, memory
        self.rng = random.Random(seed)
        self.candidates: dict[int, Candidate] = {}   # every candidate ever made, by id
        self.history: list[Generation] = []
        self.trace: list[tuple[int, int, float]] = []   # (evaluations, LLM calls, best score) after each score
        self.population: list[Candidate] = []
        self.replies = self.new_replies = self.repairs = 0
        self.given_up: list[dict] = []               # children never made: every reply a copy (the explorer)
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
        """Each operator is called once with all its parent groups (so LLM calls run concurrently). Only new
        genomes become children: a reply seen before (after ``key``) is asked again, hotter, with the
        rejected reply named, at most ``reasks`` times; then that child is given up. An operator may return
        a list of variants for a group (k per call): the first new one becomes the child."""
        children = []
        for op in dict.fromkeys(op for op, _ in jobs):
            groups = [parents for o, parents in jobs if o is op]
            contexts = [replace(self.context(parents, generation), slot=i) for i, parents in enumerate(groups)]
            notes = [{"calls": 0, "tokens": 0, "rejected": []} for _ in groups]   # per child, for the explorer
            genomes = op(groups, contexts)
            for attempt in range(1, self.reasks + 2):
                again = []
                asked = getattr(op, "asked", None) or [None] * len(groups)   # a plain operator records nothing
                for parents, ctx, reply, note, ask in zip(groups, contexts, genomes, notes, asked, strict=True):
                    self.replies += 1
                    _file_ask(note, ask)
                    options = [reply] if isinstance(reply, str) else list(reply)   # k variants in one reply
                    genome = next((g for g in options if g and g.strip() and self.key(g) not in self._seen), None)
                    if genome is not None:
                        self._seen.add(self.key(genome))
                        self.new_replies += 1
                        children.append(self._new(genome, tuple(p.id for p in parents), generation, op.name,
                                                  **note))
                    else:
                        rejected = "\n".join(g for g in options if g)
                        note["rejected"] = note["rejected"] + [rejected]
                        if attempt <= self.reasks:
                            again.append((parents, replace(ctx, rejected=rejected, attempt=attempt), note))
                        else:
                            self.given_up.append({"generation": generation, "op": op.name, **note,
                                                  "parents": tuple(p.id for p in parents)})
                if not again:
                    break
                groups, contexts, notes = ([a[i] for a in again] for i in range(3))
                genomes = op(groups, contexts)
        return children

    def evaluate(self, candidates) -> list[Candidate]:
        """Score the candidates, concurrently when there is an executor; each distinct genome once. With a
        ``repair``, a child that failed gets one repair attempt; a new fix joins the list as its child."""
        self._score(candidates)
        if self.repair is None:
            return candidates
        fixes = []
        for c in candidates:
            if c.failed and c.op not in ("seed", "repair"):
                self.repairs += 1
                llm = getattr(self.repair, "llm", None)   # a repair that names its LLM: its calls are counted
                before = len(llm.usage.calls) if llm is not None else 0
                genome = self.repair(c)
                spent = llm.usage.calls[before:] if llm is not None else []
                note = {"prompt": getattr(self.repair, "prompt", ""), "reply": genome or "", "calls": len(spent),
                        "tokens": sum(x.input_tokens + x.output_tokens for x in spent)}
                if genome and self.key(genome) not in self._seen:
                    self._seen.add(self.key(genome))
                    fixes.append(self._new(genome, (c.id,), c.generation, "repair", **note))
                    c.repair_note = f"repaired: #{fixes[-1].id}"
                else:
                    c.repair_note = ("the repair was a program seen before" if genome else
                                     "the repair gave no working program")
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
        """The whole loop (the same steps as above); returns the best candidate. Three budgets, any of them
        may stop it: ``generations``, ``max_calls`` (the operators' LLM calls, re-asks included) and
        ``max_evaluations`` (distinct genomes scored, seeds included); the last two stop after the generation
        in which they are reached. ``generations=None`` runs until another budget stops it. ``stopped`` says
        which budget did; the progress bar counts the budget that applies and prints it at the end."""
        if generations is None and max_calls is None and max_evaluations is None:
            raise ValueError("Give run() a budget: generations=..., max_calls=... or max_evaluations=...")
        population = self.start(seeds) if seeds is not None else self.population
        first = self.history[-1].generation + 1 if self.history else 1
        unit, total, spent = self._budget(generations, max_calls, max_evaluations)
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=total, desc=unit, initial=min(spent(), total))
        gen, idle = first, 0
        while True:
            before = spent()
            children = self.breed(self.pick_parents(population), gen)
            children = self.evaluate(children)
            population = self.survivors(population + children, gen)
            if bar is not None:
                bar.update(min(spent(), total) - min(before, total))
            idle = idle + 1 if spent() == before else 0   # e.g. max_calls with operators that make no call
            self.stopped = self._stop(gen - first + 1, generations, max_calls, max_evaluations) or (
                f"no progress: {idle} generations in a row spent none of the {unit} budget" if idle >= 10 else "")
            if self.stopped:
                break
            gen += 1
        if bar is not None:
            bar.close()
            print(f"stopped by {self.stopped}")
        return self.best

    def _budget(self, generations, max_calls, max_evaluations):
        """The budget the progress bar counts: the LLM calls or the evaluations when one is given (they stop
        the run sooner than a number of generations would), else the generations."""
        if max_calls is not None:
            return "LLM calls", max_calls, lambda: self.calls
        if max_evaluations is not None:
            return "evaluations", max_evaluations, lambda: self.evaluations
        done = len(self.history)
        return "generations", generations, lambda: len(self.history) - done

    def _stop(self, ran, generations, max_calls, max_evaluations) -> str:
        """Which budget, if any, is spent after ``ran`` generations of this run ("" while none is)."""
        gen = self.history[-1].generation
        if max_calls is not None and self.calls >= max_calls:
            return f"max_calls={max_calls}: {self.calls} LLM calls after generation {gen}"
        if max_evaluations is not None and self.evaluations >= max_evaluations:
            return f"max_evaluations={max_evaluations}: {self.evaluations} evaluations after generation {gen}"
        if generations is not None and ran >= generations:
            return f"generations={generations}: generation {gen} done"
        return ""

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
    def _new(self, genome, parents, generation, op, **notes) -> Candidate:
        c = Candidate(genome, self._next_id, parents, generation, op, **notes)
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

