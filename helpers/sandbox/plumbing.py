"""Process plumbing shared by the cold and the warm path: the child's environment, the run token,
the process-group kill and the one /proc sweep that finds what a run left behind."""

import os
import secrets
import signal
import sys
import time

TOKEN_VAR = "HELPERS_SANDBOX_RUN"


def child_env(home, token):
    """The whole environment of a sandboxed process: no API keys, nothing inherited."""
    path = os.pathsep.join(dict.fromkeys([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]))
    return {"PATH": path, "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8", TOKEN_VAR: token}


def new_token():
    return secrets.token_hex(8)


def killpg(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def sweep(find, reap=False):
    """SIGKILL every process `find()` lists, and repeat until it lists none: a fork bomb may still be
    forking while we kill. With `reap`, they are our own children: each is waited for, so that its
    children are reparented to us (a subreaper) and found next pass."""
    for _ in range(1000):
        found = find()
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if not found:
            return
        if reap:
            for pid in found:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
        else:
            time.sleep(0.005)


def _all_pids():
    return [int(e) for e in os.listdir("/proc") if e.isdigit()] if os.path.isdir("/proc") else []


def carries_token(token):
    """A `sweep` finder: processes whose environment holds the run's token. /proc/PID/environ is the
    environment at exec time, so this also finds processes that changed os.environ afterwards."""
    needle = f"{TOKEN_VAR}={token}\0".encode()

    def has_token(pid):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                return needle in f.read()
        except OSError:
            return False
    return lambda: [pid for pid in _all_pids() if has_token(pid)]


def children_of(parent, keep=()):
    """A `sweep` finder: live children of `parent` not in `keep`, read from /proc/PID/task/*/children
    (one small file per thread, not a scan of every process on the machine)."""
    def find():
        try:
            pids = set()
            for tid in os.listdir(f"/proc/{parent}/task"):
                with open(f"/proc/{parent}/task/{tid}/children") as f:
                    pids.update(map(int, f.read().split()))
        except OSError:  # a kernel without CONFIG_PROC_CHILDREN
            pids = {pid for pid in _all_pids() if _parent_of(pid) == parent}
        return [pid for pid in pids if pid not in keep and _parent_of(pid) == parent]
    return find


def _parent_of(pid):
    """The parent of a live process; None for a zombie or a process gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return None if fields[0] == b"Z" else int(fields[1])
    except (OSError, IndexError, ValueError):
        return None
