"""The toolmaker's tool library: a plain module (``tools.py``) that grows, and never loses what it had.
Every add or change is verified in the sandbox, then swapped in atomically (details: ``ToolLibrary``).

What no reply can do (issue 15; each line has a test in tests/test_library_adversarial.py):
  - replace a tool by importing a name (``from operator import add``, ``import x as add``, a star import):
    refused as a name clash, unless it re-imports exactly what the library already imports;
  - change the library by code that runs on import (annotations, class decorators, ``atexit`` hooks): the
    candidate is imported, reloaded and tested as a file in the sandbox, on a COPY of the library in the run's
    own folder, and exit hooks are run; if the copy's module or registry bytes change, or the run does not
    finish, it is refused (with the namespace boundary the real files are not even writable from there);
  - change the real files from any sandbox run near the library, with or without the kernel boundary (a test
    that writes ``tools.py`` through an absolute path, a reply that deletes it when imported): every such run,
    the library's own two and the agent's (judging a reply, checking a tool against a request, the report's
    check), goes through ``guarded_run``. It holds the folder's lock, after any pending commit is finished,
    and afterwards puts back ``tools.py`` and ``registry.json`` as they were and moves aside (to
    ``quarantine/``) what the run planted that the kernel would import from the folder, which is first on
    its ``sys.path``, or that the library would apply: a new module, package or journal. Whatever touched
    the files is refused (issue 36; tests/test_library_faults.py);
  - lose a tool to a race: adds take a file lock (``.lock``, fcntl.flock) and re-read the library inside it;
    a call holds it too, from before it compares the files until after, so it never undoes another writer;
  - leave module and registry out of step, or tell the caller something else than what is saved (issue 36):
    a commit is one journal file (``.commit.json``) made by one ``os.replace``, then copied into place. When a
    write fails (a full disk) the add raises ``LibraryWriteError`` and nothing of it is saved or replayed
    later; or, if even putting the files back fails, it is committed, the Change says ``ok`` and that it is
    copied into place on the next open, call or change, and until then the library refuses to be read
    half-copied (``store.py``). A crash after the journal is finished on the next open;
  - raise instead of being refused: a lone surrogate, or source too large or deep for ``ast``, is a refusal.

Decisions:
  - Tests that assert nothing are not proof: every test must hold an ``assert`` of something that is not a
    constant (or a ``with ...raises`` block); ``assert True`` or a bare call is refused.
  - A tool that rebinds another tool (``globals()['add'] = ...``) or writes the library files when called:
    ``lib.call`` compares every tool's binding and the files' bytes before and after the call; on a difference
    it reloads the verified library and raises ToolSideEffectError. Calling ``lib.module.shout()`` directly
    skips this check.
  - A module-level ``__getattr__`` (or any top-level ``__dunder__`` name but ``__all__``) is refused, and the
    library looks tools up in the module's own ``__dict__``, so no name is answered that was not defined.
  - Forged test results: the sandbox reports each test through a file that its runner, in the same process
    as the code under test, appends to, so a test can forge a pass. The library refuses code and tests that
    reach for the runner (import it, use ``sys.modules``, ``os._exit``, ``_emit`` or the result file). This
    is a tripwire, not a wall: code that hides those names (``getattr(__import__(...), ...)``) still can.
    Only a channel outside the child's reach would close it (helpers/sandbox: the run shares that process).

What it does NOT protect: the host process itself (a tool runs with the notebook's rights when called), files
other than the library's (``versions/`` and ``archive/`` included), and a tool that behaves well in the sandbox
and differently in the notebook. Without the kernel boundary, code run outside ``guarded_run`` (another
notebook's sandbox, your own ``run_code``) can write the folder, a journal included, and a process that a run
leaves behind and that escapes the sandbox's sweep can write it after the guard has looked.
"""

import ast
import importlib
import importlib.machinery
import inspect
import json
import os
import re
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..llm import extract_code
from .source import (
    asserts_nothing,
    count_tests,
    dunder_names,
    name_tests,
    node_lines,
    reaches_for_the_runner,
    rebinds,
    runs_at_import,
    split_reply,
    top_level_names,
)
from .store import LibraryWriteError, Store, why
from .verify import integrity_problem

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "tools_template.py"
TEMPLATE_TESTS = {
    "add": "def test_add():\n    assert add(2, 3) == 5\n    assert add(-1.5, 1.5) == 0\n",
    "multiply": "def test_multiply():\n    assert multiply(4, 2.5) == 10\n    assert multiply(3, 0) == 0\n",
    "reverse_text": "def test_reverse_text():\n    assert reverse_text('abc') == 'cba'\n    assert reverse_text('') == ''\n",
}


class ToolSideEffectError(RuntimeError):
    """A tool, when called, rebound another tool or changed the library's files; the library undid it."""


class ToolNotFoundError(LookupError):
    """The agent asked for a tool the library does not have (yet)."""

    def __init__(self, name: str, args: dict | None = None):
        self.name, self.arguments = name, dict(args or {})
        super().__init__(f"no tool named {name!r} in the library")


def default_workdir() -> Path:
    """``$WORKSHOP_WORKDIR`` if set, else ``workspace/`` at the root of this checkout (git-ignored)."""
    if os.environ.get("WORKSHOP_WORKDIR"):
        return Path(os.environ["WORKSHOP_WORKDIR"]).expanduser()
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").exists() or (root / ".git").exists():
        return root / "workspace"
    return Path.cwd() / "workspace"


@dataclass
class Change:
    """What happened to one add/update: ``ok`` or a refusal with its ``message`` (and the sandbox report)."""

    ok: bool
    name: str
    message: str
    report: object = None  # the sandbox TestReport, when the candidate got that far
    code: str = ""
    tests: str = ""

    def __repr__(self) -> str:
        return ("" if self.ok else "REFUSED ") + f"{self.name}: {self.message}"

    @property
    def reason(self) -> str:
        """The message in one line: its first line, plus the line that says what failed."""
        lines = [line.strip() for line in self.message.split(" -- the library is unchanged")[0].splitlines()]
        detail = next((line for line in lines[1:] if line.startswith("FAILED")), None) or \
            next((line for line in reversed(lines[1:]) if line and not line.startswith(("File", "^", "~"))), "")
        return f"{lines[0]} {detail}".strip()


# -- the library ---------------------------------------------------------------------------------------------
class ToolLibrary:
    """``tools.py`` + ``registry.json`` + ``versions/`` in ``workdir``; ``lib.module`` is the live module.

    Call tools through ``lib.call(name, ...)`` or ``getattr(lib.module, name)``: both look the function up
    on the module at call time, so they always see the version the last reload put there.

    The library lives in a git-ignored working folder (``workspace/`` at the repo root, or ``$WORKSHOP_WORKDIR``),
    made from ``helpers/templates/tools_template.py``. Each run starts from that template, so a re-run shows the
    same lesson; the previous library is moved to ``archive/`` beside it, never deleted, and ``keep=True``
    carries on with it instead. Next to it: ``registry.json`` (each tool's signature, when it was
    made, and the tests that pin it) and ``versions/`` (every previous ``tools.py``).

    Adding or changing a tool is atomic. Under the folder's lock, the candidate library is checked statically
    (it parses, defines the tool, clashes with nothing, and its top-level code only imports, defines and sets
    constants), then runs in the sandbox with every tool's tests, then is imported as a file on a copy
    (``verify.py``). Only then are the old file (for ``versions/``), module and registry committed together
    (``store.py``). Any refusal leaves ``tools.py`` and ``registry.json`` byte-for-byte as they were, and says why;
    a write that fails raises ``LibraryWriteError``, which says whether anything was saved.
    """

    def __init__(self, workdir=None, module_name: str = "tools", timeout: float = 10, *, keep: bool = False):
        self.dir = Path(workdir) if workdir else default_workdir()
        self.module_name, self.timeout = module_name, timeout
        self.path = self.dir / f"{module_name}.py"
        self.registry_path = self.dir / "registry.json"
        self.versions_dir = self.dir / "versions"
        self.history: list[Change] = []
        self.sandbox_runs = 0   # every sandboxed verification, so a caller can say what a change cost
        self.store = Store(self.dir)
        with self.store.locked():   # finishes a commit that a crash interrupted, before anything is read
            if self.path.exists() and not keep:
                self._archive()
            if not self.path.exists():
                self._create()
            self._read()
        self.module = None
        self.reload()

    def _read(self):
        """Take the files as they are now (another library object on this folder may have changed them) as
        the last good version."""
        self.registry = json.loads(self.registry_path.read_text()) if self.registry_path.exists() else {}
        self._good = {self.path: self.path.read_text(encoding="utf-8"),
                      self.registry_path: self.registry_path.read_text(encoding="utf-8")}

    def _snapshot(self) -> dict:
        return {p: p.read_text(encoding="utf-8") for p in (self.path, self.registry_path)}

    def _restore(self, good: dict | None = None) -> list[str]:
        """Put back the last good version (or ``good``) of any file that differs from it; those files' names."""
        good = good or self._good
        changed = [p for p, text in good.items() if not p.exists() or p.read_bytes() != text.encode("utf-8")]
        if not changed:
            return []
        names = " and ".join(p.name for p in changed)
        try:
            done = self.store.commit({p: good[p] for p in changed}, undo=False)   # the verified files must win
        except OSError as e:   # not even the journal: the damage stays (store.py, what it does not protect)
            raise LibraryWriteError(f"{names} changed and the verified version could not be put back: {why(e)}, "
                                    f"then check {self.path} (earlier versions are in {self.versions_dir})") from e
        if not done:
            raise LibraryWriteError(f"{names} changed; the verified version is saved in {self.store.journal} and "
                                    "put back on the next open: make room on the disk, then run this again")
        return [p.name for p in changed]

    def _commit(self, files: dict, what: str) -> bool:
        """``store.commit`` with a failure that says what was not saved and what to do (see store.py)."""
        try:
            return self.store.commit(files)
        except OSError as e:
            raise LibraryWriteError(f"could not save {what}, so nothing of it was saved and the library is as it "
                                    f"was: {why(e)}, then try again") from e

    @contextmanager
    def _locked(self):
        """The folder's lock; when taking it finished a pending commit, the library reads and imports it."""
        with self.store.locked() as finished:
            if finished:
                self._read()
                self.reload()
            yield

    # -- running a model's code near the library -----------------------------------------------------------------
    # The library's folder is first on the kernel's sys.path and its journal is applied on the next open, so a
    # run must leave the folder as it found it: the files, no journal, no new module or package.
    _OWN = {"versions", "archive", "quarantine", "__pycache__"}

    def _state(self) -> tuple[dict, set]:
        return self._snapshot(), set(os.listdir(self.dir))

    def _undo(self, before: tuple[dict, set]) -> list[str]:
        """Move aside what a run planted in the folder, then put the files back; what it touched, named."""
        files, entries = before
        suffixes = tuple(importlib.machinery.all_suffixes())
        planted = sorted(n for n in set(os.listdir(self.dir)) - entries if n == self.store.journal.name
                         or n.endswith(suffixes) or ((self.dir / n).is_dir() and n not in self._OWN))
        touched = []
        if planted:   # moved, not deleted: it may be the learner's own file, made at the wrong moment
            (self.dir / "quarantine").mkdir(exist_ok=True)
            aside = Path(tempfile.mkdtemp(dir=self.dir / "quarantine", prefix=time.strftime("%Y%m%d-%H%M%S-")))
            for name in planted:
                (self.dir / name).rename(aside / name)
                touched.append(f"{name} (new: moved to {aside.relative_to(self.dir).as_posix()}/)")
        return touched + self._restore(files)

    def guarded_run(self, run, *args, **kwargs):
        """``run(*args, **kwargs)`` (a sandbox run of a model's code) under the folder's lock, after any pending
        commit; afterwards the library's files are put back as they were, with or without the kernel boundary.
        Returns ``(what run returned, what it touched)``: an empty list when it left the library alone."""
        with self._locked():
            before = self._state()
            result = run(*args, **kwargs)
            return result, self._undo(before)

    def _archive(self):
        """Move the previous library aside (never delete a learner's tools) so this run starts fresh."""
        if self.path.read_text() == TEMPLATE.read_text():
            return   # nothing was ever added: the template is as good as new
        stamp = time.strftime("%Y%m%d-%H%M%S")
        where, n = self.dir / "archive" / stamp, 1
        while where.exists():   # two runs in one second must not overwrite each other
            n += 1
            where = self.dir / "archive" / f"{stamp}-{n}"
        where.mkdir(parents=True)
        for old in (self.path, self.registry_path, self.versions_dir):
            if old.exists():
                old.rename(where / old.name)
        print(f"A fresh tool library for this run; your previous one is in {where} "
              "(ToolLibrary(keep=True) carries on with it instead).")

    def _create(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        made = time.strftime("%Y-%m-%d %H:%M")
        reg = {name: {"made": made, "tests": tests, "tests_passed": f"{count_tests(tests)}/{count_tests(tests)}",
                      "version": 0, "origin": "template"} for name, tests in TEMPLATE_TESTS.items()}
        if not self._commit({self.registry_path: json.dumps(reg, indent=1), self.path: TEMPLATE.read_text()},
                            "a new tool library"):
            raise LibraryWriteError(f"the new tool library in {self.dir} is saved in {self.store.journal.name} but "
                                    "not yet in place: make room on the disk, then run this again")

    # -- reading ----------------------------------------------------------------------------------------------
    @property
    def source(self) -> str:
        return self.path.read_text()

    def _tool(self, name):
        """The module's own binding of ``name`` (never a module ``__getattr__``'s answer), or None."""
        found = vars(self.module).get(name) if self.module is not None else None
        return found if callable(found) else None

    def names(self) -> list[str]:
        return [n for n in self.registry if self._tool(n)]

    def __contains__(self, name) -> bool:
        return name in self.names()

    def signature(self, name: str) -> str:
        return f"{name}{inspect.signature(getattr(self.module, name))}"

    def doc(self, name: str) -> str:
        return inspect.getdoc(getattr(self.module, name)) or ""

    def menu(self) -> str:
        """One line per tool, ``signature: first docstring line``: what the agent reads to choose."""
        return "\n".join(f"- {self.signature(n)}: {(self.doc(n).splitlines() or [''])[0]}" for n in self.names())

    def table(self):
        import pandas as pd

        rows = [{"name": n, "signature": self.signature(n), "made": self.registry[n].get("made", "?"),
                 "tests passed": self.registry[n].get("tests_passed", "?"), "version": self.registry[n].get("version"),
                 "doc": (self.doc(n).splitlines() or [""])[0]} for n in self.names()]
        return pd.DataFrame(rows, columns=["name", "signature", "made", "tests passed", "version", "doc"])

    def tool_source(self, name: str) -> str:
        for node in ast.parse(self.source).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                first, last = node_lines(self.source, node)
                return "\n".join(self.source.splitlines()[first - 1:last]) + "\n"
        raise ToolNotFoundError(name)

    def tests(self, name: str) -> str:
        return self.registry.get(name, {}).get("tests", "")

    def versions(self) -> list[Path]:
        return sorted(self.versions_dir.glob(f"{self.module_name}_*.py"), key=lambda p: int(p.stem.split("_")[-1]))

    def call(self, name: str, *args, **kwargs):
        """Look the tool up on the module now (never a stale binding) and call it. The whole call holds the
        folder's lock, taken after any pending commit is finished: the files it compares with afterwards are
        the ones just before the call, and no other writer's commit can come in between and be undone."""
        with self._locked():
            if name not in self.registry or not self._tool(name):
                raise ToolNotFoundError(name, kwargs)
            tools, before = {n: self._tool(n) for n in self.registry}, self._state()
            try:
                return self._tool(name)(*args, **kwargs)
            finally:
                rebound = sorted(n for n, f in tools.items() if self._tool(n) is not f)
                touched = self._undo(before)
                if rebound or touched:   # undo it: the files hold the verified library, so reload them
                    self.reload()
                    what = (f"rebound {', '.join(f'`{n}`' for n in rebound)}" if rebound else "") + \
                        (" and " if rebound and touched else "") + \
                        (f"changed {', '.join(touched)}" if touched else "")
                    raise ToolSideEffectError(f"tool `{name}` {what} when called; the library was restored to "
                                              "its last verified version (a tool must not change other tools)")

    # -- hot reload -----------------------------------------------------------------------------------------
    def reload(self):
        """Import ``tools.py`` (first time) or ``importlib.reload`` it, and return the module."""
        if str(self.dir) in sys.path:
            sys.path.remove(str(self.dir))
        sys.path.insert(0, str(self.dir))  # reload() finds the module on sys.path: ours must come first
        shutil.rmtree(self.dir / "__pycache__", ignore_errors=True)  # never trust bytecode of a replaced file
        importlib.invalidate_caches()
        current = sys.modules.get(self.module_name)
        if current is not None and Path(getattr(current, "__file__", "") or "").resolve() == self.path.resolve():
            self.module = importlib.reload(current)
        else:
            sys.modules.pop(self.module_name, None)
            self.module = importlib.import_module(self.module_name)
        return self.module

    # -- changing it, atomically ----------------------------------------------------------------------------------
    def add(self, code: str, tests: str = "", name: str | None = None) -> Change:
        """Add a new tool (code may hold its ``test_*`` functions too). Refuses, changing nothing, unless
        the code parses, defines ``name``, clashes with no existing name, only imports/defines at top level,
        has at least one test, and the whole library then imports and passes every tool's tests in the sandbox."""
        return self._change(code, tests, name, replace=False)

    def update(self, name: str, code: str) -> Change:
        """Replace an existing tool's function with a new version; its pinned tests must still pass."""
        return self._change(code, "", name, replace=True)

    def _change(self, code: str, tests: str, name: str | None, replace: bool) -> Change:
        """Never raises for bad text: whatever the reply holds, the answer is a Change."""
        code, tests = code or "", tests or ""
        for what, text in (("code", code), ("tests", tests), ("name", name or "")):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as e:
                return self._refuse(name if what != "name" else "?", f"the {what} holds a character that is not "
                                    f"valid text (U+{ord(text[e.start]):04X} at position {e.start}); send plain "
                                    "UTF-8 source", code if what != "code" else "", tests if what != "tests" else "")
        with self._locked():
            self._read()
            try:
                return self._check(code, tests, name, replace)
            except (RecursionError, MemoryError, ValueError, SyntaxError) as e:
                return self._refuse(name or "?", f"the code is too large or too deeply nested to read "
                                    f"({type(e).__name__}); send a shorter, flatter version", code, tests)

    def _check(self, code: str, tests: str, name: str | None, replace: bool) -> Change:
        if "```" in code:
            code = extract_code(code, name)
        if not re.search(r"^\s*(def|class|import|from|async def)\s", code, re.M):
            return self._refuse(name or "?", "the reply holds no code at all", code, tests)
        try:
            tool_code, found_tests, _ = split_reply(code)
            defs = [n.name for n in ast.parse(tool_code).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        except SyntaxError as e:
            return self._refuse(name or "?", f"syntax error at line {e.lineno}: {e.msg}", code, tests)
        name = name or next((d for d in defs if not d.startswith("_")), "?")
        tests = (tests.strip() + "\n\n\n" + found_tests).strip() + "\n" if found_tests else tests
        if name not in defs:
            return self._refuse(name, f"the code does not define a function `{name}`", code, tests)
        static = self._static_refusal(tool_code, tests, found_tests)
        if static:
            return self._refuse(name, static, code, tests)
        for node in ast.parse(tool_code).body:
            why = runs_at_import(node)
            if why:
                text = (ast.get_source_segment(tool_code, node) or "").splitlines()[0][:60]
                return self._refuse(name, f"line {node.lineno}: top-level `{text}` {why}, so it would run on every "
                                    "import (a tool file may only import, define functions and set constants)", code, tests)
        source = self.source
        if replace:
            if name not in self.registry:
                return self._refuse(name, f"there is no tool `{name}` to update; use add()", code, tests)
            if set(defs) != {name}:
                return self._refuse(name, f"an update must define only `{name}`", code, tests)
            node = next(n for n in ast.parse(source).body if getattr(n, "name", None) == name)
            first, last = node_lines(source, node)  # splice by the positions ast gives, no text search
            lines = source.splitlines()
            candidate = "\n".join(lines[:first - 1] + tool_code.strip("\n").splitlines() + lines[last:]) + "\n"
            tests = self.tests(name)
        else:
            clash = sorted(top_level_names(tool_code) & (top_level_names(source) | set(self.registry)))
            if clash:
                return self._refuse(name, f"name clash: `{clash[0]}` already exists in the library; "
                                    "reuse it, or choose another name", code, tests)
            try:
                tests = name_tests(tests, name) if tests.strip() else ""
            except SyntaxError as e:
                return self._refuse(name, f"syntax error in the tests at line {e.lineno}: {e.msg}", code, tests)
            if not count_tests(tests):
                return self._refuse(name, "no tests: a tool needs 2 to 3 `def test_...():` functions that pin "
                                    "what it does", code, tests)
            empty = asserts_nothing(tests)
            if empty:
                return self._refuse(name, f"`{empty}` asserts nothing, so it cannot fail: each test needs an "
                                    "`assert` that checks what the tool returns", code, tests)
            candidate = source.rstrip("\n") + f"\n\n\n# --- {name}: added by the toolmaker ---\n" + tool_code
        if candidate == source:
            change = Change(True, name, "unchanged: this is already the current version", None, code, tests)
            self.history.append(change)
            return change
        return self._verify_and_swap(name, candidate, tests, code, replace, tool_code, source)

    def _static_refusal(self, tool_code: str, tests: str, found_tests: str) -> str | None:
        """The checks of section 2 of issue 15 that need no sandbox (the decisions are in the module docstring)."""
        dunders = dunder_names(tool_code)
        if dunders:
            return (f"top-level `{dunders[0]}` is not allowed in a tool file (a module `__getattr__` would "
                    "answer for tools that do not exist); define plain functions")
        for what, text in (("code", tool_code), ("tests", (tests or "") + "\n" + found_tests)):
            reach = reaches_for_the_runner(text) if text.strip() else None
            if reach:
                return f"the {what} {reach}, which reaches into the sandbox's test runner; test the tool only"
        return None

    def _verify_and_swap(self, name, candidate, tests, code, replace, tool_code, source) -> Change:
        from ..sandbox import outcome, run_tests, warm_server

        suites = {n: self.tests(n) for n in self.registry if self.tests(n)}
        suites[name] = tests
        expected = sum(map(count_tests, suites.values()))
        warm = warm_server(("textblob",), deep=False) or False  # a cold TextBlob import costs seconds per check
        self.sandbox_runs += 1   # without the kernel boundary a run can write anywhere: each is guarded
        report, touched = self.guarded_run(run_tests, candidate, list(suites.values()), timeout=self.timeout, warm=warm)
        if touched:
            return self._refuse(name, f"running it changed the real {' and '.join(touched)}; restored "
                                "from the last good version", code, tests, report)
        if report.run.status == "timeout":
            hangs = f"the import or a test hangs: the run {outcome('timeout', timeout=self.timeout)}"
            return self._refuse(name, hangs, code, tests, report)
        if report.run.error_type and all(r.message.startswith("the code failed before") for r in report.results):
            return self._refuse(name, "the new library does not import:\n" + report.run.feedback(), code, tests, report)
        if not report.all_passed or report.total < expected:
            return self._refuse(name, f"tests failed ({report.passed}/{expected} passed):\n" + report.feedback(),
                                code, tests, report)
        taken = rebinds(tool_code, source, {name} if replace else set())
        if taken:   # after the tests, so a rebinding that breaks a tool is reported by the test it fails
            return self._refuse(name, "a star import could replace any tool; import names one by one" if taken == "*"
                                else f"name clash: `{taken}` already exists in the library and the new code "
                                "binds it again; reuse it, or import it under another name", code, tests, report)
        version = len(self.versions()) + 1
        registry = json.loads(json.dumps(self.registry))
        own = count_tests(tests)
        entry = registry.get(name, {}) if replace else {"made": time.strftime("%Y-%m-%d %H:%M"), "tests": tests,
                                                        "origin": "toolmaker"}
        entry.update(tests_passed=f"{own}/{own}", version=version)
        registry[name] = entry
        registry_text = json.dumps(registry, indent=1)
        self.sandbox_runs += 1
        problem, touched = self.guarded_run(integrity_problem, candidate, registry_text, self.module_name,
                                            list(suites.values()), timeout=self.timeout, warm=warm)
        if problem or touched:
            return self._refuse(name, problem or f"importing it changed the real {' and '.join(touched)}; "
                                "restored from the last good version", code, tests, report)
        # verified: the old file for versions/, the module and the registry change together (one journal, store.py)
        kept = self.versions_dir / f"{self.module_name}_{version}.py"
        done = self._commit({kept: source, self.registry_path: registry_text, self.path: candidate}, f"`{name}`")
        note = ""
        if done:
            self._read()
            self.reload()
            if self._restore():   # the host's import did what the sandbox's did not: put the verified files back
                self.reload()
        else:   # committed: the journal holds it, and the next open or change copies it into place
            note = (f"; copying it into place failed (is the disk full?), so it is saved in {self.store.journal.name} "
                    "and takes effect once there is space, on the next open, call or change")
        change = Change(True, name, f"{'updated' if replace else 'added'}; {report.passed}/{expected} tests pass; "
                        f"previous library kept as versions/{self.module_name}_{version}.py{note}", report, code, tests)
        self.history.append(change)
        return change

    def _refuse(self, name, message, code, tests, report=None) -> Change:
        message = re.sub(r",? ?(after )?\d+\.\d+ ?s\b", "", message)  # no timings: prompts stay replayable
        change = Change(False, name, message + " -- the library is unchanged", report, code, tests)
        self.history.append(change)
        return change


