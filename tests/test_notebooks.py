"""Every notebook and every solution runs top to bottom under replay, headless, with no network,
and keeps the shape promised in docs/contract.md (the notebook contract)."""

import ast
import importlib
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from nbclient import NotebookClient

import helpers

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
WIDGETS = re.compile(r"\b(interact|interactive|IntSlider|FloatSlider|Dropdown|Button|Text|Textarea|Output|HBox|VBox)\b")


def lesson_packages() -> set[str]:
    """The packages a notebook may import from besides ``helpers``, found in helpers/ by docs/contract.md's
    rule: a package (a folder with an ``__init__.py``, at any depth) whose own ``__all__`` names an exercise
    check (``check_...``). The infrastructure (``helpers.llm``, ``helpers.sandbox``) has no exercises."""
    found = set()
    for init in sorted((ROOT / "helpers").rglob("__init__.py")):
        name = ".".join(init.parent.relative_to(ROOT).parts)
        public = vars(importlib.import_module(name)).get("__all__", [])
        if name != "helpers" and any(n.startswith("check_") for n in public):
            found.add(name)
    return found


LESSON_PACKAGES = lesson_packages()
KEY_SHAPES = re.compile(r"(sk-[A-Za-z0-9_-]{16,}|gsk_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{20,})")
REPLAYED = {}   # lesson -> its executed notebook: tests/test_slides.py builds the decks from it, not a second run


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def run(path: Path, tmp_path: Path, monkeypatch):
    for var in ("OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GROQ_API_KEY", "LLM_MODEL", "LLM_RECORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LLM_PROVIDER", "replay")
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # Jupyter's: plots are outputs
    monkeypatch.setenv("WORKSHOP_WORKDIR", str(tmp_path / "workspace"))  # the toolmaker's library goes here
    monkeypatch.setenv("LLM_REPLAY_MISSES", str(tmp_path / "misses.jsonl"))   # what drifted, if anything
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def first_miss(tmp_path: Path) -> str:
    """The diff of the first replay miss of a run against the recorded request that answered it."""
    log = tmp_path / "misses.jsonl"
    if not log.exists():
        return "(none logged)"
    return "\n".join(json.loads(log.read_text().splitlines()[0])["diff"].splitlines()[:40])


def outputs_text(nb) -> str:
    parts = []
    for cell in code_cells(nb):
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") if out.get("output_type") == "stream"
                         else json.dumps(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: p.name)
def test_runs_to_the_end_under_replay(path, tmp_path, monkeypatch):
    nb = run(path, tmp_path, monkeypatch)
    REPLAYED[path] = nb
    text = outputs_text(nb)
    assert "LLM: replay of recordings/" in text, "the setup cell must announce the replayed recording"
    errors = [o for c in code_cells(nb) for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    assert "LLM calls" in text, "the ledger (llm.usage) must close the notebook"
    misses = re.findall(r"(\d+) replay misses", text)
    assert misses, "the ledger must count replay misses"
    # Without 20 Newsgroups (a fresh clone offline) 02 evolves on a made-up corpus and says so: its newsgroups
    # prompts then differ from the recorded run by design, so only the real corpus must replay exactly.
    if "No 20 Newsgroups here" not in text:
        assert misses[-1] == "0", ("the prompts no longer match the recording (a prompt was edited, or a score "
                                   f"changed between runs); the first miss:\n{first_miss(tmp_path)}")
    assert not KEY_SHAPES.search(text)


@pytest.mark.parametrize("path", [ROOT / "notebooks" / "03_toolmaker.ipynb",
                                  ROOT / "solutions" / "03_toolmaker_solutions.ipynb"], ids=lambda p: p.name)
def test_a_second_run_in_the_same_checkout_shows_the_same_lesson(path, tmp_path, monkeypatch):
    """Notebook 03 keeps state (its tool library): a re-run starts fresh and replays exactly as the first."""
    first, second = (outputs_text(run(path, tmp_path, monkeypatch)) for _ in range(2))
    for text in (first, second):
        assert re.findall(r"(\d+) replay misses", text)[-1] == "0"
    assert "previous one is in" in second and "previous one is in" not in first
    assert list((tmp_path / "workspace" / "archive").glob("*/tools.py")), "the first run's library is kept"


def test_without_20_newsgroups_notebook_02_says_so_once_and_runs_to_the_end(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "no-data"))   # no cached copy; offline, no download
    nb = run(ROOT / "notebooks" / "02_evolution.ipynb", tmp_path, monkeypatch)
    if "NOT 20 Newsgroups" not in outputs_text(nb):
        pytest.skip("this machine could download 20 Newsgroups, so the fallback did not happen")
    outputs = [o for c in code_cells(nb) for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    said = [line for line in outputs_text(nb).splitlines() if "No 20 Newsgroups here" in line]
    assert len(said) == 1 and "SCIKIT_LEARN_DATA" in said[0], said
    assert not [o for o in outputs if o.get("name") == "stderr" and "Warning" in o.get("text", "")], "no red boxes"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: p.name)
def test_keeps_the_contract(path):
    nb = nbformat.read(path, as_version=4)
    cells = code_cells(nb)
    setup = cells[0].source.strip().splitlines()
    assert len(setup) <= 12, "the setup cell is at most about 10 lines"
    assert "get_llm(" in setup[-1], "the setup cell ends with llm = get_llm(...)"
    assert re.search(r'recording="([^"]+)"', setup[-1]).group(1) == path.stem
    assert (ROOT / "recordings" / f"{path.stem}.jsonl").exists(), "each notebook ships its real recording"
    for cell in cells:
        assert "import *" not in cell.source
    # public names only: from helpers (its __all__) or from one lesson's package (that package's __all__)
    lessons = set()
    for cell in cells:
        tree = ast.parse(TransformerManager().transform_cell(cell.source))  # IPython's ! and % become calls
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "helpers":
                assert node.module in LESSON_PACKAGES | {"helpers"}, f"import from helpers or a lesson: {node.module}"
                public = set(importlib.import_module(node.module).__all__) | set(helpers.__all__)
                names = {a.name for a in node.names}
                assert names <= public, f"not public in {node.module}: {names - public}"
                lessons |= {node.module} - {"helpers"}
    assert len(lessons) <= 1, f"a notebook imports one lesson's names: {lessons}"
    if path in LESSONS:
        assert any(WIDGETS.search(c.source) for c in cells), "at least one widget per notebook"
        assert any("check_" in c.source for c in cells), "exercises end with a check_...() call"
        assert "llm.usage" in cells[-1].source or "llm.usage" in cells[-2].source
        first_md = next(c for c in nb.cells if c.cell_type == "markdown")
        assert len(first_md.source) > 200


def test_lesson_packages_are_found_by_the_contracts_rule():
    """The rule finds no infrastructure, and every package it finds is a lesson some notebook imports from."""
    assert LESSON_PACKAGES and not LESSON_PACKAGES & {"helpers", "helpers.llm", "helpers.sandbox"}
    setups = " ".join(code_cells(nbformat.read(p, as_version=4))[0].source for p in LESSONS)
    for package in LESSON_PACKAGES:
        assert f"from {package} import" in setups, f"{package} exports checks, but no notebook's setup imports it"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_are_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code_cells(nb))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_are_committed_with_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert any(c.get("outputs") for c in code_cells(nb))


def test_every_lesson_has_its_solutions():
    assert [p.stem for p in LESSONS] == [p.stem.removesuffix("_solutions") for p in SOLUTIONS]


def test_recordings_name_their_model_and_hold_no_keys():
    for path in (ROOT / "recordings").glob("*.jsonl"):
        text = path.read_text(encoding="utf-8")
        header = json.loads(text.splitlines()[0])
        assert header["type"] == "header" and header["model"] and header["date"], path
        assert not KEY_SHAPES.search(text), path
        assert os.environ.get("OPENAI_API_KEY", "\0") not in text
