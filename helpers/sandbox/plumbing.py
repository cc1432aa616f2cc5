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


def sweep(match, reap=False):
    """SIGKILL every process whose pid `match` accepts, and repeat until none is left: a fork bomb
    may still be forking while we kill. With `reap`, the matches are our own children: each is
    waited for, so that its children are reparented to us (a subreaper) and found next pass."""
    if not os.path.isdir("/proc"):
        return
    for _ in range(1000):
        found = [int(e) for e in os.listdir("/proc") if e.isdigit() and match(int(e))]
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


def carries_token(token):
    """A `sweep` match: the process's environment holds the run's token. /proc/PID/environ is the
    environment at exec time, so this also finds processes that changed os.environ afterwards."""
    needle = f"{TOKEN_VAR}={token}\0".encode()

    def match(pid):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                return needle in f.read()
        except OSError:
            return False
    return match


def live_child_of(parent, keep=()):
    """A `sweep` match: a live (not zombie) child of `parent` whose pid is not in `keep`."""
    def match(pid):
        if pid in keep:
            return False
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            return int(fields[1]) == parent and fields[0] != b"Z"
        except (OSError, IndexError, ValueError):
            return False
    return match
