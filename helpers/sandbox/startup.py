"""How a cold child starts fast: `python -I -S` (here `-s -P -S`, plumbing.ISOLATED) skips the `site` module, whose .pth files can cost more
than the rest of a start (an editable install's finder alone imports pathlib, re and urllib: ~13 ms of
a 22 ms `python -I -c pass` here). The child then sets itself up as `python -I` would have: the same
sys.path, prefixes and builtins (exit, quit, help), sitecustomize if there is one, and the .pth files'
import lines the first time an import would fail without them (child.py). What `python -I` would
have is asked once per process, from one `python -I`; if that fails, cold children keep their site."""

import json
import subprocess
import sys
import threading

_ASK = """
import json, os, site, sys
pth_imports = []
for folder in site.getsitepackages():
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".pth"))
    except OSError:
        continue
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
            if any(line.startswith(("import ", "import\\t")) for line in f):
                pth_imports.append(folder)
                break
print(json.dumps({"path": [p for p in sys.path if os.path.exists(p)], "prefix": sys.prefix,
                  "exec_prefix": sys.exec_prefix, "sitecustomize": "sitecustomize" in sys.modules,
                  "pth_imports": pth_imports}))
"""
_lock = threading.Lock()
_state = []  # [the answer] once asked; the answer is None where asking failed


def site_state():
    """What `python -I` sets up that a `-S` start does not (see the module docstring), or None."""
    with _lock:
        if not _state:
            try:
                done = subprocess.run([sys.executable, "-I", "-c", _ASK], capture_output=True, text=True,
                                      timeout=60, cwd="/" if sys.platform != "win32" else None)
                _state.append(json.loads(done.stdout.strip().splitlines()[-1]))
            except (OSError, ValueError, IndexError, subprocess.SubprocessError):
                _state.append(None)
        return _state[0]
