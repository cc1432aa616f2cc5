"""The notebooks' setup step, run by their first cell with ``%run``: make ``helpers`` importable and,
on Colab, install what Colab lacks. Safe to run again: it only installs what is still missing.

Why a file and not cell code: the cell must stay short, and a failed install must say what to do in one
line (a Colab cell does not show what ``os.system`` prints, and ``pip -q`` hides the rest). It uses the
standard library only, because it runs before anything is installed.
"""

import importlib
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IN_COLAB = "google.colab" in sys.modules


def requirements() -> list[str]:
    """The workshop's runtime dependencies, from pyproject.toml (one list, read by pip and by us)."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def missing(reqs: list[str]) -> list[str]:
    """The requirements that are absent or older than their ``>=`` bound (the only form pyproject uses).

    A package that is present and new enough is left alone: Colab's ipywidgets 7.7.1 must stay as it is.
    """
    out = []
    for req in reqs:
        name, _, bound = (part.strip() for part in req.partition(">="))
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out.append(req)
            continue
        if bound and _version(have) < _version(bound):
            out.append(req)
    return out


def install(reqs: list[str]) -> bool:
    names = ", ".join(r.partition(">=")[0] for r in reqs)
    print(f"Installing what this Python lacks: {names} …", flush=True)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", *reqs], capture_output=True, text=True)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        print(f"Could not install {names}: {last}\n"
              "Check the network (Colab: Runtime > Restart session), then run this cell again.")
        return False
    importlib.invalidate_caches()  # so this running kernel finds what pip just added
    print(f"Installed {names}.")
    return True


def setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    lacking = missing(requirements())
    if not lacking:
        return
    if IN_COLAB:
        install(lacking)
    else:  # at home we never install into your environment behind your back
        names = " ".join(r.partition(">=")[0] for r in lacking)
        print(f"This Python lacks {names}: run `pip install -r requirements.txt` in {ROOT}, "
              "then restart the kernel.")


setup()
