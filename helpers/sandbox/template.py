"""The warm template: a clean `python -I` process (never the notebook kernel) that imports the preloaded
modules once, then forks one fresh sandboxed child per task. Its client is forkserver.py."""

import json
import os
import sys

# Top-level modules here, not helpers.sandbox.*: the template is its own program (see forkserver.BOOT).
import boundary
import child  # every task runs child.run_job: imported once, before forking
from plumbing import children_of, sweep

# --------------------------------------------------------------------------- the template

def _exit_code(exc):
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)
    return 1


def _task(request, fds, closing, contained=False):
    """In the forked child: become a fresh sandboxed process, run the job, never return. A
    `contained` job stays in the process group of its namespace's init, which the client kills."""
    import signal
    code = 1
    try:
        if not contained:
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
        code = child.run_job(request["ctl"], contained)
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
    sweep(children_of(os.getpid(), keep=tasks), reap=True)


def _start(request, fds, closing, jailed=False):
    """Fork the task: straight into fresh namespaces (its init first) when it asks for the boundary.
    Returns (pid, the pipe that will hold a contained job's status, else None). A template with
    threads (OpenBLAS starts some at import) forks first: clone(2) skips the atfork handlers that
    keep such libraries sane in a child, so the task enters the namespaces itself, as a cold run does.
    In the jail (single-threaded, a fork of the template) a task needs only a PID and a mount namespace."""
    if request["boundary"] and len(os.listdir("/proc/self/task")) == 1:
        try:
            spawned = boundary.contain(request["boundary"], os.path.dirname(request["ctl"]), request["work"],
                                       close=closing, new_group=True, jailed=jailed,  # the client kills this group
                                       hand_over=fds)
        except OSError:
            spawned = False  # the job itself will try again, and say why in its records
        if spawned is None:
            _task(request, fds, (), contained=True)
        if spawned:
            return spawned
    pid = os.fork()
    if pid == 0:
        _task(request, fds, closing)
    return pid, None


def _answer(reply, *values):
    """Write to a task's reply pipe: its pid (4 bytes) at the start; its wait status (4) and maxrss (8)
    at the end."""
    sizes = (4,) if len(values) == 1 else (4, 8)
    try:
        os.write(reply, b"".join(v.to_bytes(n, sys.byteorder, signed=True) for v, n in zip(values, sizes, strict=True)))
    except OSError:  # the client gave up on this task
        pass


def _serve(sock, start, keep=list):
    """Answer requests on `sock` until it closes. `start(request, outputs, reply, closing)` forks a
    task and returns (pid, status pipe or None), or None if it handed the task on (to the jail). The
    task's pid goes down its reply pipe at once, its wait status when it ends: a contained task's as
    soon as its init says it (its namespaces are torn down after), another's when it is reaped. Our
    children that are not tasks (nor in `keep()`: the jail) are leftovers of tasks, killed then."""
    import select
    import signal
    import socket
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    tasks = {}  # pid -> [its reply pipe (None once answered), its init's status pipe or None, listening to it]
    while True:
        saying = {task[1]: task for task in tasks.values() if task[2]}
        ready = select.select([sock, wake_r, *saying], [], [])[0]
        for fd in ready:
            if fd in saying:  # a contained job ended and its leftovers are dead: say so now
                task = saying[fd]
                task[2] = False
                said = boundary.read_status(fd)
                if said is not None:
                    _answer(task[0], *said)
                    os.close(task[0])
                    task[0] = None
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
                    reply, status_r, _ = tasks.pop(pid)
                    try:
                        os.killpg(pid, signal.SIGKILL)  # whatever is left of the task's group
                    except OSError:
                        pass
                    said = None
                    if status_r is None:
                        _kill_strays([*tasks, *keep()])
                    else:  # pid was the init of the task's namespaces: leftovers died with it
                        said = boundary.read_status(status_r) if reply is not None else None
                        os.close(status_r)
                    if reply is not None:
                        _answer(reply, *(said or (status, usage.ru_maxrss)))
                        os.close(reply)
        if sock in ready:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3)
            if not msg:
                break  # the client closed the connection: shut down
            request = json.loads(msg)
            *outputs, reply = fds
            open_fds = [fd for task in tasks.values() for fd in task[:2] if fd is not None]
            try:
                started = start(request, outputs, reply, (sock.fileno(), wake_r, wake_w, reply, *open_fds))
            except OSError:  # no fork today (EAGAIN): the client reads the end of the pipe as an error
                started = None
            for fd in outputs if started else fds:  # handed on or failed: the reply pipe is not ours
                os.close(fd)
            if started:
                tasks[started[0]] = [reply, started[1], started[1] is not None]
                _answer(reply, started[0])
    for pid in tasks:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    return tasks


def _open_jail(closing):
    """The jail: a fork of the template that lives, once and for all, in a user namespace of its own
    (root inside, nothing outside), a network namespace with only a down loopback and a mount
    namespace where the whole filesystem is read-only (boundary.enter_jail). The client sends it the
    contained runs without the network, so that each needs only what is its own: a PID namespace (its
    init, whose end kills every leftover), a mount namespace copied from the read-only one with its
    folder and a private /tmp added, and an IPC namespace.
    Returns (its pid, the client's end of its socket), or None where it cannot start: the template
    then contains each run itself."""
    import socket
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        ours.close()
        for fd in closing:
            os.close(fd)
        try:
            boundary.enter_jail()
        except BaseException as exc:
            theirs.send(repr(exc).encode() or b"?")
            os._exit(1)
        theirs.send(b"ready")
        _serve(theirs, lambda request, outputs, reply, shut: _start(request, outputs, shut, jailed=True))
        os._exit(0)
    theirs.close()
    ours.settimeout(30)
    try:
        hello = ours.recv(4096)
    except OSError as exc:
        hello = repr(exc).encode()
    ours.settimeout(None)
    if hello != b"ready":
        print(f"sandbox template: no jail ({hello.decode(errors='replace')}); runs are contained one by one",
              file=sys.stderr)
        ours.close()
        return None
    return pid, ours


def serve(fd, preload, deep=True):
    import ctypes
    import socket
    sock = socket.socket(fileno=fd)
    errors = _preload(preload, deep)
    try:  # PR_SET_CHILD_SUBREAPER: orphans of our tasks, even after setsid(), come back to us
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    except Exception as exc:
        errors.append(f"subreaper: {exc!r}")
    prepared = False
    try:
        prepared = bool(boundary.prepare())  # libc's functions and the interpreter's folders: once, not per task
    except Exception as exc:
        errors.append(f"boundary: {exc!r}")
    import gc
    import resource  # noqa: F401  (imported here once rather than in every task)
    gc.freeze()  # a collection in a task must not touch (and so copy) every preloaded object
    jail = _open_jail([fd]) if prepared and sys.platform == "linux" else None
    hello = json.dumps({"ready": True, "errors": errors}).encode()
    socket.send_fds(sock, [hello], [jail[1].fileno()] if jail else [])
    if jail:
        jail[1].close()  # the client's now: it sends the contained runs there
    _serve(sock, lambda request, outputs, reply, closing: _start(request, outputs, closing),
           keep=lambda: [jail[0]] if jail else [])
    _kill_strays([])  # the jail included, should it outlive the client's goodbye


def main(argv):
    names, deep_preload = json.loads(argv[2])
    serve(int(argv[1]), names, deep_preload)
