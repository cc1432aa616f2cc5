"""The far side of helpers.sandbox: what runs inside the child, cold or warm.

Cold path: helpers.sandbox starts `python -I forkserver.py CTL_DIR`; this file applies the
limits, installs the network audit hook, runs the job described in CTL_DIR/job.json and writes
one JSON line per outcome to CTL_DIR/result.jsonl.

Warm path: `ForkServer` starts `python -I forkserver.py --serve FD PRELOAD_JSON`, a clean template
process (never the notebook kernel) that imports the preloaded modules once and then forks one
fresh child per task. The child does exactly what the cold path does, minus the interpreter start.
The template is a child subreaper, so anything a task leaves behind is reparented to it and
killed when the task ends.

Only os, sys and json are imported at the top: every import here is paid on every cold run.
"""

import json
import os
import sys

CANDIDATE = "<candidate>"
# Audit events that reach the network; refusing them is a guardrail, not a wall (see sandbox.py).
NET_EVENTS = frozenset({
    "socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname",
    "socket.gethostbyaddr", "urllib.Request", "ftplib.connect", "smtplib.connect", "http.client.connect",
})
_RESULT = None
_SOURCES = {}  # filename -> source, handed to linecache only when a traceback is formatted


# --------------------------------------------------------------------------- inside the child

def _emit(record):
    # Reopened per record on purpose: user code may have closed or exhausted file descriptors.
    try:
        with open(_RESULT, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, default=repr) + "\n")
    except OSError:
        pass


def _set_limits(limits):
    try:
        import resource
    except ImportError:  # Windows: the parent already warned that only the timeout applies
        return
    for name, soft in limits.items():
        which = getattr(resource, "RLIMIT_" + name.upper(), None)
        if which is None or soft is None:
            continue
        hard = soft + 1 if name == "cpu" else soft  # SIGXCPU first, SIGKILL a second later
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            pass


def _block_network():
    def hook(event, args):
        if event in NET_EVENTS:
            raise PermissionError(f"network access is off in the sandbox ({event}); "
                                  "pass allow_network=True to allow it")
    sys.addaudithook(hook)


def _register_sources():
    import linecache  # lazily: it costs ~2 ms of every cold start
    # Lets tracebacks show the submitted lines; mtime None keeps checkcache() from dropping them.
    for filename, source in _SOURCES.items():
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _format_error(exc):
    import traceback
    _register_sources()
    tb = exc.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith(("<candidate", "<tests")):
        tb = tb.tb_next  # hide our own frames: line numbers should point into the submitted code
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    return text if len(text) < 20_000 else text[:2_000] + "\n[...]\n" + text[-15_000:]


def _load(code, module_name):
    module = type(sys)(module_name)
    sys.modules[module_name] = module  # so pickle and `from candidate import f` find it
    _SOURCES[CANDIDATE] = code
    exec(compile(code, CANDIDATE, "exec"), module.__dict__)
    return module


def _jsonable(value):
    for attr in ("tolist", "item"):  # numpy scalars and arrays are JSON-able in spirit
        if callable(getattr(value, attr, None)):
            return getattr(value, attr)()
    raise TypeError(f"the return value is a {type(value).__name__}, which is not JSON-serializable; "
                    "return numbers, strings, booleans, None, lists or dicts")


def _call(module, job):
    fn = getattr(module, job["name"], None)
    if not callable(fn):
        raise NameError(f"the code does not define a function named {job['name']!r}")
    value = fn(*job["args"], **job["kwargs"])
    _emit({"kind": "value", "json": json.dumps(value, default=_jsonable)})


def test_names(sources):
    """Names of the tests in `sources`, in run order: every `def test*`, or one block per source
    that has none (a HumanEval-style list of top-level asserts). Shared with the parent, which
    needs the names when the child never reports them."""
    import ast
    names = []
    for i, src in enumerate(sources):
        try:
            tree = ast.parse(src)
        except SyntaxError:
            names.append(f"tests[{i}]")
            continue
        found = [n.name for n in tree.body
                 if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test")]
        names.extend(found or [f"tests[{i}]"])
    return names


def _short(value):
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "..."


def _failure(exc, filename, tree, source):
    """pytest-lite: say which assert failed and, for `a == b`, what a and b were."""
    import ast
    frames, tb = [], exc.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    mine = [(f, n) for f, n in frames if f.f_code.co_filename == filename]
    lines = source.splitlines()
    if not mine:
        return f"{type(exc).__name__}: {exc}"
    frame, lineno = mine[-1]
    where = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
    raised_here = frames[-1][0] is frame
    if isinstance(exc, AssertionError) and raised_here:
        node = next((n for n in ast.walk(tree) if isinstance(n, ast.Assert)
                     and n.lineno <= lineno <= (n.end_lineno or n.lineno)), None)
        if node is None:
            return f"AssertionError: {exc} (line {lineno}: {where})"
        msg = "assert " + ast.unparse(node.test)
        if str(exc):
            msg += f"  ({exc})"
        test = node.test
        parts = ([("left", test.left), ("right", test.comparators[0])]
                 if isinstance(test, ast.Compare) and len(test.ops) == 1 else [("value", test)])
        try:  # re-evaluating may call the candidate again; it is only a hint, so any failure is fine
            shown = [f"{label}: {_short(eval(compile(ast.Expression(expr), filename, 'eval'), frame.f_globals, frame.f_locals))}"
                     for label, expr in parts]
            msg += "  -> " + ", ".join(shown)
        except Exception:
            pass
        return msg
    msg = f"{type(exc).__name__}: {exc} (test line {lineno}: {where})"
    last, last_no = frames[-1]
    if last.f_code.co_filename == CANDIDATE and last is not frame:
        import linecache
        _register_sources()
        msg += f"; raised at {CANDIDATE} line {last_no}: {linecache.getline(CANDIDATE, last_no).strip()}"
    return msg


def _tests(module, job):
    import ast
    sources = job["tests"]
    index = 0
    for i, src in enumerate(sources):
        filename = "<tests>" if len(sources) == 1 else f"<tests[{i}]>"
        _SOURCES[filename] = src
        names = test_names([src])
        block = names == ["tests[0]"]
        if block:
            names = [f"tests[{i}]"]
        namespace = dict(vars(module))  # tests see the candidate's names without clobbering them
        namespace["__name__"] = "tests"
        try:
            tree = ast.parse(src, filename)
            exec(compile(tree, filename, "exec"), namespace)
        except Exception as exc:
            message = _failure(exc, filename, tree, src) if not isinstance(exc, SyntaxError) else \
                f"SyntaxError in the tests: {exc}"
            for name in names:  # a broken test file fails every test it holds
                _emit({"kind": "test", "i": index, "name": name, "passed": False, "message": message})
                index += 1
            continue
        if block:
            _emit({"kind": "test", "i": index, "name": names[0], "passed": True, "message": ""})
            index += 1
            continue
        for name in names:
            try:
                namespace[name]()
                record = {"passed": True, "message": ""}
            except Exception as exc:
                record = {"passed": False, "message": _failure(exc, filename, tree, src)}
            _emit({"kind": "test", "i": index, "name": name, **record})
            index += 1


def run_job(ctl):
    """Run CTL/job.json in this process. Returns the exit code; user code's SystemExit propagates."""
    global _RESULT
    with open(os.path.join(ctl, "job.json"), encoding="utf-8") as f:
        job = json.load(f)
    _RESULT = os.path.join(ctl, "result.jsonl")
    _set_limits(job["limits"])
    if not job["network"]:
        _block_network()
    sys.path.insert(0, os.getcwd())  # like `python script.py`: files= modules are importable
    out_of_memory = False
    try:
        module = _load(job["code"], "__main__" if job["mode"] == "exec" else "candidate")
        if job["mode"] == "call":
            _call(module, job)
        elif job["mode"] == "tests":
            _tests(module, job)
        return 0
    except SystemExit:
        raise
    except MemoryError:
        out_of_memory = True  # report outside the handler, once the traceback's memory is freed
    except BaseException as exc:
        _emit({"kind": "error", "type": type(exc).__name__, "traceback": _format_error(exc)})
        return 1
    if out_of_memory:
        _emit({"kind": "memory"})
        return 1


# --------------------------------------------------------------------------- the template

def _procs():
    """(pid, ppid, state) for every process we can see."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                yield int(entry), int(fields[1]), fields[0].decode()
            except (OSError, IndexError, ValueError):
                pass


def _exit_code(exc):
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)
    return 1


def _task(request, fds, closing):
    """In the forked child: become a fresh sandboxed process, run the job, never return."""
    import signal
    code = 1
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in closing:
            os.close(fd)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd in (*fds, null):
            os.close(fd)
        os.chdir(request["work"])
        os.environ.clear()
        os.environ.update(request["env"])
        for name in ("random", "numpy.random"):  # every fork would otherwise replay one sequence
            if name in sys.modules:
                sys.modules[name].seed()
        code = run_job(request["ctl"])
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code or 0)


def _preload(names, deep):
    import importlib
    import pkgutil
    import warnings
    errors = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            try:
                module = importlib.import_module(name)
            except Exception as exc:
                errors.append(f"{name}: {exc!r}")
                continue
            if deep and hasattr(module, "__path__"):
                # `import sklearn` alone imports almost nothing; the submodules are the slow part.
                for info in pkgutil.iter_modules(module.__path__):
                    if info.name.startswith("_") or any(
                            bad in info.name for bad in ("test", "conftest", "setup", "distutils", "f2py")):
                        continue
                    try:
                        importlib.import_module(f"{name}.{info.name}")
                    except Exception:
                        pass  # optional parts of a package may need extras that are not installed
    return errors


def _kill_strays(tasks):
    """Kill our children that are not running tasks: leftovers reparented to us, the subreaper."""
    import signal
    me = os.getpid()
    for _ in range(1000):
        strays = [pid for pid, ppid, state in _procs() if ppid == me and pid not in tasks and state != "Z"]
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in strays:  # once reaped, its own children have been reparented to us: loop
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        if not strays:
            return


def serve(fd, preload, deep=True):
    import ctypes
    import select
    import signal
    import socket
    sock = socket.socket(fileno=fd)
    errors = _preload(preload, deep)
    try:  # PR_SET_CHILD_SUBREAPER: orphans of our tasks, even after setsid(), come back to us
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    except Exception as exc:
        errors.append(f"subreaper: {exc!r}")
    import gc
    import resource  # noqa: F401  (imported here once rather than in every task)
    gc.freeze()  # a collection in a task must not touch (and so copy) every preloaded object
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sock.send(json.dumps({"ready": True, "errors": errors}).encode())
    tasks = {}  # pid -> request id
    while True:
        ready = select.select([sock, wake_r], [], [])[0]
        if wake_r in ready:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
            while True:
                try:
                    pid, status, usage = os.wait4(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                if pid in tasks:
                    tid = tasks.pop(pid)
                    try:
                        os.killpg(pid, signal.SIGKILL)  # whatever is left of the task's group
                    except OSError:
                        pass
                    _kill_strays(tasks)
                    sock.send(json.dumps({"id": tid, "status": status, "maxrss": usage.ru_maxrss}).encode())
        if sock in ready:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 16, 2)
            if not msg:
                break  # the client closed the connection: shut down
            request = json.loads(msg)
            pid = os.fork()
            if pid == 0:
                _task(request, fds, (sock.fileno(), wake_r, wake_w))
            for f in fds:
                os.close(f)
            tasks[pid] = request["id"]
            sock.send(json.dumps({"id": request["id"], "pid": pid}).encode())
    for pid in tasks:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    _kill_strays({})


# --------------------------------------------------------------------------- the client

class ForkServer:
    """A warm template process that forks a fresh, limited child per task.

        with ForkServer(preload=("numpy", "sklearn")) as server:
            server.run_code("import numpy; print(numpy.ones(3).sum())")
            sandbox.call_function(code, "score", warm=server)

    Each preloaded package's public submodules are imported too (`deep=False` turns that off),
    because `import sklearn` alone leaves all the slow imports to the task. Every task gets the
    same containment as a cold run (own session, rlimits, scrubbed environment, audit hook,
    temporary directory); what differs is that the interpreter and the preloaded modules are
    shared copy-on-write, `atexit` handlers of the task do not run, and a process that escapes
    its task with setsid() may be killed when *any* task ends. Safe to use from many threads.
    """

    def __init__(self, preload=(), *, deep=True, start_timeout=300):
        import itertools
        import socket
        import subprocess
        import tempfile
        import threading

        from . import sandbox
        self.preload = tuple(preload)
        self._home = tempfile.mkdtemp(prefix="sandbox-forkserver-")
        self._token = sandbox._new_token()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with open(os.path.join(self._home, "template.log"), "wb") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", os.path.abspath(__file__), "--serve", str(theirs.fileno()),
                 json.dumps([self.preload, deep])],
                pass_fds=[theirs.fileno()], env=sandbox._child_env(self._home, self._token), cwd=self._home,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        theirs.close()
        self._sock = ours
        ours.settimeout(start_timeout)
        try:
            hello = json.loads(ours.recv(1 << 16) or b"{}")
        except (OSError, ValueError):
            hello = {}
        if not hello.get("ready"):
            self.close()
            raise RuntimeError(f"the fork server did not start; see {self._home}/template.log")
        ours.settimeout(None)
        self.preload_errors = hello["errors"]
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._waiters = {}
        self._closed = False
        threading.Thread(target=self._dispatch, daemon=True, name="forkserver-dispatch").start()

    def _dispatch(self):
        # One reader for the shared socket; each task waits on its own queue.
        while True:
            try:
                msg = self._sock.recv(1 << 16)
            except OSError:
                msg = b""
            if not msg:
                with self._lock:
                    self._closed = True
                    for queue in self._waiters.values():
                        queue.put({"error": "the fork server exited"})
                return
            reply = json.loads(msg)
            with self._lock:
                queue = self._waiters.get(reply["id"])
            if queue is not None:
                queue.put(reply)

    def _spawn(self, ctl, work, env, out_w, err_w, timeout):
        """Run one task; returns (wait status, timed_out, maxrss in KiB) like the cold path."""
        import queue as queues
        import signal
        import socket
        import time
        replies = queues.SimpleQueue()
        with self._lock:
            if self._closed:
                raise RuntimeError("the fork server is closed")
            tid = next(self._ids)
            self._waiters[tid] = replies
            request = {"id": tid, "ctl": ctl, "work": work, "env": env}
            socket.send_fds(self._sock, [json.dumps(request).encode()], [out_w, err_w])
        deadline = time.monotonic() + timeout
        try:
            started = replies.get(timeout=60)
            if "error" in started:
                raise RuntimeError(started["error"])
            timed_out = False
            try:
                done = replies.get(timeout=max(0.0, deadline - time.monotonic()))
            except queues.Empty:
                timed_out = True
                try:
                    os.killpg(started["pid"], signal.SIGKILL)
                except OSError:
                    pass
                done = replies.get(timeout=30)
            if "error" in done:
                raise RuntimeError(done["error"])
            return done["status"], timed_out, done["maxrss"]
        finally:
            with self._lock:
                self._waiters.pop(tid, None)

    def run_code(self, code, **kwargs):
        from .sandbox import run_code
        return run_code(code, warm=self, **kwargs)

    def call_function(self, code, name, *args, **kwargs):
        from .sandbox import call_function
        return call_function(code, name, *args, warm=self, **kwargs)

    def run_tests(self, code, tests, **kwargs):
        from .sandbox import run_tests
        return run_tests(code, tests, warm=self, **kwargs)

    def close(self):
        import shutil

        from .sandbox import _kill_leftovers, _killpg
        self._closed = True
        try:  # shutdown, not just close: the dispatcher thread is blocked in recv() on it
            self._sock.shutdown(__import__("socket").SHUT_RDWR)
            self._sock.close()  # the template sees EOF, kills its tasks and exits
        except OSError:
            pass
        try:
            self._proc.wait(timeout=10)
        except Exception:
            _killpg(self._proc.pid)
            self._proc.wait()
        _killpg(self._proc.pid)
        _kill_leftovers(self._token)
        shutil.rmtree(self._home, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __reduce__(self):
        raise TypeError("a ForkServer cannot be sent to another process; use a thread pool with warm=")


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        names, deep_preload = json.loads(sys.argv[3])
        serve(int(sys.argv[2]), names, deep_preload)
    else:
        sys.exit(run_job(sys.argv[1]))
