"""What runs inside the sandboxed child, cold (`python -s -P -S` on a one-line boot) or warm (a fork of template.py):
limits, the network guard, the job in CTL/job.marshal, one JSON line per outcome in CTL/result.jsonl.
Only builtin modules are imported at the top: every import here is paid on every cold run (`json` alone
would pull in `re` and `enum`, ~4 ms; its C string encoder is all a record needs)."""

import marshal
import os
import sys
from _json import encode_basestring_ascii as _quote

CANDIDATE = "<candidate>"
# Audit events that reach the network; refusing them is a guardrail, not a wall (see the package docstring).
NET_EVENTS = frozenset({
    "socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname",
    "socket.gethostbyaddr", "urllib.Request", "ftplib.connect", "smtplib.connect", "http.client.connect",
})
_RESULT = None
_SOURCES = {}  # filename -> source, handed to linecache only when a traceback is formatted


def _json_value(value):
    if isinstance(value, str):
        return _quote(value)
    return "null" if value is None else ("true" if value else "false") if isinstance(value, bool) else str(int(value))


def _emit(record):
    """Append one record (str keys; str, int, bool or None values) to the result file as a JSON line."""
    line = "{" + ", ".join(f"{_quote(key)}: {_json_value(value)}" for key, value in record.items()) + "}\n"
    # Reopened per record on purpose: user code may have closed or exhausted file descriptors.
    try:
        with open(_RESULT, "a", encoding="utf-8") as f:
            f.write(line)
    except OSError:
        pass


def _enter_site(site_state):
    """Started with -S (site's .pth files cost up to 15 ms a start): look like `python -I` all the same,
    with the sys.path, prefixes and builtins (exit, quit, help) it would have (startup.py asked it once)."""
    import site  # its helpers only (75 us); site.main() is what -S skipped
    sys.path[:] = site_state["path"]
    sys.prefix, sys.exec_prefix = site_state["prefix"], site_state["exec_prefix"]
    site.setquit()
    site.setcopyright()
    site.sethelper()
    if site_state["sitecustomize"]:
        site.execsitecustomize()
    if site_state["pth_imports"]:
        sys.meta_path.append(_PthImports(site_state["pth_imports"]))


class _PthImports:
    """The import lines of the .pth files (an editable install's finder, say), run the first time a
    top-level import fails without them, so that only a run that needs them pays for them."""

    def __init__(self, folders):
        self.folders = folders

    def find_spec(self, name, path=None, target=None):
        if path is not None:  # a submodule: its package's __path__ decides, not a .pth file
            return None
        sys.meta_path.remove(self)
        import site
        for folder in self.folders:
            site.addsitedir(folder)
        for finder in sys.meta_path:
            spec = finder.find_spec(name, None, target) if hasattr(finder, "find_spec") else None
            if spec is not None:
                return spec
        return None


def _set_limits(limits):
    try:
        import resource
    except ImportError:  # Windows: the parent already warned that only the timeout applies
        return
    for name, soft in limits.items():
        which = getattr(resource, "RLIMIT_" + name.upper(), None)
        if which is None or soft is None:
            continue
        hard = soft + 1 if name == "cpu" else soft  # SIGXCPU first, SIGKILL a second later
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            pass


def _block_network():
    def hook(event, args):
        if event in NET_EVENTS:
            raise PermissionError(f"network access is off in the sandbox ({event}); "
                                  "pass allow_network=True to allow it")
    sys.addaudithook(hook)


def _register_sources():
    import linecache  # lazily: it costs ~2 ms of every cold start
    # Lets tracebacks show the submitted lines; mtime None keeps checkcache() from dropping them.
    for filename, source in _SOURCES.items():
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _format_error(exc):
    """The error as a plain traceback, worded the same on every Python the kit supports (3.11 to 3.13).

    ``traceback.format_exception`` is not: 3.11 marks the failing expression with ``^~`` lines, 3.13
    marks more of them and prints a multi-line statement as ``...<2 lines>...``, and 3.12 adds "Did you
    forget to import" hints. Prompts are built from this text, so it would make a recording made on one
    Python miss on another (Colab runs 3.13). So each frame is its file, line, function and first source
    line, then ``Type: message``, with chained errors joined as Python joins them.
    """
    import traceback
    _register_sources()
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:  # newest first; Python prints the oldest first
        seen.add(id(exc))
        if exc.__cause__ is not None:
            chain.append((exc, "\nThe above exception was the direct cause of the following exception:\n\n"))
            exc = exc.__cause__
        elif exc.__context__ is not None and not exc.__suppress_context__:
            chain.append((exc, "\nDuring handling of the above exception, another exception occurred:\n\n"))
            exc = exc.__context__
        else:
            chain.append((exc, ""))
            exc = None
    text = ""
    for exc, joint in reversed(chain):
        text += joint + _format_one(exc, traceback)
    return text if len(text) < 20_000 else text[:2_000] + "\n[...]\n" + text[-15_000:]


def _format_one(exc, traceback):
    tb = exc.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith(("<candidate", "<tests")):
        tb = tb.tb_next  # hide our own frames: line numbers should point into the submitted code
    text, last, repeats, last_repeats = "", None, 0, 0
    for frame in traceback.extract_tb(tb):
        where = (frame.filename, frame.lineno, frame.name)
        repeats = repeats + 1 if where == last else 0
        if repeats == 0 and last is not None:
            text += _repeated(last_repeats)
        last, last_repeats = where, repeats
        if repeats < 3:  # deep recursion: three frames, then a count, as Python prints it
            text += f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n'
            text += f"    {frame.line}\n" if frame.line else ""
    if last is not None:
        text = "Traceback (most recent call last):\n" + text + _repeated(last_repeats)
    return text + _exception_line(exc, traceback)


def _repeated(repeats):
    more = repeats - 2
    return f"  [Previous line repeated {more} more time{'s' if more > 1 else ''}]\n" if more > 0 else ""


def _exception_line(exc, traceback):
    if isinstance(exc, SyntaxError):  # its own lines show where the parser stopped
        return "".join(traceback.format_exception_only(type(exc), exc))
    name, module = type(exc).__qualname__, type(exc).__module__
    if module not in ("builtins", "__main__"):
        name = f"{module}.{name}"
    message = str(exc)
    notes = "".join(f"{note}\n" for note in getattr(exc, "__notes__", None) or ())
    return (f"{name}: {message}\n" if message else f"{name}\n") + notes


def _load(code, module_name):
    module = type(sys)(module_name)
    sys.modules[module_name] = module  # so pickle and `from candidate import f` find it
    _SOURCES[CANDIDATE] = code
    exec(compile(code, CANDIDATE, "exec"), module.__dict__)
    return module


def _jsonable(value):
    for attr in ("tolist", "item"):  # numpy scalars and arrays are JSON-able in spirit
        if callable(getattr(value, attr, None)):
            return getattr(value, attr)()
    raise TypeError(f"the return value is a {type(value).__name__}, which is not JSON-serializable; "
                    "return numbers, strings, booleans, None, lists or dicts")


def _call(module, job):
    fn = getattr(module, job["name"], None)
    if not callable(fn):
        raise NameError(f"the code does not define a function named {job['name']!r}")
    value = fn(*job["args"], **job["kwargs"])
    import json  # only here: a value must be JSON-able, and json says what that means
    _emit({"kind": "value", "json": json.dumps(value, default=_jsonable)})


def test_names(sources):
    """Names of the tests in `sources`, in run order: every `def test*`, or one block per source
    that has none (a HumanEval-style list of top-level asserts). Shared with the parent, which
    needs the names when the child never reports them."""
    import ast
    names = []
    for i, src in enumerate(sources):
        try:
            tree = ast.parse(src)
        except SyntaxError:
            names.append(f"tests[{i}]")
            continue
        found = [n.name for n in tree.body
                 if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test")]
        names.extend(found or [f"tests[{i}]"])
    return names


def _short(value):
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "..."


def _failure(exc, filename, tree, source):
    """pytest-lite: say which assert failed and, for `a == b`, what a and b were."""
    import ast
    frames, tb = [], exc.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    mine = [(f, n) for f, n in frames if f.f_code.co_filename == filename]
    lines = source.splitlines()
    if not mine:
        return f"{type(exc).__name__}: {exc}"
    frame, lineno = mine[-1]
    where = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
    raised_here = frames[-1][0] is frame
    if isinstance(exc, AssertionError) and raised_here:
        node = next((n for n in ast.walk(tree) if isinstance(n, ast.Assert)
                     and n.lineno <= lineno <= (n.end_lineno or n.lineno)), None)
        if node is None:
            return f"AssertionError: {exc} (line {lineno}: {where})"
        msg = "assert " + ast.unparse(node.test)
        if str(exc):
            msg += f"  ({exc})"
        test = node.test
        parts = ([("left", test.left), ("right", test.comparators[0])]
                 if isinstance(test, ast.Compare) and len(test.ops) == 1 else [("value", test)])
        try:  # re-evaluating may call the candidate again; it is only a hint, so any failure is fine
            shown = [f"{label}: {_short(eval(compile(ast.Expression(expr), filename, 'eval'), frame.f_globals, frame.f_locals))}"
                     for label, expr in parts]
            msg += "  -> " + ", ".join(shown)
        except Exception:
            pass
        return msg
    msg = f"{type(exc).__name__}: {exc} (test line {lineno}: {where})"
    last, last_no = frames[-1]
    if last.f_code.co_filename == CANDIDATE and last is not frame:
        import linecache
        _register_sources()
        msg += f"; raised at {CANDIDATE} line {last_no}: {linecache.getline(CANDIDATE, last_no).strip()}"
    return msg


def _tests(module, job):
    import ast
    sources = job["tests"]
    index = 0
    for i, src in enumerate(sources):
        filename = "<tests>" if len(sources) == 1 else f"<tests[{i}]>"
        _SOURCES[filename] = src
        names = test_names([src])
        block = names == ["tests[0]"]
        if block:
            names = [f"tests[{i}]"]
        namespace = dict(vars(module))  # tests see the candidate's names without clobbering them
        namespace["__name__"] = "tests"
        try:
            tree = ast.parse(src, filename)
            exec(compile(tree, filename, "exec"), namespace)
        except Exception as exc:
            message = _failure(exc, filename, tree, src) if not isinstance(exc, SyntaxError) else \
                f"SyntaxError in the tests: {exc}"
            for name in names:  # a broken test file fails every test it holds
                _emit({"kind": "test", "i": index, "name": name, "passed": False, "message": message})
                index += 1
            continue
        if block:
            _emit({"kind": "test", "i": index, "name": names[0], "passed": True, "message": ""})
            index += 1
            continue
        for name in names:
            try:
                namespace[name]()
                record = {"passed": True, "message": ""}
            except Exception as exc:
                record = {"passed": False, "message": _failure(exc, filename, tree, src)}
            _emit({"kind": "test", "i": index, "name": name, **record})
            index += 1


def run_job(ctl, contained=False):
    """Run CTL/job.marshal in this process (behind the boundary it names, unless the fork server has
    `contained` it already). Returns the exit code; user code's SystemExit propagates."""
    global _RESULT
    with open(os.path.join(ctl, "job.marshal"), "rb") as f:
        job = marshal.load(f)  # written by the parent, in this interpreter's own format
    _RESULT = os.path.join(ctl, "result.jsonl")
    if "site" in job:  # a cold start with -S
        _enter_site(job["site"])
    _set_limits(job["limits"])
    if job["boundary"] and not contained:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the boot took our folder off the path
        import boundary  # only now: a run without the boundary does not pay for ctypes
        del sys.path[0]
        try:
            spawned = boundary.contain(job["boundary"], os.path.dirname(ctl), os.getcwd())
        except OSError as exc:  # the probe said yes, the kernel said no: run behind the guardrails only
            _emit({"kind": "boundary", "error": str(exc)})
            spawned = None
        if spawned:
            boundary.relay(*spawned)  # this process waits, then ends as the job did; the job goes on
    if not job["network"]:
        _block_network()
    sys.path.insert(0, os.getcwd())  # like `python script.py`: files= modules are importable
    out_of_memory = False
    try:
        module = _load(job["code"], "__main__" if job["mode"] == "exec" else "candidate")
        if job["mode"] == "call":
            _call(module, job)
        elif job["mode"] == "tests":
            _tests(module, job)
        return 0
    except SystemExit:
        raise
    except MemoryError:
        out_of_memory = True  # report outside the handler, once the traceback's memory is freed
    except BaseException as exc:
        _emit({"kind": "error", "type": type(exc).__name__, "traceback": _format_error(exc)})
        return 1
    if out_of_memory:
        _emit({"kind": "memory"})
        return 1
