"""Checking a candidate library in the sandbox before it replaces ``tools.py``: its tests, and its integrity.

Two runs. The first runs every tool's tests against the candidate source (what the model's fix prompts quote).
The second imports the candidate the way the notebook does (a ``tools.py`` file, imported, then reloaded),
runs the tests against that module, and lets the interpreter exit, so that annotations, class decorators,
module ``__getattr__`` and ``atexit`` hooks all run. It works on a COPY of the library in a folder of its own:
if the copy's bytes (module or registry) differ afterwards, the candidate writes its own library and is refused.
Whatever either run does, the caller compares the REAL files with what they should be (``Guard``).
"""

import hashlib
import shutil
import tempfile
from pathlib import Path

# Runs in the sandbox: import the copy as a file module, reload it like lib.reload(), run the tests on it.
_INTEGRITY = """\
import atexit, importlib, sys
sys.path.insert(0, {folder!r})
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
"""


def digest(*texts: bytes) -> str:
    return hashlib.sha256(b"\0".join(texts)).hexdigest()


def integrity_problem(candidate: str, registry_text: str, module_name: str, tests: list[str], *,
                      timeout: float, warm) -> str | None:
    """None when importing, reloading and testing the candidate (and exiting) leaves a copy of the library
    byte-for-byte as it was; else what changed."""
    from ..sandbox import run_code

    folder = Path(tempfile.mkdtemp(prefix="toolmaker-copy-"))
    try:
        module, registry = folder / f"{module_name}.py", folder / "registry.json"
        module.write_text(candidate, encoding="utf-8")
        registry.write_text(registry_text, encoding="utf-8")
        # the working folder links to the copy too, so a relative open("tools.py", "w") lands on it
        files = {module.name: module, registry.name: registry}
        code = _INTEGRITY.format(folder=str(folder), module=module_name, tests=list(tests))
        run = run_code(code, timeout=timeout, files=files, warm=warm)
        changed = [p.name for p, text in ((module, candidate), (registry, registry_text))
                   if not p.exists() or p.read_bytes() != text.encode("utf-8")]
        if changed:
            return (f"importing or testing it changes {' and '.join(changed)} (checked on a copy): a tool file "
                    "may not write its own library")
        if run.status == "timeout":
            return f"importing it as a file hangs (timed out after {timeout:g} s)"
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
