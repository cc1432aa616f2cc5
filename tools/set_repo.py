"""Point the README's Colab badges and the notebooks' setup cells at another GitHub repository.

The repository's name lives in one place, ``[project.urls] Repository`` in pyproject.toml; this script
writes it there and everywhere that must agree with it (tests/test_readme.py checks that they do).
    python tools/set_repo.py your-name/your-fork
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r'Repository = "https://github\.com/([\w.-]+/[\w.-]+)"')


def current() -> str:
    return URL.search((ROOT / "pyproject.toml").read_text()).group(1)


def files():
    yield ROOT / "pyproject.toml"
    yield ROOT / "README.md"
    yield from sorted((ROOT / "notebooks").glob("*.ipynb"))
    yield from sorted((ROOT / "solutions").glob("*.ipynb"))


def main(new: str) -> None:
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", new):
        sys.exit(f"expected owner/name, got {new!r}")
    old = current()
    for path in files():
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new), encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__))
