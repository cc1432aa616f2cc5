"""Every notebook builds an instructor's deck (tools/slides.py) that a room can read: a slide per section,
short code, no empty slide, the replayed run's plots on it, and speaker notes for every section that come from
docs/notes/ (written for the instructor, never copied from the notebook) and never appear in a notebook."""

import copy
import importlib.util
import re
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
# a duration with its unit: "41 s", "5.6 min", "237 s" (the notes' figures are measured and say on what)
DURATION = r"\d+(?:\.\d+)?\s?(?:s|min|minutes|seconds)\b"
_spec = importlib.util.spec_from_file_location("slides", ROOT / "tools" / "slides.py")
slides = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slides)


class Deck(HTMLParser):
    """The slides of a reveal.js deck: for each slide (a sub-slide counts as one) its text, speaker notes,
    images, code cells and headings, and which top-level slide it belongs to."""

    TRACKED = ("section", "aside", "div", "pre", "h2", "script", "style")

    def __init__(self, html: str):
        super().__init__()
        self.slides, self.stack, self.top = [], [], -1
        self.feed(html[html.index('<div class="slides">'):])

    def handle_starttag(self, tag, attrs):
        if tag == "section" and "section" not in self.stack:
            self.top += 1
        elif tag == "section":
            self.slides.append(dict(top=self.top, text="", notes="", images=0, code=[], headings=[]))
        elif tag == "img" and self.slides:
            self.slides[-1]["images"] += 1
        elif tag == "h2" and self.slides:
            self.slides[-1]["headings"].append("")
        elif tag == "pre" and "editor" in self.stack:
            self.slides[-1]["code"].append("")
        if tag in self.TRACKED:
            editor = tag == "div" and "jp-InputArea-editor" in (dict(attrs).get("class") or "")
            self.stack.append("editor" if editor else tag)

    def handle_endtag(self, tag):
        if tag in self.TRACKED:
            while self.stack and self.stack.pop() not in (tag, "editor" if tag == "div" else tag):
                pass

    def handle_data(self, data):
        if self.stack.count("section") < 2 or "script" in self.stack or "style" in self.stack:
            return                         # outside a slide, or code the browser runs rather than shows
        slide = self.slides[-1]
        key = "notes" if "aside" in self.stack else "text"
        slide[key] += data
        if "h2" in self.stack:
            slide["headings"][-1] += data
        if "pre" in self.stack and "editor" in self.stack:
            slide["code"][-1] += data


def test_the_deck_reader_reads_a_small_deck():
    deck = Deck('<div class="slides"><section><section><h2>A</h2><aside>say</aside>'
                '<div class="jp-InputArea-editor"><pre>x = 1\ny = 2</pre></div></section></section></div>')
    assert deck.slides == [dict(top=0, text="Ax = 1\ny = 2", notes="say", images=0, code=["x = 1\ny = 2"],
                                headings=["A"])]


def _replayed(path: Path, tmp_path: Path):
    """The lesson executed under replay: the run tests/test_notebooks.py made in this session, else a new one."""
    done = getattr(sys.modules.get("test_notebooks"), "REPLAYED", {}).get(path)
    return copy.deepcopy(done) if done is not None else slides.execute(path, tmp_path / "workspace")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_notebook_builds_a_deck_a_room_can_read(path, tmp_path):
    nb = _replayed(path, tmp_path)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    deck = Deck(slides.deck(nb, path, tmp_path / "slides").read_text(encoding="utf-8"))
    leaves = deck.slides
    assert len(leaves) >= 12, f"{len(leaves)} slides: run python tools/slides.py --tag, or split a section"
    for i, slide in enumerate(leaves):
        assert slide["text"].strip() or slide["images"], f"slide {i + 1} is empty"
        for code in slide["code"]:
            lines = unescape(code).strip("\n").splitlines()
            assert len(lines) <= slides.MAX_CODE_LINES, f"slide {i + 1} shows {len(lines)} lines of code"
    headings = []
    for cell in (c for c in nb.cells if c.cell_type == "markdown"):
        for found in re.finditer(r"^## (.+)$", cell.source, re.M):
            assert found.start() == 0, f"split the cell at its heading {found.group(1)!r}: a section starts a slide"
            headings.append(found.group(1).strip())
    tops = {}
    for heading in headings:
        where = [s["top"] for s in leaves if any(_same(heading, h) for h in s["headings"])]
        assert where, f"no slide for the section {heading!r}"
        tops[heading] = where[0]
    assert len(set(tops.values())) == len(headings), "each section starts its own slide"
    notes = slides.read_notes(slides.notes_path(path))
    for heading, top in tops.items():
        said = _plain(" ".join(s["notes"] for s in leaves if s["top"] == top))
        first = _plain(notes[slides.section_key(heading)].splitlines()[0])
        assert first in said, f"the speaker notes of {heading!r} are not the ones in {slides.notes_path(path).name}"
    assert sum(s["images"] for s in leaves) >= 1, "the replayed run's plots are on the slides"


def _plain(text: str) -> str:
    """Markdown or rendered HTML text as words alone: no emphasis, code marks or link targets, any case."""
    text = re.sub(r"[`*_¶]|\[([^\]]*)\]\([^)]*\)", r"\1", unescape(text))
    return " ".join(text.split()).casefold()


def _same(markdown_heading: str, rendered: str) -> bool:
    return _plain(markdown_heading) == _plain(rendered)


def _cell(kind, source, slide_type=None):
    cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
    if slide_type:
        cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


def test_tag_gives_defaults_keeps_choices_and_adds_notes_once():
    nb = nbformat.v4.new_notebook(cells=[
        _cell("md", "# Title\n\nWhat you will learn."),
        _cell("code", "import os\nllm = get_llm()"),
        _cell("md", "## 1 · The loop (5 min)\n\nThe loop repairs code. In the recorded run 9 of 21 runs passed."),
        _cell("code", "run = repair(code, tests, llm=llm)"),
        _cell("code", "plot_repairs(run)"),
        _cell("code", "# extra: the details\nshow(run)"),
        _cell("code", "\n".join(f"x{i} = {i}" for i in range(16))),
        _cell("code", "from ipywidgets import interact"),
        _cell("md", "### A detail"),
        _cell("md", "A thought of its own.", slide_type="fragment"),
    ])
    assert slides.tag(nb) == 9       # every cell but the one with a type; no cell added
    kinds = [slides.slide_type(c) for c in nb.cells]
    assert kinds == ["slide", "skip", "slide", "-", "subslide", "skip", "skip", "skip", "subslide", "fragment"]
    assert slides.tag(nb) == 0, "tagging again changes nothing"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_cell_of_a_lesson_carries_slide_metadata(path):
    nb = nbformat.read(path, as_version=4)
    assert slides.tag(nb) == 0, f"cells without slide metadata: python tools/slides.py --tag {path.relative_to(ROOT)}"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: p.name)
def test_no_notebook_holds_notes_for_the_instructor(path):
    """Participants read the notebooks in Colab, JupyterLab and on GitHub, where a notes cell is an ordinary one."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        assert slides.slide_type(cell) != "notes", f"cell {i} is speaker notes: move it to docs/notes/"
        if cell.cell_type == "markdown":
            assert not re.search(r"instructor'?s notes|speaker notes", cell.source[:200], re.I), \
                f"cell {i} is written for the instructor: move it to {slides.notes_path(path).relative_to(ROOT)}"


def _sentences(notes: str) -> list[str]:
    """The notes' sentences: each paragraph or list item joined across its lines, without its bold label
    ("**Time.**"), split at sentence ends and semicolons."""
    out = []
    for paragraph in re.split(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+\.)\s)", notes):
        text = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", " ".join(paragraph.split()))
        text = re.sub(r"^\*\*[^*]{1,30}\*\*\s*", "", text)
        out += [s.strip(" .;:") for s in re.split(r"(?<=[.!?;])\s+", text) if s.strip(" .;:")]
    return out


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_section_has_notes_of_its_own_with_a_measured_time(path):
    file = slides.notes_path(path)
    assert file.exists(), f"write {file.relative_to(ROOT)}: a '## ' block of speaker notes per section"
    nb = nbformat.read(path, as_version=4)
    notes = slides.read_notes(file)
    lacking, stale = slides.missing_notes(nb, notes)
    assert not lacking, f"sections without speaker notes in {file.name}: {lacking}"
    assert not stale, f"{file.name} has notes for sections the notebook lacks: {stale}"
    markdown = _plain(" ".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    for heading in slides.section_headings(nb):
        block = notes[slides.section_key(heading)]
        time = next((line for line in block.splitlines() if line.startswith("**Time")), "")
        assert re.search(rf"replay[^.]*?{DURATION}", time, re.I), f"{heading!r}: a **Time.** line with its replay time"
        assert re.search(rf"live[^.]*?{DURATION}", time, re.I), f"{heading!r}: a **Time.** line with its live time"
        for sentence in _sentences(block):
            if len(sentence.split()) >= 5:
                assert _plain(sentence) not in markdown, f"{heading!r}: the notebook already says {sentence!r}"


def test_notes_go_into_the_decks_copy_and_are_checked_against_the_sections(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        _cell("md", "# Title\n\nWhat you will learn."),
        _cell("md", "## 1 · The loop (5 min)\n\nThe loop repairs code."),
        _cell("code", "run = repair(code)"),
        _cell("md", "## 2 · `Safety`"),
    ])
    file = tmp_path / "notes.md"
    file.write_text("# Notes\n\nFor the reader of the file.\n\n## Opening\nHello room.\n\n"
                    "## 1 · The loop\nSay why it stops.\n\n## 9 · Gone\nOld.\n", encoding="utf-8")
    notes = slides.read_notes(file)
    assert notes == {"opening": "Hello room.", "1 · the loop": "Say why it stops.", "9 · gone": "Old."}
    assert slides.missing_notes(nb, notes) == (["2 · `Safety`"], ["9 · gone"])
    copy = slides.with_notes(nb, notes)
    assert len(nb.cells) == 4, "the notebook itself is left as it was"
    assert [(c.source, slides.slide_type(c)) for c in copy.cells if slides.slide_type(c) == "notes"] == [
        ("Hello room.", "notes"), ("Say why it stops.", "notes")]
    assert copy.cells[1].source == "Hello room." and copy.cells[3].source == "Say why it stops."
    notes["2 · safety"] = "Point at the boundary."
    assert slides.missing_notes(nb, notes) == ([], ["9 · gone"])
    assert [c.source for c in slides.with_notes(nb, notes).cells][-1] == "Point at the boundary."


def test_the_notes_checks_catch_a_copied_sentence_and_a_missing_time():
    block = "**Point.** The loop repairs code from its tests.\n**Time.** Replay 4 s; live 40 s on OpenAI."
    assert "the loop repairs code from its tests" in [_plain(s) for s in _sentences(block)]
    assert re.search(rf"replay[^.]*?{DURATION}", block.splitlines()[1], re.I)
    assert not re.search(rf"live[^.]*?{DURATION}", "**Time.** Replay 4 s; live: about a coffee.", re.I)


def test_the_docs_an_instructor_or_maintainer_reads_stay_inside_the_repository():
    """A fresh clone has everything: links resolve within it, and nothing names a file beside the repository."""
    outside = ("../" + "shared", "NOTEBOOK" + "-CONTRACT")     # split, so this file does not match itself
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "tests").glob("*.py")),
             *sorted((ROOT / "tools").glob("*.py"))]
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert not [o for o in outside if o in text], f"{file.relative_to(ROOT)} points outside the repository"
        if file.suffix == ".md":
            for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
                if not re.match(r"[a-z]+:", target):         # http(s): and mailto: links go out by design
                    path = (file.parent / target).resolve()
                    assert path.is_relative_to(ROOT) and path.exists(), f"{file.relative_to(ROOT)}: broken link {target}"
