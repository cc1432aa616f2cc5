"""The client of the warm template (template.py): starts it, asks it for one forked child per task,
and stops it. It only spawns; running a job and reading its result is run.py's business."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

from .plumbing import ISOLATED, carries_token, child_env, killpg, new_token, sweep

HERE = os.path.dirname(os.path.abspath(__file__))


def boot(module, call):
    """A `python -s -P -c` line that imports `module` from this folder (cached bytecode, ~10 ms less than
    running it as a script), takes the folder off sys.path again, then runs `call`."""
    return f"import sys; sys.path.insert(0, {HERE!r}); import {module}; del sys.path[0]; {call}"


class TemplateClient:
    """A warm template process that forks a fresh, limited child per task (see ForkServer)."""

    def __init__(self, preload=(), *, deep=True, start_timeout=300):
        self.preload = tuple(preload)
        self._home = tempfile.mkdtemp(prefix="sandbox-forkserver-")
        self._token = new_token()
        self._closed = False
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with open(os.path.join(self._home, "template.log"), "wb") as log:
            self._proc = subprocess.Popen(
                [sys.executable, *ISOLATED, "-c", boot("template", "template.main(sys.argv)"), str(theirs.fileno()),
                 json.dumps([self.preload, deep])],
                pass_fds=[theirs.fileno()], env=child_env(self._home, self._token), cwd=self._home,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        theirs.close()
        self._sock = ours
        self._jail = None  # the template's jail, where contained runs start (template.py)
        ours.settimeout(start_timeout)
        try:
            msg, fds, _, _ = socket.recv_fds(ours, 1 << 16, 1)
            hello = json.loads(msg or b"{}")
        except (OSError, ValueError):
            hello, fds = {}, []
        if fds:
            self._jail = socket.socket(fileno=fds[0])
        if not hello.get("ready"):
            self.close()
            raise RuntimeError(f"the fork server did not start; see {self._home}/template.log")
        ours.settimeout(None)
        self.preload_errors = hello["errors"]
        self._lock = threading.Lock()

    @property
    def closed(self) -> bool:
        """True once the template has exited or close() was called: start a new one then."""
        return self._closed or self._proc.poll() is not None

    def spawn(self, ctl, work, env, output, timeout, boundary=()):
        """Run one task, behind the kernel `boundary` layers, reading its `output` (plumbing.Output)
        meanwhile; returns (wait status, timed_out, maxrss in KiB) like the cold path. The template
        answers on a pipe of the task's own: its pid at the start, its status at the end."""
        reply_r, reply_w = os.pipe()
        try:
            request = json.dumps({"ctl": ctl, "work": work, "env": env, "boundary": list(boundary)}).encode()
            with self._lock:
                if self.closed:
                    raise RuntimeError("the fork server is closed")
                # contained runs without the network start in the jail (template.py), the rest in the template
                jailed = self._jail is not None and "mount" in boundary and "network" in boundary
                for sock in [self._jail, self._sock] if jailed else [self._sock]:
                    try:
                        socket.send_fds(sock, [request], [*output.writers, reply_w])
                        break
                    except OSError:
                        if sock is self._sock:
                            self._closed = True
                            raise RuntimeError("the fork server exited") from None
                        self._jail = None  # it is gone: the template contains runs itself from now on
            os.close(reply_w)
            reply_w = None
            output.close_writers()
            reply = bytearray()

            def finished():  # the pid (4 bytes), then the wait status (4) and maxrss (8)
                chunk = os.read(reply_r, 64)
                if not chunk:
                    raise RuntimeError("the fork server exited")
                reply.extend(chunk)
                return len(reply) >= 16
            timed_out = output.wait(reply_r, finished, timeout)
            if timed_out:
                if len(reply) >= 4:
                    killpg(int.from_bytes(reply[:4], sys.byteorder, signed=True))
                if output.wait(reply_r, finished, 30):
                    raise RuntimeError("the fork server did not report a task's end")
            status = int.from_bytes(reply[4:8], sys.byteorder, signed=True)
            return status, timed_out, int.from_bytes(reply[8:16], sys.byteorder, signed=True)
        finally:
            for fd in (reply_r, reply_w):
                if fd is not None:
                    os.close(fd)

    def close(self):
        self._closed = True
        for sock in (self._sock, self._jail):
            try:
                sock.close()  # the template and its jail see EOF, kill their tasks and exit
            except (OSError, AttributeError):
                pass
        try:
            self._proc.wait(timeout=10)
        except Exception:
            killpg(self._proc.pid)
            self._proc.wait()
        killpg(self._proc.pid)
        sweep(carries_token(self._token))
        shutil.rmtree(self._home, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __reduce__(self):
        raise TypeError("a ForkServer cannot be sent to another process; use a thread pool with warm=")
