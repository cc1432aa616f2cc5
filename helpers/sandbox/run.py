"""The public entry points (run_code, call_function, run_tests, run_many, ForkServer): write the job,
spawn the child cold or warm, classify what came back. See the package docstring for the guarantees."""

import json
import marshal
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

from .child import test_names
from .forkserver import TemplateClient, boot
from .layers import kernel_layers
from .plumbing import ISOLATED, Graveyard, Output, carries_token, child_env, killpg, new_token, sweep
from .registry import warm_server
from .results import RunResult, TestOutcome, TestReport, last_lines, outcome
from .startup import site_state

__all__ = ["RunResult", "TestOutcome", "TestReport", "ForkServer", "run_code", "call_function",
           "run_tests", "run_many"]

DEFAULT_MEMORY_MB = 2048      # numpy + scikit-learn + a 20 Newsgroups TF-IDF fit well inside this
OUTPUT_LIMIT = 100_000        # bytes kept per stream
FILE_SIZE_MB = 64
OPEN_FILES = 256
_BOOT = boot("child", "sys.exit(child.run_job(sys.argv[1]))")
_POSIX = os.name == "posix"
_graveyard = Graveyard()  # run folders go there, to be deleted off the run's clock
_HAS_RESOURCE = True
try:
    import resource  # noqa: F401
except ImportError:
    _HAS_RESOURCE = False


def run_code(code, *, timeout=10, memory_mb=DEFAULT_MEMORY_MB, files=None, allow_network=False,
             warm=False, output_limit=OUTPUT_LIMIT) -> RunResult:
    """Run `code` as a script in a sandboxed child. `files` maps names (relative to the working
    directory) to str or bytes contents, or to a pathlib.Path that is symlinked in, not copied:
    cheap for big inputs, but writes through it reach your original. `warm` is a ForkServer, or
    True for a shared one without preloads."""
    return _execute({"mode": "exec", "code": code}, timeout, memory_mb, files, allow_network, warm,
                    output_limit)[0]


def call_function(code, name, *args, timeout=10, memory_mb=DEFAULT_MEMORY_MB, files=None,
                  allow_network=False, warm=False, output_limit=OUTPUT_LIMIT, **kwargs) -> RunResult:
    """Define `code` in a child, call `name(*args, **kwargs)` there (arguments must be JSON-able)
    and put the JSON-able return value in `.value`. Tuples come back as lists, numpy values as
    Python ones; anything else that JSON cannot hold makes the run an "error" (TypeError)."""
    job = {"mode": "call", "code": code, "name": name, "args": list(args), "kwargs": kwargs}
    json.dumps(job)  # fail here, with the caller's traceback, if the arguments are not JSON-able
    return _execute(job, timeout, memory_mb, files, allow_network, warm, output_limit)[0]


def run_tests(code, tests, *, timeout=10, memory_mb=DEFAULT_MEMORY_MB, files=None, allow_network=False,
              warm=False, output_limit=OUTPUT_LIMIT) -> TestReport:
    """Run assert-style `def test_*():` functions (a source string, or a list of them) against
    `code`, all in one child. A source without test functions counts as one test (top-level
    asserts). A failing test does not stop the others. A hang fails every test: the run timed out."""
    sources = [tests] if isinstance(tests, str) else list(tests)
    run, records = _execute({"mode": "tests", "code": code, "tests": sources}, timeout, memory_mb, files,
                            allow_network, warm, output_limit)
    names = test_names(sources)
    done = {r["i"]: r for r in records if r["kind"] == "test" and r["i"] < len(names)}
    if run.status == "timeout":
        running = min((i for i in range(len(names)) if i not in done), default=None)
        def why(i):
            where = ("had passed" if done[i]["passed"] else "had failed") if i in done else \
                ("was running" if i == running else "had not started")
            return f"the run {outcome('timeout', timeout=timeout)} (this test {where})"
        results = [TestOutcome(n, False, why(i)) for i, n in enumerate(names)]
    else:
        if run.error_type and not done:
            reason = f"the code failed before the tests ran: {last_lines(run.traceback or run.error_type, 1)}"
        else:
            reason = f"the run ended ({run.status}, exit code {run.returncode}) before this test finished"
        results = [TestOutcome(n, done[i]["passed"], done[i]["message"]) if i in done else
                   TestOutcome(n, False, reason) for i, n in enumerate(names)]
    return TestReport(results, run)


def run_many(codes_or_jobs, *, executor=None, max_workers=2, **kwargs) -> list[RunResult]:
    """Run many jobs, results in input order. A job is a code string (run_code), or a dict of
    run_code arguments; a dict with "name" (plus optional "args"/"kwargs") is a call_function.
    Any concurrent.futures.Executor works, e.g. a Dask `Client.get_executor()`."""
    jobs = list(codes_or_jobs)
    if executor is None:
        with ThreadPoolExecutor(max_workers=max_workers) as pool:
            return run_many(jobs, executor=pool, **kwargs)
    futures = [executor.submit(_run_job, job, kwargs) for job in jobs]
    return [f.result() for f in futures]


class ForkServer(TemplateClient):
    """A warm template process that forks a fresh, limited child per task.

        with ForkServer(preload=("numpy", "sklearn")) as server:
            server.run_code("import numpy; print(numpy.ones(3).sum())")
            call_function(code, "score", warm=server)

    Each preloaded package's public submodules are imported too (`deep=False` turns that off),
    because `import sklearn` alone leaves all the slow imports to the task. Every task gets the
    same containment as a cold run (own session, rlimits, scrubbed environment, audit hook,
    temporary directory); what differs is that the interpreter and the preloaded modules are
    shared copy-on-write, `atexit` handlers of the task do not run, and a process that escapes
    its task with setsid() may be killed when *any* task ends. Safe to use from many threads.
    """

    def run_code(self, code, **kwargs):
        return run_code(code, warm=self, **kwargs)

    def call_function(self, code, name, *args, **kwargs):
        return call_function(code, name, *args, warm=self, **kwargs)

    def run_tests(self, code, tests, **kwargs):
        return run_tests(code, tests, warm=self, **kwargs)


def _run_job(job, kwargs):
    if isinstance(job, str):
        return run_code(job, **kwargs)
    options = {**kwargs, **job}
    code = options.pop("code")
    if "name" in options:
        name, args, fn_kwargs = options.pop("name"), options.pop("args", ()), options.pop("kwargs", {})
        return call_function(code, name, *args, **options, **fn_kwargs)
    return run_code(code, **options)


# --------------------------------------------------------------------------- machinery

def _execute(job, timeout, memory_mb, files, allow_network, warm, output_limit):
    server = warm_server() if warm is True else (warm or None)
    if not _HAS_RESOURCE:
        _warn_once()
    start = time.perf_counter()
    token = new_token()
    root = tempfile.mkdtemp(prefix="sandbox-")
    work, ctl = os.path.join(root, "work"), os.path.join(root, "ctl")
    output = None
    try:
        os.mkdir(work)
        os.mkdir(ctl)
        _put_files(work, files or {})
        job["network"] = allow_network
        job["boundary"] = kernel_layers(allow_network)
        job["limits"] = {"cpu": int(timeout * (os.cpu_count() or 1)) + 1, "as": memory_mb << 20,
                         "fsize": FILE_SIZE_MB << 20, "nofile": OPEN_FILES, "core": 0}
        if not server and (site := site_state()) is not None:
            job["site"] = site  # a cold child starts with -S and sets up what `site` would have
        with open(os.path.join(ctl, "job.marshal"), "wb") as f:
            marshal.dump(json.loads(json.dumps(job)), f)  # what JSON makes of the arguments, as before
        output = Output(output_limit)
        env = child_env(work, token)
        if server:
            status, timed_out, maxrss = server.spawn(ctl, work, env, output, timeout, boundary=job["boundary"])
        else:
            status, timed_out, maxrss = _spawn_cold(ctl, work, env, output, timeout, "site" in job)
        records = _read_records(os.path.join(ctl, "result.jsonl"))
        contained = "pid" in job["boundary"] and not any(r["kind"] == "boundary" for r in records)
        if not server and not contained:  # leftovers die with a PID namespace; the fork server sweeps its own
            sweep(carries_token(token))
        output.drain()
        stdout, stderr = output.text()
    finally:
        if output is not None:
            output.close()
        _graveyard.bury(root)
    duration = time.perf_counter() - start
    return _classify(job, status, timed_out, maxrss, records, stdout, stderr, duration), records


def _classify(job, status, timed_out, maxrss_kb, records, stdout, stderr, duration):
    rc = os.waitstatus_to_exitcode(status) if _POSIX else status
    error = next((r for r in records if r["kind"] == "error"), None)
    values = [r for r in records if r["kind"] == "value"]
    error_type, tb = (error["type"], error["traceback"]) if error else (None, None)
    value = None
    if timed_out or rc == -getattr(signal, "SIGXCPU", 0):
        outcome = "timeout"
    elif any(r["kind"] == "memory" for r in records):
        outcome, error_type = "memory", "MemoryError"
    elif rc is not None and rc < 0:
        near_limit = maxrss_kb * 1024 > 0.8 * job["limits"]["as"]
        hints = ("MemoryError", "Cannot allocate memory", "bad_alloc", "out of memory")
        outcome = "memory" if near_limit or any(h in stderr for h in hints) else "killed"
    elif error or rc != 0:
        outcome = "error"
    elif job["mode"] == "call" and not values:
        outcome, tb = "error", "the process exited before the function returned a value"
    else:
        outcome = "ok"
        value = json.loads(values[-1]["json"]) if values else None
    return RunResult(outcome, rc, stdout, stderr, error_type, tb, duration, value)


def _spawn_cold(ctl, work, env, output, timeout, no_site):
    argv = [sys.executable, *ISOLATED, *(["-S"] if no_site else []), "-c", _BOOT, ctl]
    if not _POSIX:  # timeout-only fallback: the pipes are read after the run, not during it
        proc = subprocess.Popen(argv, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            output.keep(*proc.communicate(timeout=timeout))
            return proc.returncode, False, 0
        except subprocess.TimeoutExpired:
            proc.kill()
            output.keep(*proc.communicate())
            return proc.returncode, True, 0
    proc = subprocess.Popen(argv, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=output.writers[0],
                            stderr=output.writers[1], start_new_session=True)
    output.close_writers()
    ended = []  # (pid, status, rusage) once reaped

    def reaped(wait_flags=os.WNOHANG):
        if not ended and (done := os.wait4(proc.pid, wait_flags))[0]:
            ended.append(done)
        return bool(ended)
    try:
        pidfd = os.pidfd_open(proc.pid)  # readable at the exact exit: no polling
    except (AttributeError, OSError):
        pidfd = None
    try:
        timed_out = output.wait(pidfd, reaped, timeout)
    finally:
        if pidfd is not None:
            os.close(pidfd)
    if timed_out:
        killpg(proc.pid)
    reaped(0)
    _, status, usage = ended[0]
    proc.returncode = os.waitstatus_to_exitcode(status)  # we reaped it; keep Popen from trying
    killpg(proc.pid)  # the leader is gone, but its group may not be
    return status, timed_out, usage.ru_maxrss


def _put_files(work, files):
    for name, content in files.items():
        dest = os.path.normpath(os.path.join(work, name))
        if os.path.isabs(name) or not dest.startswith(work + os.sep):
            raise ValueError(f"files= names must be relative paths inside the working dir: {name!r}")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if isinstance(content, os.PathLike):
            os.symlink(os.path.abspath(content), dest)
        elif isinstance(content, bytes | str):
            with open(dest, "wb") as f:
                f.write(content.encode() if isinstance(content, str) else content)
        else:
            raise TypeError(f"files[{name!r}] must be str, bytes or a pathlib.Path")


def _read_records(path):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pass  # a record cut short by a kill
    return records


_warned = False


def _warn_once():
    global _warned
    if not _warned:
        _warned = True
        warnings.warn("helpers.sandbox: no `resource` module on this platform, so only the timeout "
                      "applies (no memory, file-size or process limits)", RuntimeWarning, stacklevel=3)
