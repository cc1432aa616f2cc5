"""The README's first screen keeps its promise: exactly two one-line commands, and CI runs the second."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def first_screen_commands():
    head = README.split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", head, re.S)


def test_first_screen_has_exactly_two_one_line_commands():
    commands = first_screen_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "requirements.txt" in commands[0] and "jupyter" in commands[0]
    assert "requirements-dev.txt" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    lines = [line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert first_screen_commands()[1] in lines


def test_every_repo_slug_matches_pyproject():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    slug = meta["project"]["urls"]["Repository"].removeprefix("https://github.com/")
    texts = [README] + [p.read_text() for p in sorted(ROOT.glob("notebooks/*.ipynb"))]
    found = {m for t in texts for m in re.findall(r"github(?:\.com)?/([\w.-]+/[\w.-]+?)(?:/blob|\.git|\s|\"|\))", t)
             if not m.startswith(("camilochs", "openai/"))}
    assert found == {slug}, found
    for nb in ROOT.glob("notebooks/*.ipynb"):
        assert f"colab.research.google.com/github/{slug}/blob/main/notebooks/{nb.name}" in README


def test_readme_has_no_placeholder_left():
    assert "<!--" not in README, "fill the RESULTS / SAFETY / INSTRUCTORS sections"
