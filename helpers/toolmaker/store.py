"""Where the tool library lives on disk, and how it changes: under a file lock, in one atomic step.

A commit writes one file, ``.commit.json``, holding every file's new text (the module and the registry), then
copies them into place and deletes it. Its ``os.replace`` is the single step that decides: before it, nothing
changed; after it, the commit happens, even if the process dies or the disk fills half-way through copying,
because ``recover()`` (run on every open and before every change) finishes a commit it finds.
"""

import json
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: one process at a time is the user's job; threads still queue up
    fcntl = None

_THREADS = threading.Lock()  # flock() queues processes; this queues threads on systems without fcntl


def write_atomic(path: Path, text: str):
    """Write to a temporary file of this writer's own beside ``path``, fsync it, then ``os.replace`` it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Store:
    """The files of one library folder: ``locked()`` serialises writers, ``commit()`` changes them together."""

    def __init__(self, folder: Path):
        self.dir = Path(folder)
        self.journal = self.dir / ".commit.json"
        self.lock_path = self.dir / ".lock"

    @contextmanager
    def locked(self):
        """Exclusive for threads and processes alike (each holder opens its own file description)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as handle:
            if fcntl is None:
                _THREADS.acquire()
            else:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self.recover()
                yield
            finally:
                if fcntl is None:
                    _THREADS.release()
                else:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def commit(self, files: dict[Path, str]):
        """Make every file (all in this folder) hold its new text, or none of them; call it inside ``locked()``."""
        write_atomic(self.journal, json.dumps({Path(path).name: text for path, text in files.items()}))
        self.recover()

    def recover(self) -> bool:
        """Finish a commit that a crash interrupted; True if there was one."""
        if not self.journal.exists():
            return False
        files = json.loads(self.journal.read_text(encoding="utf-8"))
        for name, text in files.items():   # names, not paths: a library folder may be moved
            path = self.dir / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                write_atomic(path, text)
        self.journal.unlink()
        return True
