"""helpers stays in layers: no import cycle among its own modules, and no private name crosses packages.

The import graph is read from the source with ``ast`` (nothing is imported), so a cycle hidden in a
function-level import counts just like one at the top of a file.
"""

import ast
from pathlib import Path

HELPERS = Path(__file__).resolve().parent.parent / "helpers"

# Known cycles and private imports across packages: none left. An entry here must name the work removing it.
KNOWN_CYCLES: list[set[str]] = []
KNOWN_PRIVATE: set[tuple[str, str, str]] = set()


def modules(root: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module of the package at ``root`` (a package is its __init__)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]):
    """(imported module, imported name or None) for every import in the file, at any depth."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in known:  # "from . import sandbox" imports a module
                    yield f"{target}.{alias.name}", None
                elif target in known:
                    yield target, alias.name


def module_aliases(path: Path, name: str, known: dict[str, Path]) -> dict[str, str]:
    """Local names bound to modules of the package (``from . import sandbox`` binds ``sandbox``)."""
    bound = {}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    bound[alias.asname or alias.name] = f"{target}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known and alias.asname:
                    bound[alias.asname] = alias.name
    return bound


def graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports. A submodule's implicit import of its parent package's
    __init__ is left out: every facade re-exports its children, so counting it would make each one a cycle."""
    known = modules(root)
    return {name: {target for target, _ in imports(name, path, known) if target != name}
            for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """Every strongly connected group of two or more modules (Tarjan), i.e. every import cycle."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(group)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def private_imports(root: Path) -> set[tuple[str, str, str]]:
    """(importer, module, name) for every underscore name taken from a module of another package:
    ``from .x import _name`` or ``x._name`` through a module alias. Sibling modules of one subpackage
    (helpers/llm/, helpers/sandbox/, ...) may share private names; the flat top level counts as apart."""
    known, found = modules(root), set()

    def package_of(module):
        return module if known[module].name == "__init__.py" else module.rpartition(".")[0]

    def same_subpackage(a, b):
        return package_of(a) == package_of(b) != root.name

    for name, path in known.items():
        for target, imported in imports(name, path, known):
            if imported and imported.startswith("_") and not same_subpackage(name, target):
                found.add((name, target, imported))
        aliases = module_aliases(path, name, known)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr.startswith("_")
                    and node.value.id in aliases and not node.attr.startswith("__")
                    and not same_subpackage(name, aliases[node.value.id])):
                found.add((name, aliases[node.value.id], node.attr))
    return found


def test_helpers_has_no_import_cycle_but_the_known_one():
    found = cycles(graph(HELPERS))
    unknown = [sorted(c) for c in found if c not in KNOWN_CYCLES]
    assert not unknown, f"import cycles in helpers: {unknown}; move the shared piece down a layer"
    stale = [sorted(c) for c in KNOWN_CYCLES if c not in found]
    assert not stale, f"these known cycles are gone: delete them from KNOWN_CYCLES in {__file__}: {stale}"


def test_the_llm_layer_reads_top_down():
    edges = graph(HELPERS)
    assert "helpers.llm.providers" in edges["helpers.llm.factory"]
    assert "helpers.llm.base" in edges["helpers.llm.providers"]
    below_the_factory = {m for m in edges if m.startswith("helpers.llm.") and m != "helpers.llm.factory"}
    assert all("helpers.llm.factory" not in edges[m] for m in below_the_factory)
    assert not edges["helpers.llm.base"] & {"helpers.llm.providers", "helpers.llm.replay", "helpers.llm.fake",
                                            "helpers.llm.recording", "helpers.llm.choose", "helpers.llm.keys"}
    assert "helpers.llm.choose" not in edges["helpers.llm.keys"], "keys only finds keys"


LESSONS = ("helpers.repair", "helpers.evolution", "helpers.toolmaker", "helpers.team")


def lesson_of(module: str) -> str | None:
    return next((lesson for lesson in LESSONS if module == lesson or module.startswith(lesson + ".")), None)


# The sanctioned edge: notebooks 02 and 05 repair a crashing child with notebook 01's loop (helpers/repair/loop.py
# lives in helpers for that reason) through Problem, instead of writing a second loop.
SHARED_LOOPS = {("helpers.evolution.problem.core", "helpers.repair")}


def test_lessons_sit_on_top_and_do_not_import_each_other():
    wrong = sorted((m, t) for m, targets in graph(HELPERS).items() for t in targets
                   if lesson_of(t) and lesson_of(t) != lesson_of(m) and (m, t) not in SHARED_LOOPS)
    assert not wrong, f"only a lesson's own modules import it (shared code moves down a layer): {wrong}"


def test_each_lesson_package_says_what_it_exports():
    for lesson in LESSONS:
        tree = ast.parse((HELPERS / lesson.split(".")[1] / "__init__.py").read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)
                   for n in tree.body), f"{lesson} has no __all__"


def test_no_private_name_crosses_packages_but_the_known_ones():
    found = private_imports(HELPERS)
    assert not found - KNOWN_PRIVATE, f"private names imported across packages: {sorted(found - KNOWN_PRIVATE)}"
    assert not KNOWN_PRIVATE - found, f"gone: delete them from KNOWN_PRIVATE: {sorted(KNOWN_PRIVATE - found)}"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root / "pkg"


def test_the_finder_sees_a_cycle_through_a_function_level_relative_import(tmp_path):
    pkg = write(tmp_path, {
        "pkg/__init__.py": "from .top import run\n",
        "pkg/top.py": "from .sub.low import helper\n\ndef run():\n    return helper()\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/low.py": "def helper():\n    from .. import top\n    return top\n",
        "pkg/alone.py": "import pkg.sub.low\n",
    })
    assert cycles(graph(pkg)) == [{"pkg.top", "pkg.sub.low"}]


def test_the_finder_sees_private_names_across_packages_only(tmp_path):
    pkg = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from .b import _secret\n",
        "pkg/b.py": "_secret = 1\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/c.py": "from .d import _shared\nfrom .. import b\nb._secret\n",
        "pkg/sub/d.py": "_shared = 2\n",
    })
    assert private_imports(pkg) == {("pkg.a", "pkg.b", "_secret"), ("pkg.sub.c", "pkg.b", "_secret")}
