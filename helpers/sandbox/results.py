"""What a sandboxed run returns: a ``RunResult`` (one of a closed set of outcomes) and, for tests, a
``TestReport``. Their ``feedback()`` texts go into prompts, so they never contain timings."""

from dataclasses import dataclass, field


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
        what = {"ok": "ran successfully", "error": "failed", "timeout": "timed out and was killed",
                "memory": "ran out of memory and was stopped", "killed": "was killed by a signal"}[self.status]
        head = f"The code {what} (status {self.status}"
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
