"""Every notebook's real setup cell, run the way Colab runs it.

A simulated Colab: an interpreter with `google.colab` present that has everything this environment has
except what Colab lacks (groq, python-dotenv) and the workshop itself; a working folder that is not the
repository; and the clone served from a local copy of this checkout (git's `insteadOf`). The cell must
clone, install exactly what is missing, leave the rest alone, finish a half-done setup when re-run, and
say what to do when the clone fails. It needs the package registry (pip), and skips where that is absent.
"""

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))
LACKING = ("groq", "python-dotenv")   # in requirements.txt, not on Colab
SLUG = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]

RUN_CELL = r"""
import sys, types
# What the setup cell and get_llm() look at: the module's presence, and Secrets that hold no key.
colab, userdata = types.ModuleType("google.colab"), types.ModuleType("google.colab.userdata")
class SecretNotFoundError(Exception):
    pass
def get(name):
    raise SecretNotFoundError(name)
userdata.SecretNotFoundError, userdata.get, colab.userdata = SecretNotFoundError, get, userdata
sys.modules.update({"google.colab": colab, "google.colab.userdata": userdata})
from IPython.core.interactiveshell import InteractiveShell
result = InteractiveShell.instance().run_cell(open(sys.argv[1], encoding="utf-8").read())
sys.exit(0 if result.success else 1)
"""


def _top_level_names(dist_name: str) -> set[str]:
    dist = importlib.metadata.distribution(dist_name)
    return {Path(str(f)).parts[0] for f in dist.files or []}


def _registry_reachable(tmp: Path) -> bool:
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(tmp), "groq"],
                              capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """A Colab-like interpreter, a local copy of the repository to clone, and a way to run a cell."""
    tmp = tmp_path_factory.mktemp("colab")
    if not _registry_reachable(tmp / "probe"):
        pytest.skip("the package registry is unreachable: the setup cell cannot install anything here")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to serve as the clone")

    # Colab's preinstalled packages: everything here but what Colab lacks and the workshop's own install.
    site = Path(sysconfig.get_paths()["purelib"])
    left_out = set().union(*map(_top_level_names, LACKING))
    preinstalled = tmp / "preinstalled"
    preinstalled.mkdir()
    for entry in site.iterdir():
        if entry.name in left_out or "editable" in entry.name or entry.name.startswith("self_improving_code"):
            continue
        (preinstalled / entry.name).symlink_to(entry)
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "python")], check=True)
    python = tmp / "python" / "bin" / "python"
    own_site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                            text=True).strip())
    (own_site / "colab_preinstalled.pth").write_text(f"{preinstalled}\n")

    # The clone's source: this checkout's files as they are now, committed in a local repository.
    source = tmp / "source"
    files = subprocess.check_output(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, text=True).split("\n")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=source, check=True)
    subprocess.run([*git, "add", "-A"], cwd=source, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], cwd=source, check=True)
    (tmp / "runner.py").write_text(RUN_CELL)

    env = {k: v for k, v in os.environ.items()
           if not k.endswith(("_API_KEY", "_BASE_URL", "_MODEL")) and not k.startswith(("LLM_", "PYTHON", "VIRTUAL_ENV"))
           and k not in ("CI", "SCIKIT_LEARN_DATA")}
    env.update(MPLBACKEND="Agg", GIT_CONFIG_NOSYSTEM="1")

    def run_cell(notebook: Path, content: Path, served_from: Path = source):
        (tmp / "gitconfig").write_text(f'[url "file://{served_from}"]\n\tinsteadOf = {SLUG}\n')
        cell = next(c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")
        (tmp / "cell.py").write_text(cell.source, encoding="utf-8")
        content.mkdir(exist_ok=True)
        done = subprocess.run([python, tmp / "runner.py", tmp / "cell.py"], cwd=content, capture_output=True,
                              text=True, timeout=600, env={**env, "GIT_CONFIG_GLOBAL": str(tmp / "gitconfig")})
        return done.returncode, done.stdout + done.stderr

    def installed_here() -> set[str]:
        listing = subprocess.check_output([python, "-m", "pip", "list", "--format=json", "--path", str(own_site)],
                                          text=True)
        return {d["name"].lower() for d in json.loads(listing)} - {"pip", "setuptools"}

    return python, tmp, run_cell, installed_here


def test_the_setup_cell_clones_installs_what_colab_lacks_and_finishes_a_half_done_setup(colab):
    python, tmp, run_cell, installed_here = colab
    check_lacking = [python, "-c", "import groq, dotenv"]
    assert subprocess.run(check_lacking, capture_output=True).returncode != 0, "the simulated Colab must lack them"
    content = tmp / "content"
    (content / "workshop").mkdir(parents=True)
    (content / "workshop" / "README.md").write_text("an interrupted clone")   # a half-done setup

    code, out = run_cell(NOTEBOOKS[0], content)
    assert code == 0, out
    assert "Installing what this Python lacks: groq, python-dotenv" in out and "Installed groq" in out, out
    assert f"LLM: replay of recordings/{NOTEBOOKS[0].stem}" in out, out
    assert subprocess.run(check_lacking, capture_output=True).returncode == 0, "groq and dotenv really installed"
    assert installed_here() == set(LACKING), "it installs only what is missing (Colab's ipywidgets stays)"

    for notebook in NOTEBOOKS[1:]:   # every other notebook's cell, in the same runtime: nothing left to do
        code, out = run_cell(notebook, content)
        assert code == 0, (notebook.name, out)
        assert f"LLM: replay of recordings/{notebook.stem}" in out, (notebook.name, out)
        assert "Installing" not in out and "Traceback" not in out, (notebook.name, out)


def test_a_failed_clone_says_what_to_do_and_rerunning_recovers(colab):
    python, tmp, run_cell, installed_here = colab
    content = tmp / "offline-content"
    code, out = run_cell(NOTEBOOKS[0], content, served_from=tmp / "nowhere")
    assert code != 0
    assert "Could not fetch the workshop: check the network, then run this cell again." in out, out
    code, out = run_cell(NOTEBOOKS[0], content)               # the network is back: run the cell again
    assert code == 0 and f"LLM: replay of recordings/{NOTEBOOKS[0].stem}" in out, out
