"""Run LLM-written code in a child process that cannot hang, exhaust or read the host.

    result = run_code("print(1/0)")                   # RunResult(status="error", error_type="ZeroDivisionError")
    result = call_function(code, "score", data)       # result.value holds the JSON-able return value
    report = run_tests(code, "def test_a(): assert f(2) == 4")
    print(report.summary(), report.feedback())

This is a guardrail for honest-but-buggy code, NOT a security boundary against a determined
attacker. Code that wants out can get out. For hostile code use a container or VM (gVisor,
Firecracker, a locked-down Docker) on top of this.

What it contains, per run:
  - a fresh `python -I` (isolated mode: no user site, no PYTHON* variables, no script dir on sys.path)
    or, with `warm=`, a fresh fork of a clean template process (template.py);
  - a fresh temporary working directory (also HOME and TMPDIR), removed afterwards;
  - an explicit minimal environment (PATH, HOME, TMPDIR, LANG): no API keys, nothing else;
  - stdin closed (reads see EOF);
  - its own session and process group, SIGKILLed as a group at the wall-clock timeout;
  - rlimits: CPU seconds, address space (memory_mb), file size, open files, core dumps off;
  - stdout/stderr captured by the parent and capped (the rest is read and thrown away);
  - leftovers: after the run every process carrying the run's token in its environment (that is,
    every descendant, even one that called setsid()) is SIGKILLed; the fork server is a
    child subreaper and kills whatever its tasks leave behind;
  - network: an audit hook refuses socket connects, sends and DNS look-ups unless allow_network=True.

What it does NOT do:
  - no filesystem isolation: the code can read every file the notebook user can read (and as root
    that is every file), and write anywhere it has permission to;
  - no syscall filtering and no namespaces: it sees other processes, can signal them, can exec
    programs (curl, a compiled binary) that ignore the audit hook;
  - the audit hook lives in the child's own memory: ctypes tricks or a C extension can remove or
    bypass it, and subprocesses do not inherit it;
  - RLIMIT_NPROC does not stop fork() for root, so a fork bomb is only stopped by the timeout and
    the group kill; until then it can load the machine. Memory is capped per process, not per run;
  - a process that clears its environment and calls setsid() can escape the cold-path leftover
    sweep; on Windows (no `resource`, no process groups) only the timeout applies.

Outcomes are a closed set: "ok", "error" (an exception, or a nonzero exit code such as
sys.exit(3)), "timeout" (wall clock or CPU limit), "memory" (MemoryError, or killed by a signal
while near the address-space limit) and "killed" (any other signal).

Files: run.py holds the entry points; forkserver.py is the warm template's client and template.py
the template itself; registry.py owns the shared warm templates; child.py is what runs inside the
child, cold or warm; plumbing.py is the process plumbing both paths share; results.py the result types.
"""

from .forkserver import TemplateClient
from .layers import sandbox_layers
from .registry import warm_server
from .results import RunResult, TestOutcome, TestReport
from .run import ForkServer, call_function, run_code, run_many, run_tests

__all__ = ["RunResult", "TestOutcome", "TestReport", "ForkServer", "TemplateClient", "run_code", "call_function",
           "run_tests", "run_many", "warm_server", "sandbox_layers"]
