"""The instructor's deck: every notebook becomes a reveal.js slide show, with its replayed outputs on it.

    python tools/slides.py                   # every notebook in notebooks/ -> build/slides/<name>.slides.html
    python tools/slides.py notebooks/03_toolmaker.ipynb
    python tools/slides.py --tag             # give cells without slide metadata a default, then stop

The slides come from the notebooks' own cell metadata (``cell.metadata.slideshow.slide_type``), the standard
that ``jupyter nbconvert --to slides`` and RISE (``pip install jupyterlab-rise``) both read:

    slide     a new slide: every ``## `` section starts one (and the title)
    subslide  a new slide below it: ``### `` headings, each further idea, a code cell that would not fit
    fragment  appears on the same slide at the next key press
    -         continues the slide above (a short code cell under its sentence)
    skip      not on the slides: the setup cell, ``# extra:`` cells, widgets, code over 15 lines

The speaker notes (press S in the deck) are not in the notebooks, which participants read: they are written by
hand in ``docs/notes/<notebook>.md``, one ``## `` block per section of the notebook, and put into the deck's copy
of the notebook as it is built. A section without notes, or notes for a section the notebook no longer has, is
named when the deck is built (and fails tests/test_slides.py).

Building executes a copy of each notebook under replay (``LLM_PROVIDER=replay``, no key, no network), so
plots and tables are on the slides, then runs ``jupyter nbconvert --to slides`` on it. build/ is git-ignored;
the notebooks in notebooks/ stay without outputs.
"""

import argparse
import copy
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "slides"
MAX_CODE_LINES = 15          # a longer code cell cannot be read from the back of a room
SHORT_LEAD_WORDS = 60        # a code cell joins its sentence's slide only when the sentence is short
NOTES = ROOT / "docs" / "notes"   # one file of instructor's notes per notebook, never shown to participants
OPENING = "opening"               # the notes block for the title slide, before the first section
KEYS = ("OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GROQ_API_KEY", "LLM_MODEL", "LLM_RECORD")
INLINE = "module://matplotlib_inline.backend_inline"   # Jupyter's own backend: Agg (as CI sets) shows no plots
WIDGETS = re.compile(r"\b(ipywidgets|interact)\b")


def slide_type(cell) -> str | None:
    return cell.metadata.get("slideshow", {}).get("slide_type")


def _set(cell, kind: str) -> None:
    cell.metadata["slideshow"] = {"slide_type": kind}


def default_type(cell, *, first_code: bool, lead_words: int) -> str:
    """The slide type a cell gets when it has none; ``lead_words``: words on the slide it would join."""
    text = cell.source.strip()
    if cell.cell_type == "markdown":
        if not text:
            return "skip"
        if re.match(r"#{1,2} ", text):
            return "slide"
        return "subslide"   # one idea per cell, so one idea per slide (### headings included)
    if first_code or text.startswith("# extra:") or WIDGETS.search(text) or len(text.splitlines()) > MAX_CODE_LINES:
        return "skip"       # the setup, optional depth, widgets (they need a live kernel), long code
    return "-" if 0 < lead_words <= SHORT_LEAD_WORDS else "subslide"


def sections(nb) -> list[list[int]]:
    """The cell indices of each ``## `` section, heading first (until the next ``#`` or ``##`` heading)."""
    out: list[list[int]] = []
    current = None
    for i, cell in enumerate(nb.cells):
        heading = re.match(r"(#{1,2}) ", cell.source) if cell.cell_type == "markdown" else None
        if heading:
            current = [i] if heading.group(1) == "##" else None   # the title's cells belong to no section
            if current:
                out.append(current)
        elif current is not None:
            current.append(i)
    return out


def section_key(heading: str) -> str:
    """A section's name as notes refer to it: no markdown, no planned minutes ("(5 min)"), any case.

    The minutes in a heading change when a section is re-timed; the notes keep pointing at the section."""
    plain = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lstrip("#").strip())
    plain = re.sub(r"\s*\([^)]*\bmin\b[^)]*\)\s*$", "", plain)
    return " ".join(plain.split()).casefold()


def section_headings(nb) -> list[str]:
    return [nb.cells[s[0]].source.strip().splitlines()[0].lstrip("# ") for s in sections(nb)]


def notes_path(notebook: Path) -> Path:
    return NOTES / f"{Path(notebook).stem}.md"


def read_notes(path: Path) -> dict[str, str]:
    """The notes file as {section key: its notes in markdown}; the text above the first ``## `` is for the
    reader of the file, not the deck. ``## Opening`` holds the notes of the title slide."""
    notes: dict[str, str] = {}
    key = None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            key = section_key(line)
            notes[key] = ""
        elif key is not None:
            notes[key] += line + "\n"
    return {k: v.strip() for k, v in notes.items()}


def missing_notes(nb, notes: dict[str, str]) -> tuple[list[str], list[str]]:
    """(sections without notes, notes that match no section): what a build or a test names."""
    keys = [section_key(h) for h in section_headings(nb)]
    return ([h for h, k in zip(section_headings(nb), keys, strict=True) if not notes.get(k)],
            sorted(set(notes) - set(keys) - {OPENING}))


def with_notes(nb, notes: dict[str, str]):
    """A copy of the notebook with each section's notes as a ``notes`` cell right after its heading (the deck
    shows them in the speaker view); the notebook itself is not changed."""
    out = copy.deepcopy(nb)
    places = [(s[0], section_key(nb.cells[s[0]].source.strip().splitlines()[0])) for s in sections(nb)]
    title = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("# ")), None)
    if title is not None:
        places.append((title, OPENING))
    for index, key in sorted(places, reverse=True):    # from the end, so earlier indices stay right
        if notes.get(key):
            cell = nbformat.v4.new_markdown_cell(notes[key])
            _set(cell, "notes")
            out.cells.insert(index + 1, cell)
    return out


def tag(nb) -> int:
    """Give every cell without slide metadata a default; returns how many cells changed.

    Cells that already carry a slide type keep it: an instructor's choice is never overwritten.
    """
    changed = 0
    first_code, lead_words = True, 0
    for cell in nb.cells:
        kind = slide_type(cell)
        if kind is None:
            kind = default_type(cell, first_code=cell.cell_type == "code" and first_code, lead_words=lead_words)
            _set(cell, kind)
            changed += 1
        first_code &= cell.cell_type != "code"
        if kind in ("slide", "subslide"):
            lead_words = len(cell.source.split()) if cell.cell_type == "markdown" else -1
        elif kind in ("-", "fragment") and cell.cell_type == "code":
            lead_words = -1    # one code cell per slide: its output needs the room
    return changed


def replay_env(workdir: Path) -> dict:
    """The environment of a replay run as CI makes it (no key, no network), with Jupyter's plot backend."""
    env = {k: v for k, v in os.environ.items() if k not in KEYS}
    shared = ROOT.parent / "shared" / "data" / "sklearn"     # 20 Newsgroups without a network, where CI has it
    if shared.exists():
        env.setdefault("SCIKIT_LEARN_DATA", str(shared))
    return env | dict(LLM_PROVIDER="replay", CI="true", MPLBACKEND=INLINE, WORKSHOP_WORKDIR=str(workdir))


def execute(path: Path, workdir: Path):
    """Run the notebook top to bottom under replay, headless, from notebooks/; return it with its outputs."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute(env=replay_env(workdir))
    return nb


def convert(nb, name: str, out: Path = OUT) -> Path:
    """``jupyter nbconvert --to slides`` on an executed notebook; returns the deck's path."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{name}.ipynb"
        nbformat.write(nb, source)
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "slides", str(source),
                        "--output-dir", str(out), "--log-level=ERROR",
                        "--SlidesExporter.reveal_scroll=True",       # long outputs scroll instead of spilling
                        "--SlidesExporter.reveal_number=c/t"], check=True)
    return out / f"{name}.slides.html"


def deck(nb, notebook: Path, out: Path = OUT) -> Path:
    """The deck of an executed notebook, with the instructor's notes from docs/notes/ as speaker notes."""
    path = notes_path(notebook)
    notes = read_notes(path) if path.exists() else {}
    lacking, stale = missing_notes(nb, notes)
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    for heading in lacking:
        print(f"{Path(notebook).name}: no speaker notes for the section {heading!r}: add a '## ' block to {where}")
    for key in stale:
        print(f"{Path(notebook).name}: {where} has notes for {key!r}, which is no section of the notebook")
    return convert(with_notes(nb, notes), Path(notebook).stem, out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    parser.add_argument("--tag", action="store_true", help="add default slide metadata, then stop")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        if args.tag:
            nb = nbformat.read(path, as_version=4)           # read, change, write at once: others edit too
            changed = tag(nb)
            if changed:
                nbformat.write(nb, path)
            print(f"{path.name}: {changed} cells tagged")
            continue
        with tempfile.TemporaryDirectory() as workdir:
            built = deck(execute(path.resolve(), Path(workdir)), path, args.out)
        print(f"{path.name} -> {built.relative_to(ROOT) if built.is_relative_to(ROOT) else built}")


if __name__ == "__main__":
    main()
