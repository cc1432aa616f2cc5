"""Process plumbing shared by the cold and the warm path: the child's environment, the run token, its
output pipes, the process-group kill, the one /proc sweep that finds what a run left behind, and the
graveyard that removes run folders."""

import atexit
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time

TICK = 0.005  # how often to look for the child's end where no descriptor says it (no pidfd: macOS, old Linux)

TOKEN_VAR = "HELPERS_SANDBOX_RUN"


# How a sandboxed Python starts: `python -I` without its -E, that is -s (no user site) and -P (no script folder
# on sys.path). -E would ignore PYTHON* variables, but the environment is ours, built whole (child_env), and
# it holds one: PYTHONHASHSEED=0. A fixed hash seed gives sets of strings the same order on every run, and so
# the errors that print them (scikit-learn's "must be a str among {'hinge', 'squared_hinge'}"), and the
# prompts built from those errors: a replayed notebook must send the prompts it recorded. (Hash randomisation
# guards servers against hash flooding; a sandboxed candidate has no such attacker.)
ISOLATED = ("-s", "-P")


# One thread for numpy's and scikit-learn's native libraries: a BLAS thread that spins while it waits for a core
# counts as CPU time, so with two runs on two cores notebook 02's CPU-second caps measured the contention as well
# as the work (measured: the same seed's prediction took 0.18 to 0.25 s with the default threads, 0.13 to 0.22
# with one; the solution's cap is 0.29). One thread per run also keeps two concurrent runs from oversubscribing.
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def child_env(home, token):
    """The whole environment of a sandboxed process: no API keys, nothing inherited, a fixed hash seed, one
    thread for native numeric libraries."""
    path = os.pathsep.join(dict.fromkeys([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]))
    return {"PATH": path, "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", TOKEN_VAR: token,
            **ONE_THREAD}


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


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's: alive
        pass
    return True


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


class Output:
    """The child's stdout and stderr: two pipes that the waiting thread reads itself while it waits for
    the child. No reader threads: on a busy machine every hand-over of the GIL between threads can
    cost a scheduler tick, and a run made several. Keeps the first `limit` bytes of each stream and
    drains the rest, so that a flood of output never blocks the child nor fills the parent's memory."""

    def __init__(self, limit):
        self.limit = limit
        pipes = [os.pipe(), os.pipe()]
        self.readers = [r for r, _ in pipes]
        self.writers = [w for _, w in pipes]
        self._open = list(self.readers)
        self._chunks = {r: [] for r in self.readers}
        self._kept = dict.fromkeys(self.readers, 0)
        self._total = dict.fromkeys(self.readers, 0)

    def close_writers(self):
        """Once the child holds them: the pipes end when the child's copies close."""
        for w in self.writers:
            os.close(w)
        self.writers = []

    def _read(self, fd):
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            self._open.remove(fd)
            return False
        self._total[fd] += len(chunk)
        if self._kept[fd] < self.limit:
            self._chunks[fd].append(chunk[: self.limit - self._kept[fd]])
            self._kept[fd] += len(self._chunks[fd][-1])
        return True

    def wait(self, done_fd, finished, timeout):
        """Read output until `finished()` says the child is done, asking it whenever `done_fd` is
        readable (every TICK where `done_fd` is None). Returns True if `timeout` seconds passed first."""
        import select
        deadline = time.monotonic() + timeout
        poller = select.poll()
        for fd in self._open:
            poller.register(fd, select.POLLIN)
        if done_fd is not None:
            poller.register(done_fd, select.POLLIN)
        while True:
            if done_fd is None and finished():
                return False
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            for fd, _ in poller.poll(int(1000 * (left if done_fd is not None else min(left, TICK))) + 1):
                if fd == done_fd:
                    if finished():
                        return False
                elif not self._read(fd):
                    poller.unregister(fd)

    def drain(self, grace=5.0):
        """After the run and its leftovers are gone: read what is left, until both pipes end (or `grace`
        seconds, should something outside the run's reach still hold one)."""
        if self._open:
            self.wait(None, lambda: not self._open, grace)

    def keep(self, out, err):
        """Where the pipes were read elsewhere (Windows): keep what they gave, capped the same way."""
        for fd, data in zip(self.readers, (out, err), strict=True):
            self._total[fd] += len(data)
            self._chunks[fd].append(data[: self.limit])
        self._open = []

    def text(self):
        """(stdout, stderr) as text, each cut at the limit with a note saying so."""
        texts = []
        for fd in self.readers:
            text = b"".join(self._chunks[fd]).decode("utf-8", "replace")
            if self._total[fd] > self.limit:
                text += f"\n[... output cut at {self.limit} bytes; {self._total[fd]} bytes in all]"
            texts.append(text)
        return texts

    def close(self):
        for fd in self.writers + self.readers:
            try:
                os.close(fd)
            except OSError:
                pass
        self.writers = self.readers = self._open = []


class Graveyard:
    """Removes run folders without making the run wait for the disk. Deleting a few directories can take
    ~10 ms (it does on these machines: ext4 mounted with online discard), more than a warm run itself.
    So a run's folder is renamed into a graveyard next to it (one directory entry: its path is gone when
    the run returns) and deleted there by a background thread, which ends when nothing is left to
    delete (a lasting thread would make every later fork() of the caller's process a fork with
    threads). At exit, the rest goes at once. A graveyard left by a process that could not empty it
    (killed, or a pool worker that skips atexit) is emptied by the next one made in the same place."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None     # the process whose graveyards these are (a forked child makes its own)
        self._places = {}    # folder that holds run folders -> its graveyard there
        self._pending = []   # what the thread has still to delete
        self._digging = False

    def bury(self, folder):
        where = os.path.dirname(folder)
        for _ in range(2):  # a second time if the graveyard was removed under us
            try:
                with self._lock:
                    grave = os.path.join(self._place(where), os.path.basename(folder))
                os.rename(folder, grave)
                with self._lock:
                    self._dig_later(grave)
                return
            except OSError:  # no graveyard, or another filesystem
                with self._lock:
                    self._places.pop(where, None)
        shutil.rmtree(folder, ignore_errors=True)  # here and now, then

    def _place(self, where):
        if self._pid != os.getpid():
            self._pid, self._places, self._pending, self._digging = os.getpid(), {}, [], False
            atexit.register(self.close)
        if where not in self._places:
            prefix = f"sandbox-graveyard-{os.getpid()}-"
            self._places[where] = tempfile.mkdtemp(prefix=prefix, dir=where)
            for name in os.listdir(where):
                pid = name.split("-")[2] if name.startswith("sandbox-graveyard-") else ""
                if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                    self._dig_later(os.path.join(where, name))
        return self._places[where]

    def _dig_later(self, path):
        self._pending.append(path)
        if not self._digging:
            self._digging = True
            threading.Thread(target=self._dig, daemon=True, name="sandbox-graveyard").start()

    def _dig(self):
        while True:
            with self._lock:
                if not self._pending or self._pid != os.getpid():
                    self._digging = False
                    return
                grave = self._pending.pop()
            shutil.rmtree(grave, ignore_errors=True)

    def close(self):
        with self._lock:
            if self._pid != os.getpid():
                return
            self._pid = None  # the thread stops after the folder it is deleting
            places, self._places, self._pending = self._places, {}, []
        for place in places.values():
            shutil.rmtree(place, ignore_errors=True)
