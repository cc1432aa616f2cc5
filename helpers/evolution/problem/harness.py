"""The few lines that run on the sandbox's side of an evaluation, next to the evaluator's own source.

OpenEvolve's way (``FILE``): the program is written to a file and the evaluator's stage function gets its path.
What the function returns comes back as JSON: an ``EvaluationResult`` (OpenEvolve's class or the stand-in
below) as its metrics and artifacts, bytes as their size. ``prelude``: for an evaluator loaded from a folder,
its folder goes on ``sys.path`` and its ``__file__`` is its path, as when OpenEvolve imports it (so it may import
a module beside it, or read a file there).

``SHIM``: an evaluator that does ``from openevolve.evaluation_result import EvaluationResult`` must load where
OpenEvolve is not installed (Colab). Only there, and only for such an evaluator, a stand-in of our own with the
same name and fields is put in ``sys.modules`` before the evaluator's first line runs.
"""

from .metrics import RESULT_KEY

PROGRAM_FILE = "program.py"

FILE = f'''

def _evaluate_program(source, function):
    import os
    path = os.path.abspath("{PROGRAM_FILE}")
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    return _portable(globals()[function](path))


def _portable(result):
    """The return value as JSON can carry it: an EvaluationResult as its metrics and artifacts."""
    if isinstance(result, dict) or not hasattr(result, "metrics"):
        return result
    artifacts = {{str(k): f"({{len(v)}} bytes)" if isinstance(v, (bytes, bytearray)) else v if isinstance(v, str)
                 else str(v) for k, v in (getattr(result, "artifacts", None) or {{}}).items()}}
    return {{"{RESULT_KEY}": {{"metrics": result.metrics, "artifacts": artifacts}}}}
'''

SHIM = '''try:
    import openevolve.evaluation_result
except ImportError:
    import dataclasses as _dataclasses
    import sys as _sys
    import types as _types

    @_dataclasses.dataclass
    class EvaluationResult:
        """A stand-in for OpenEvolve's class, for an evaluator that imports it where OpenEvolve is absent."""
        metrics: dict
        artifacts: dict = _dataclasses.field(default_factory=dict)

        @classmethod
        def from_dict(cls, metrics):
            return cls(metrics=metrics)

        def to_dict(self):
            return self.metrics

        def has_artifacts(self):
            return bool(self.artifacts)

    _package = _types.ModuleType("openevolve")
    _package.__path__ = []
    _module = _types.ModuleType("openevolve.evaluation_result")
    _module.EvaluationResult = EvaluationResult
    _package.evaluation_result = _module
    _sys.modules.update({"openevolve": _package, "openevolve.evaluation_result": _module})
    del EvaluationResult
'''


def needs_shim(evaluator: str) -> bool:
    """True for an evaluator that imports from openevolve (it may be run where OpenEvolve is absent)."""
    return "openevolve" in evaluator


def prelude(evaluator: str, folder) -> str:
    """What runs before the evaluator's first line: the stand-in class where needed, its folder and file."""
    folder = folder and folder.resolve()
    where = "" if folder is None else (f"import sys as _sys; _sys.path.insert(0, {str(folder)!r}); "
                                       f"__file__ = {str(folder / 'evaluator.py')!r}\n")
    return (SHIM if needs_shim(evaluator) else "") + where
