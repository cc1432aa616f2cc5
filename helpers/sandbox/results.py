"""What a sandboxed run returns: a ``RunResult`` (one of a closed set of outcomes) and, for tests, a
``TestReport``. Their ``feedback()`` texts go into prompts, so they never contain timings."""

from dataclasses import dataclass, field

# What a run with each status did, in words that follow "the code" or "the run"; {limit} is the limit it hit.
OUTCOMES = {"ok": "ran successfully", "error": "failed", "timeout": "timed out{limit} and was killed",
            "memory": "ran out of memory{limit} and was stopped", "killed": "was killed by a signal"}
LIMITS = {"timeout": " after {:g} s", "memory": " (limit {:g} MB)"}


def outcome(status: str, *, timeout: float | None = None, memory_mb: float | None = None) -> str:
    """The one wording of a sandbox outcome: ``outcome("timeout", timeout=40)`` is "timed out after 40 s
    and was killed". Pass the limits the run was given, never a measured time: a prompt must read the same
    in every run, or its recording cannot replay it. A limit the status did not hit is not said."""
    if status not in OUTCOMES:
        raise ValueError(f"status must be one of {list(OUTCOMES)}, not {status!r}")
    limit = {"timeout": timeout, "memory": memory_mb}.get(status)
    return OUTCOMES[status].format(limit="" if limit is None else LIMITS[status].format(limit))


@dataclass
class RunResult:
    status: str              # "ok", "error", "timeout", "memory", "killed"
    returncode: int | None   # negative: killed by that signal
    stdout: str
    stderr: str
    error_type: str | None
    traceback: str | None
    duration: float
    value: object = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def feedback(self) -> str:
        """A short summary for a prompt: what happened, the end of the traceback, the end of stdout."""
        head = f"The code {outcome(self.status)} (status {self.status}"
        head += f", {self.error_type}" if self.error_type else ""
        head += f", exit code {self.returncode}" if self.returncode not in (0, None) else ""
        # no duration here: prompts must be identical run to run, or recordings cannot replay them
        parts = [head + ")."]
        if self.traceback:
            parts.append(last_lines(self.traceback, 12))
        elif self.stderr.strip():
            parts.append("stderr (last lines):\n" + last_lines(self.stderr, 12))
        if self.stdout.strip():
            parts.append("stdout (last lines):\n" + last_lines(self.stdout, 20))
        return "\n".join(parts)


@dataclass
class TestOutcome:
    name: str
    passed: bool
    message: str


@dataclass
class TestReport:
    results: list[TestOutcome]
    run: RunResult
    passed: int = field(init=False)
    failed: int = field(init=False)
    total: int = field(init=False)

    def __post_init__(self):
        self.total = len(self.results)
        self.passed = sum(r.passed for r in self.results)
        self.failed = self.total - self.passed

    @property
    def all_passed(self) -> bool:
        # No tests is not a pass: a repair loop must not "succeed" by losing its tests.
        return self.total > 0 and self.failed == 0 and self.run.ok

    def summary(self) -> str:
        tail = "" if self.run.status in ("ok", "error") else f" (run {self.run.status})"
        return f"{self.passed}/{self.total} tests passed{tail}"

    def feedback(self) -> str:
        parts = [self.summary() + "."]
        parts += [f"FAILED {r.name}: {r.message}" for r in self.results if not r.passed]
        if not self.run.ok:
            parts.append(self.run.feedback())
        elif self.run.stdout.strip():
            parts.append("stdout (last lines):\n" + last_lines(self.run.stdout, 20))
        return "\n".join(parts)


def last_lines(text, n):
    return "\n".join(text.rstrip().splitlines()[-n:])
