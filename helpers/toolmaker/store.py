"""Where the tool library lives on disk, and how it changes: under a file lock, all files or none.

A commit first writes one file, ``.commit.json``, holding every file's new text (module, registry, the copy of
the previous module for ``versions/``), then copies each into place and deletes it. What the caller hears is
what stays on disk:

  - the journal cannot be written (a full disk): ``commit`` raises ``OSError`` and nothing changed;
  - a copy into place fails: the files already copied are put back, new ones removed (freeing space first),
    the journal deleted, and ``commit`` raises ``OSError``: nothing of the change is saved or replayed later;
  - putting them back fails too (the disk is still full): the journal stays, so the change is committed,
    and ``commit`` returns False; ``recover()`` copies it into place on the next ``locked()`` (every open,
    change and call), and until it can, ``locked()`` raises ``LibraryWriteError`` rather than let an open, a
    change or a call go on with the half-copied files;
  - the copy stops without a word (a crash, a kill, an interrupt): the next ``locked()`` finishes the commit.
``commit(files, undo=False)`` skips the putting back: a restore of the verified files must win, even later.

``locked()`` is one lock per folder for threads and processes (``fcntl.flock``; a thread lock where there is no
``fcntl``), re-entrant within a thread, and it applies any pending journal before its holder reads anything.

What it does not protect: a power cut between an ``os.replace`` and the disk's own flush (there is no fsync of
the folder); a journal that someone else writes into the folder (``ToolLibrary.guarded_run`` moves aside the
ones a sandboxed run plants; code outside the library's guard can still plant one); files damaged by a run or a
tool when the disk has no room even for the journal that would put them back (``ToolLibrary._restore`` then
raises and says so); and two processes on Windows at once.
"""

import errno
import json
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from ..llm.errors import HelpfulError

try:
    import fcntl
except ImportError:  # Windows: one process at a time is the user's job; threads still queue up
    fcntl = None

_THREADS = threading.RLock()  # flock() queues processes; this queues threads on systems without fcntl
_HELD = threading.local()     # the folders this thread holds the lock of: a nested locked() just goes on


class LibraryWriteError(HelpfulError, OSError):
    """The library could not write its files (a full disk, a read-only folder); the message says what was
    saved, if anything, and what to do."""


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


def why(error: OSError) -> str:
    """An OSError as what went wrong and what to do, in words a reader acts on."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full; free some space"
    return f"{error.strerror or error}; make sure you may write to that folder"


class Store:
    """The files of one library folder: ``locked()`` serialises writers, ``commit()`` changes them together."""

    def __init__(self, folder: Path):
        self.dir = Path(folder)
        self.journal = self.dir / ".commit.json"
        self.lock_path = self.dir / ".lock"

    @contextmanager
    def locked(self):
        """Exclusive for threads and processes alike (each holder opens its own file description). Yields
        True when it finished a commit that was pending (the files changed since the holder last read them)."""
        held = _HELD.__dict__.setdefault("dirs", set())
        key = os.path.abspath(self.dir)
        if key in held:   # this thread already holds it: its journal was applied when it took the lock
            yield False
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as handle:
            if fcntl is None:
                _THREADS.acquire()
            else:
                fcntl.flock(handle, fcntl.LOCK_EX)
            held.add(key)
            try:
                try:
                    finished = self.recover()
                except OSError as e:
                    raise LibraryWriteError(
                        f"the tool library's last change is saved in {self.journal} but could not be copied into "
                        f"place: {why(e)}, then run this again, which finishes it") from e
                yield finished
            finally:
                held.discard(key)
                if fcntl is None:
                    _THREADS.release()
                else:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _names(self, files: dict) -> dict[str, str]:
        """Paths as names relative to the folder (a library folder may be moved), each inside it."""
        return {Path(path).resolve().relative_to(self.dir.resolve()).as_posix(): text for path, text in files.items()}

    def _path(self, name: str) -> Path:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise ValueError(f"{self.journal} names {name!r}, a file outside the library folder")
        return self.dir / name

    def commit(self, files: dict[Path, str], *, undo: bool = True) -> bool:
        """Make every file (all in this folder) hold its new text, or none of them; call it inside ``locked()``.
        True: done. False: committed, but the copy into place failed and could not be undone, so it finishes
        on the next ``locked()``. Raises ``OSError`` when nothing changed (see the module docstring)."""
        names = self._names(files)
        before = {name: self._path(name).read_text(encoding="utf-8") if self._path(name).exists() else None
                  for name in names}
        write_atomic(self.journal, json.dumps(names))   # the step that decides; a failure here changed nothing
        try:
            self._copy(names)
        except OSError:
            if not undo:
                return False
            try:
                self._copy(before)
                self.journal.unlink()
            except OSError:
                return False   # the journal stands: the change is saved and finished later
            raise
        self.journal.unlink()
        return True

    def _copy(self, texts: dict[str, str | None]):
        """Make each named file hold its text (None: absent). Removals first: they free space for the writes."""
        for name in [n for n, text in texts.items() if text is None]:
            self._path(name).unlink(missing_ok=True)
        for name, text in texts.items():
            path = self._path(name)
            if text is not None and (not path.exists() or path.read_text(encoding="utf-8") != text):
                path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(path, text)

    def recover(self) -> bool:
        """Finish a commit that a crash or a full disk interrupted; True if there was one."""
        if not self.journal.exists():
            return False
        self._copy(json.loads(self.journal.read_text(encoding="utf-8")))
        self.journal.unlink()
        return True
