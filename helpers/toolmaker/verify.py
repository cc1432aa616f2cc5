"""Checking a candidate library in the sandbox before it replaces ``tools.py``: its tests, and its integrity.

Two runs. The first runs every tool's tests against the candidate source (what the model's fix prompts quote).
The second imports the candidate the way the notebook does (a ``tools.py`` file, imported, then reloaded),
runs the tests against that module, and lets the interpreter exit, so that annotations, class decorators,
module ``__getattr__`` and ``atexit`` hooks all run. It works on a COPY of the library in the run's own working
folder (the one place a sandboxed run may write, with or without the namespace boundary), and ends by reporting
the copy's digests: if they differ from what was written, or the run does not finish, the candidate is refused.
(Code that rewrites ``hashlib`` or ``print`` inside that same process could forge the digests: the same limit as
for forged test results, noted in ``library.py``.)
Whatever either run does, the caller runs both through ``ToolLibrary.guarded_run``, which puts the REAL files
back as they were and moves aside what a run planted in the library's folder.
"""

import hashlib

# Runs in the sandbox: import the copy as a file module, reload it like lib.reload(), run the tests on it.
_INTEGRITY = """\
import atexit, hashlib, importlib, os, sys
sys.path.insert(0, os.getcwd())
module = importlib.import_module({module!r})
module = importlib.reload(module)
for source in {tests!r}:
    namespace = dict(vars(module))
    try:
        exec(compile(source, "<tests>", "exec"), namespace)
        for key in [k for k in namespace if k.startswith("test")]:
            try:
                namespace[key]()
            except Exception:
                pass   # the first run already said which tests fail: here only the files matter
    except Exception:
        pass
atexit._run_exitfuncs()   # now, not at exit: a warm sandbox child leaves with os._exit, which skips them
texts = [open(name, "rb").read() if os.path.exists(name) else b"" for name in ({module!r} + ".py", "registry.json")]
print("INTEGRITY", *(hashlib.sha256(t).hexdigest() for t in texts))
"""


def integrity_problem(candidate: str, registry_text: str, module_name: str, tests: list[str], *,
                      timeout: float, warm) -> str | None:
    """None when importing, reloading and testing the candidate (and exiting) leaves a copy of the library
    byte-for-byte as it was; else what changed."""
    from ..sandbox import outcome, run_code

    files = {f"{module_name}.py": candidate, "registry.json": registry_text}   # written into the run's folder
    code = _INTEGRITY.format(module=module_name, tests=list(tests))
    run = run_code(code, timeout=timeout, files=files, warm=warm)
    if run.status == "timeout":
        return f"importing it as a file hangs: the run {outcome('timeout', timeout=timeout)}"
    said = [line.split()[1:] for line in run.stdout.splitlines() if line.startswith("INTEGRITY ")]
    if not run.ok or not said:
        return "importing it as a file, testing it and exiting did not finish cleanly:\n" + run.feedback()
    expected = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in (candidate, registry_text)]
    changed = [name for name, got, want in zip(files, said[-1], expected, strict=False) if got != want]
    if changed:
        return (f"importing or testing it changes {' and '.join(changed)} (checked on a copy): a tool file "
                "may not write its own library")
    return None
