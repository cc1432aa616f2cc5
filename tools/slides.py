"""The instructor's deck: every notebook becomes a reveal.js slide show, with its replayed outputs on it.

    python tools/slides.py                   # every notebook in notebooks/ -> build/slides/<name>.slides.html
    python tools/slides.py notebooks/03_toolmaker.ipynb
    python tools/slides.py --tag             # give cells without slide metadata a default, add speaker notes

The slides come from the notebooks' own cell metadata (``cell.metadata.slideshow.slide_type``), the standard
that ``jupyter nbconvert --to slides`` and RISE (``pip install jupyterlab-rise``) both read:

    slide     a new slide: every ``## `` section starts one (and the title)
    subslide  a new slide below it: ``### `` headings, each further idea, a code cell that would not fit
    fragment  appears on the same slide at the next key press
    -         continues the slide above (a short code cell under its sentence)
    skip      not on the slides: the setup cell, ``# extra:`` cells, widgets, code over 15 lines
    notes     the instructor's speaker notes (press S in the deck); one short cell per section

Building executes a copy of each notebook under replay (``LLM_PROVIDER=replay``, no key, no network), so
plots and tables are on the slides, then runs ``jupyter nbconvert --to slides`` on it. build/ is git-ignored;
the notebooks in notebooks/ stay without outputs.
"""

import argparse
import builtins
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
NOTES_TITLE = "**Instructor's notes**"
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
        if text.startswith(NOTES_TITLE):
            return "notes"
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


def _table_rows(block: str) -> list[str]:
    """A markdown table as sentences, one per row: "Speedy: evolved - original +0.28, control - original +0.05"."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in block.splitlines()]
    rows = [r for r in rows if not all(set(cell) <= set("-: ") for cell in r)]      # drop the --- line
    head, body = rows[0], rows[1:]
    return [f"{r[0]}: " + ", ".join(f"{h} {v}".strip() for h, v in zip(head[1:], r[1:], strict=False)) for r in body]


def _sentences(markdown: str) -> list[str]:
    """The prose of a markdown cell, one sentence each (a table: one per row); no headings, list markers or
    link targets, and no sentence that only introduces what follows (ending in a colon)."""
    out = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+\.) )", markdown):
        block = block.strip()
        if block.startswith("|"):
            out += _table_rows(block)
            continue
        if not block or block.startswith(("#", "```")):
            continue
        block = re.sub(r"^(?:[-*]|\d+\.)\s+", "", block)
        block = " ".join(re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", block).split())
        out += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*`(])", block) if len(s.split()) >= 4 and s[-1] != ":"]
    return out


def notes_for(nb, section: list[int]) -> str:
    """Speaker notes drawn from the section itself: its point, its measured figure, the code it shows."""
    heading = nb.cells[section[0]].source.strip().splitlines()[0].lstrip("# ")
    markdown = [nb.cells[i].source for i in section if nb.cells[i].cell_type == "markdown"]
    code = [nb.cells[i].source for i in section if nb.cells[i].cell_type == "code"
            and slide_type(nb.cells[i]) != "skip"]
    said = [s for text in markdown for s in _sentences(text)]
    lines = [f"{NOTES_TITLE} · {heading}"]     # the heading carries the section's live minutes
    point = next((s for s in said if len(s.split()) <= 45), None)
    if point:
        lines.append(f"- Say: {point}")
    figures = [s for s in said if s != point and len(s.split()) <= 60
               and re.search(r"recorded run|\d+ of \d+|\d\.\d\d", s)]
    lines += [f"- Point at: {figure}" for figure in figures[:2]]
    calls = sorted({m for src in code for m in re.findall(r"(?<![.\w])([a-z_]\w+)\(", src)} - set(dir(builtins)))
    if code:
        model = sum(bool(re.search(r"\bllm\b(?!\.usage)", src)) for src in code)
        lines.append(f"- On the slides: {len(code)} code cell{'s' * (len(code) > 1)}"
                     + (f", {model} of them with the model" if model else "")
                     + (f" ({', '.join(f'`{c}`' for c in calls[:5])})" if calls else ""))
    return "\n".join(lines)


def tag(nb) -> int:
    """Give every cell without slide metadata a default, and each section speaker notes if it has none.

    Cells that already carry a slide type keep it: an instructor's choice is never overwritten.
    Returns how many cells changed or were added.
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
    for section in reversed(sections(nb)):
        if not any(slide_type(nb.cells[i]) == "notes" or nb.cells[i].source.startswith(NOTES_TITLE)
                   for i in section):
            notes = nbformat.v4.new_markdown_cell(notes_for(nb, section))
            _set(notes, "notes")
            nb.cells.insert(section[0] + 1, notes)
            changed += 1
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    parser.add_argument("--tag", action="store_true", help="add default slide metadata and speaker notes, then stop")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        if args.tag:
            nb = nbformat.read(path, as_version=4)           # read, change, write at once: others edit too
            changed = tag(nb)
            if changed:
                nbformat.write(nb, path)
            print(f"{path.name}: {changed} cells tagged or added")
            continue
        with tempfile.TemporaryDirectory() as workdir:
            deck = convert(execute(path.resolve(), Path(workdir)), path.stem, args.out)
        print(f"{path.name} -> {deck.relative_to(ROOT) if deck.is_relative_to(ROOT) else deck}")


if __name__ == "__main__":
    main()
