"""The toolmaker's tool library: a plain module (``tools.py``) that grows, and never loses what it had.

The library lives in a git-ignored working folder (``workspace/`` at the repo root, or ``$WORKSHOP_WORKDIR``),
created from ``helpers/templates/tools_template.py`` on first run, so a learner's tools persist between
sessions and a fresh clone starts clean. Next to it: ``registry.json`` (each tool's signature, when it was
made, and the tests that pin it) and ``versions/`` (every previous ``tools.py``).

Adding or changing a tool is atomic. The candidate file is written beside the library, checked statically
(it parses, defines the tool, clashes with nothing, and its top-level code only imports, defines and sets
constants), then the whole candidate library runs in the sandbox with every tool's tests. Only then is the
old file copied to ``versions/`` and the candidate moved over it with ``os.replace``. Any refusal leaves
``tools.py`` byte-for-byte as it was, and says why.
"""

import ast
import importlib
import inspect
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .parsing import extract_code
from .toolsource import count_tests, name_tests, node_lines, runs_at_import, split_reply, top_level_names

TEMPLATE = Path(__file__).resolve().parent / "templates" / "tools_template.py"
TEMPLATE_TESTS = {
    "add": "def test_add():\n    assert add(2, 3) == 5\n    assert add(-1.5, 1.5) == 0\n",
    "multiply": "def test_multiply():\n    assert multiply(4, 2.5) == 10\n    assert multiply(3, 0) == 0\n",
    "reverse_text": "def test_reverse_text():\n    assert reverse_text('abc') == 'cba'\n    assert reverse_text('') == ''\n",
}


class ToolNotFoundError(LookupError):
    """The agent asked for a tool the library does not have (yet)."""

    def __init__(self, name: str, args: dict | None = None):
        self.name, self.arguments = name, dict(args or {})
        super().__init__(f"no tool named {name!r} in the library")


def default_workdir() -> Path:
    """``$WORKSHOP_WORKDIR`` if set, else ``workspace/`` at the root of this checkout (git-ignored)."""
    if os.environ.get("WORKSHOP_WORKDIR"):
        return Path(os.environ["WORKSHOP_WORKDIR"]).expanduser()
    root = Path(__file__).resolve().parent.parent
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
    """

    def __init__(self, workdir=None, module_name: str = "tools", timeout: float = 10):
        self.dir = Path(workdir) if workdir else default_workdir()
        self.module_name, self.timeout = module_name, timeout
        self.path = self.dir / f"{module_name}.py"
        self.registry_path = self.dir / "registry.json"
        self.versions_dir = self.dir / "versions"
        self.history: list[Change] = []
        if not self.path.exists():
            self._create()
        self.registry = json.loads(self.registry_path.read_text()) if self.registry_path.exists() else {}
        self.module = None
        self.reload()

    def _create(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        made = time.strftime("%Y-%m-%d %H:%M")
        reg = {name: {"made": made, "tests": tests, "tests_passed": f"{count_tests(tests)}/{count_tests(tests)}",
                      "version": 0, "origin": "template"} for name, tests in TEMPLATE_TESTS.items()}
        _write_atomic(self.registry_path, json.dumps(reg, indent=1))
        _write_atomic(self.path, TEMPLATE.read_text())

    # -- reading ----------------------------------------------------------------------------------------------
    @property
    def source(self) -> str:
        return self.path.read_text()

    def names(self) -> list[str]:
        return [n for n in self.registry if callable(getattr(self.module, n, None))]

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
        """Look the tool up on the module now (never a stale binding) and call it."""
        if name not in self.registry or not callable(getattr(self.module, name, None)):
            raise ToolNotFoundError(name, kwargs)
        return getattr(self.module, name)(*args, **kwargs)

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
        code = code or ""
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
            candidate = source.rstrip("\n") + f"\n\n\n# --- {name}: added by the toolmaker ---\n" + tool_code
        if candidate == source:
            change = Change(True, name, "unchanged: this is already the current version", None, code, tests)
            self.history.append(change)
            return change
        return self._verify_and_swap(name, candidate, tests, code, replace)

    def _verify_and_swap(self, name, candidate, tests, code, replace) -> Change:
        from .sandbox import run_tests, warm_server

        suites = {n: self.tests(n) for n in self.registry if self.tests(n)}
        suites[name] = tests
        expected = sum(map(count_tests, suites.values()))
        warm = warm_server(("textblob",), deep=False) or False  # a cold TextBlob import costs seconds per check
        report = run_tests(candidate, list(suites.values()), timeout=self.timeout, warm=warm)
        if report.run.status == "timeout":
            return self._refuse(name, f"timed out after {self.timeout:g} s: the import or a test hangs",
                                code, tests, report)
        if report.run.error_type and all(r.message.startswith("the code failed before") for r in report.results):
            return self._refuse(name, "the new library does not import:\n" + report.run.feedback(), code, tests, report)
        if not report.all_passed or report.total < expected:
            return self._refuse(name, f"tests failed ({report.passed}/{expected} passed):\n" + report.feedback(),
                                code, tests, report)
        # verified: keep the old file, then swap the new one in (os.replace is atomic on one file system)
        version = len(self.versions()) + 1
        self.versions_dir.mkdir(exist_ok=True)
        shutil.copy2(self.path, self.versions_dir / f"{self.module_name}_{version}.py")
        registry = json.loads(json.dumps(self.registry))
        own = count_tests(tests)
        entry = registry.get(name, {}) if replace else {"made": time.strftime("%Y-%m-%d %H:%M"), "tests": tests,
                                                        "origin": "toolmaker"}
        entry.update(tests_passed=f"{own}/{own}", version=version)
        registry[name] = entry
        _write_atomic(self.path, candidate)
        _write_atomic(self.registry_path, json.dumps(registry, indent=1))
        self.registry = registry
        self.reload()
        change = Change(True, name, f"{'updated' if replace else 'added'}; {report.passed}/{expected} tests pass; "
                        f"previous library kept as versions/{self.module_name}_{version}.py", report, code, tests)
        self.history.append(change)
        return change

    def _refuse(self, name, message, code, tests, report=None) -> Change:
        message = re.sub(r",? ?(after )?\d+\.\d+ ?s\b", "", message)  # no timings: prompts stay replayable
        change = Change(False, name, message + " -- the library is unchanged", report, code, tests)
        self.history.append(change)
        return change


def _write_atomic(path: Path, text: str):
    """Write to a new file beside ``path``, flush it to disk, then ``os.replace`` it over the old one."""
    tmp = path.with_name(f".{path.name}.new")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
