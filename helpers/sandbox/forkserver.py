"""The client of the warm template (template.py): starts it, asks it for one forked child per task,
and stops it. It only spawns; running a job and reading its result is run.py's business."""

import itertools
import json
import os
import queue as queues
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from .plumbing import carries_token, child_env, killpg, new_token, sweep

HERE = os.path.dirname(os.path.abspath(__file__))


def boot(module, call):
    """A `python -I -c` line that imports `module` from this folder (cached bytecode, ~10 ms less than
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
                [sys.executable, "-I", "-c", boot("template", "template.main(sys.argv)"), str(theirs.fileno()),
                 json.dumps([self.preload, deep])],
                pass_fds=[theirs.fileno()], env=child_env(self._home, self._token), cwd=self._home,
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
        threading.Thread(target=self._dispatch, daemon=True, name="forkserver-dispatch").start()

    @property
    def closed(self) -> bool:
        """True once the template has exited or close() was called: start a new one then."""
        return self._closed

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
                    for waiting in self._waiters.values():
                        waiting.put({"error": "the fork server exited"})
                return
            reply = json.loads(msg)
            with self._lock:
                waiting = self._waiters.get(reply["id"])
            if waiting is not None:
                waiting.put(reply)

    def spawn(self, ctl, work, env, out_w, err_w, timeout, boundary=()):
        """Run one task, behind the kernel `boundary` layers; returns (wait status, timed_out, maxrss
        in KiB) like the cold path."""
        replies = queues.SimpleQueue()
        with self._lock:
            if self._closed:
                raise RuntimeError("the fork server is closed")
            tid = next(self._ids)
            self._waiters[tid] = replies
            request = {"id": tid, "ctl": ctl, "work": work, "env": env, "boundary": list(boundary)}
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

    def close(self):
        self._closed = True
        try:  # shutdown, not just close: the dispatcher thread is blocked in recv() on it
            self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()  # the template sees EOF, kills its tasks and exits
        except OSError:
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
