"""What the loop works on: a ``Candidate`` (a genome with its id, parents and ``Fitness``), the ``Check``s a
fitness is made of, and the ``Context`` a prompt may show besides the parents."""

from dataclasses import dataclass, field


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
    """A genome (a password, a program) and where it came from. How it was made (its prompt, the model's reply,
    what it cost) is kept apart, in the run's ``RunRecord``: none of that steers the search."""

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
