"""Run LLM-written code in a child process that cannot hang or exhaust the host and, where Linux
allows it, behind a kernel boundary.

    result = run_code("print(1/0)")                   # RunResult(status="error", error_type="ZeroDivisionError")
    result = call_function(code, "score", data)       # result.value holds the JSON-able return value
    report = run_tests(code, "def test_a(): assert f(2) == 4")
    print(report.summary(), report.feedback())

Two kinds of protection. The guardrails hold everywhere; the kernel boundary holds where Linux lets
an ordinary process create namespaces (root, or unprivileged user namespaces). `sandbox_layers()`
says which are on; a missing layer is said once, in one line, and the run goes on behind the rest.

The guardrails, per run:
  - a fresh `python -s -P -S`: isolated mode (no user site, no script dir on sys.path) in an environment
    built whole, so no PYTHON* variable but PYTHONHASHSEED=0, which makes set order and so error texts the
    same on every run (plumbing.ISOLATED); -S: set up as `python -I` would be, without paying for the .pth
    files, see startup.py)
    or, with `warm=`, a fresh fork of a clean template process (template.py, never the notebook);
  - a fresh temporary working directory (also HOME and TMPDIR), gone when the run returns (renamed
    into a graveyard there and then, deleted in the background: plumbing.Graveyard);
  - an explicit minimal environment (PATH, HOME, TMPDIR, LANG, PYTHONHASHSEED): no API keys, nothing else;
  - stdin closed (reads see EOF); stdout/stderr captured by the parent and capped;
  - its own session and process group, SIGKILLed as a group at the wall-clock timeout;
  - rlimits: CPU seconds, address space (memory_mb), file size, open files, core dumps off;
  - an audit hook refuses socket connects, sends and DNS look-ups unless allow_network=True;
  - without a PID namespace, leftovers are swept: every process carrying the run's token in its
    environment is SIGKILLed, and the fork server, a child subreaper, kills what its tasks leave.

The kernel boundary (boundary.py), per run, cold and warm:
  - a user namespace that owns the others: the run is root inside it and nothing outside; every
    capability is dropped before the job starts (no remount, no unmount, no way back);
  - a PID namespace: the run sees and can signal only its own processes; when its first process
    ends, the kernel kills every process left in it (no sweep needed, setsid() or not);
  - a mount namespace: the whole filesystem read-only (home, repository, tool library, notebooks),
    except the run's folder and a private tmpfs on /tmp and /dev/shm; a /proc of its own;
  - a network namespace with a loopback that is down: no connection anywhere, whatever the code
    does (ctypes, a subprocess, curl); allow_network=True leaves it out; the audit hook stays;
  - at most 300 processes (pid_max of its PID namespace, on kernels where it is per namespace).
Warm runs start from a jail (template.py): a fork of the template that entered, once, a user namespace
of its own, a network namespace with only a down loopback, and a mount namespace whose whole tree it
made read-only; the client sends contained runs without the network straight to it, the others to
the template. Per run, the jail clones the run's init (clone(2) with CLONE_NEW* flags) into what must
be the run's own: a new PID namespace (its init's death is the leftover sweep), a new mount namespace
(a copy of the read-only tree, plus a private tmpfs on /tmp, on /dev/shm and on the folder that holds
the run folders, with only this run's folder bound back writable) and a new IPC namespace. What the
jail makes once is what no run can turn against another: the user namespace (in which every run drops
every capability before its code starts, so none can mount, unmount, bring the loopback up or enter
another namespace), the read-only tree, and the network namespace, in which there is no network to
reach (runs at the same time could talk through an abstract Unix socket, if both mean to; a network
namespace per run cost ~0.5 ms to make, and ~2 ms a run in a loop, measured here on a busy machine). A run sees
its own processes and no other's (sibling PID namespaces) and its own folder and no other's (they lie
under a folder covered in its view). The template itself stays outside: it spawns runs with the
boundary off (HELPERS_SANDBOX_BOUNDARY=off) or with allow_network=True, and contains each run itself,
cloning it into a new user namespace, should the jail not start or die.
The init forks the job, because PID 1 ignores the signals it sends itself and a run must be able to
die by os.kill(os.getpid(), SIGSEGV): a contained warm run is two forks (of the jail) instead of one.
When the job ends, the init kills whatever is left in its namespace and says how the job ended; the
run returns then, while the kernel tears its namespaces down.
The jail is single-threaded even where the template is not (numpy's OpenBLAS starts threads; clone(2)
skips the atfork handlers, so a template with threads would have to fork first). A cold run enters
all of it on its own (boundary.contain): its `python -s -P -S` clones the init, which forks the job,
and then waits and ends as the job did.

What it does NOT do:
  - no per-run memory cap: memory is limited per process (RLIMIT_AS); 300 processes could each use
    memory_mb. cgroup v2 would cap the sum; it is not used (on these machines only its hugetlb
    controller is there, and memory and pids are cgroup v1);
  - no syscall filtering (seccomp): the kernel's whole surface is reachable, and a kernel bug is a
    way out; the files the user can read stay readable (secrets in your home included);
  - Unix sockets on the read-only filesystem (e.g. /run/docker.sock) can still be connected to;
  - without the kernel boundary (a container without the capability, macOS, Windows): the code can
    write where its user may, see and signal other processes, and remove the audit hook with ctypes;
    as root, RLIMIT_NPROC does not stop fork(), so a fork bomb lasts until the timeout; on Windows
    (no `resource`, no process groups) only the timeout applies.
For hostile code, add a VM or gVisor around all of this.

Outcomes are a closed set: "ok", "error" (an exception, or a nonzero exit code such as
sys.exit(3)), "timeout" (wall clock or CPU limit), "memory" (MemoryError, or killed by a signal
while near the address-space limit) and "killed" (any other signal).

Files: run.py holds the entry points; forkserver.py is the warm template's client and template.py
the template itself (and its jail); registry.py owns the shared warm templates; child.py is what runs
inside the child, cold or warm, and boundary.py the namespaces it enters; layers.py probes and
reports them; startup.py makes a cold start skip `site`; plumbing.py is the process plumbing both
paths share; results.py the result types and the one wording of an outcome (``outcome``).
"""

from .forkserver import TemplateClient
from .layers import sandbox_layers
from .registry import warm_server
from .results import RunResult, TestOutcome, TestReport, outcome
from .run import ForkServer, call_function, run_code, run_many, run_tests

__all__ = ["RunResult", "TestOutcome", "TestReport", "ForkServer", "TemplateClient", "run_code", "call_function",
           "run_tests", "run_many", "warm_server", "sandbox_layers", "outcome"]
