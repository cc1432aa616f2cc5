"""Every notebook builds an instructor's deck (tools/slides.py) that a room can read: a slide per section,
short code, no empty slide, speaker notes, and the replayed run's plots on it."""

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
    deck = Deck(slides.convert(nb, path.stem, tmp_path / "slides").read_text(encoding="utf-8"))
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
    for heading, top in tops.items():
        assert any(s["notes"].strip() for s in leaves if s["top"] == top), f"no speaker notes for {heading!r}"
    assert sum(s["images"] for s in leaves) >= 1, "the replayed run's plots are on the slides"


def _same(markdown_heading: str, rendered: str) -> bool:
    plain = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", markdown_heading)
    return " ".join(plain.split()) == " ".join(rendered.replace("¶", "").split())


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
    assert slides.tag(nb) == 10      # nine cells typed, one notes cell added
    kinds = [slides.slide_type(c) for c in nb.cells]
    assert kinds == ["slide", "skip", "slide", "notes", "-", "subslide", "skip", "skip", "skip", "subslide",
                     "fragment"]
    notes = nb.cells[3].source
    assert "1 · The loop (5 min)" in notes and "9 of 21" in notes and "`repair`" in notes, notes
    assert slides.tag(nb) == 0, "tagging again changes nothing"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_cell_of_a_lesson_carries_slide_metadata(path):
    nb = nbformat.read(path, as_version=4)
    assert slides.tag(nb) == 0, f"cells without slide metadata or sections without notes: python tools/slides.py --tag {path.relative_to(ROOT)}"
