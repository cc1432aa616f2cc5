"""The warm path of helpers.sandbox: a clean template process that forks one child per task.

`ForkServer` starts `python -I forkserver.py --serve FD PRELOAD_JSON`, a clean template process
(never the notebook kernel) that imports the preloaded modules once and then forks one fresh child
per task. The child does exactly what the cold path does (child.run_job), minus the interpreter
start. The template is a child subreaper, so anything a task leaves behind is reparented to it and
killed when the task ends.
"""

import json
import os
import sys

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
        from child import run_job  # imported once by serve(): a dictionary lookup here
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
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves this folder off the path
    import child  # noqa: F401  (every task runs child.run_job; import it once, before forking)
    del sys.path[0]
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
    names, deep_preload = json.loads(sys.argv[3])
    serve(int(sys.argv[2]), names, deep_preload)
