"""A problem is a folder: OpenEvolve's example layout, read as it is, plus one optional file of the kit's own.

    my_problem/
      initial_program.py   the seed (EVOLVE-BLOCK markers optional)
      evaluator.py         evaluate(program_path) -> dict or EvaluationResult; evaluate_stage1/2/3 optional
      config.yaml          optional, OpenEvolve's: prompt.system_message, evaluator.cascade_evaluation,
                           evaluator.cascade_thresholds, evaluator.timeout, database.feature_dimensions
      workshop.toml        optional, the kit's (OpenEvolve ignores it): the few words for the prompts, explore
                           ideas, baselines, the held-out function, the cascade as the notebook runs it

``load_problem(folder)`` reads them; nothing in the folder is written. Every setting of ``workshop.toml`` is a
``Problem`` argument of the same name (``description``, ``ideas``, ``held_out``, ``cascade``, ``stages``,
``cascade_stop``, ``timeout``, ...), plus ``[baselines]`` (name = code of a block to compare with), ``[options]``
and ``[prompts]`` (sentences to reword, see ``Prompts``). Where the kit has no words of its own, the
description is config.yaml's system message; where it names no cascade, OpenEvolve's is used as OpenEvolve runs
it (its stage functions in turn, its thresholds, a stopped program keeping its score).
"""

import ast
import tomllib
from pathlib import Path

from .core import Problem
from .error import ProblemError
from .prompts import Prompts

KIT_FILE = "workshop.toml"
# OpenEvolve 0.4's defaults (openevolve/config.py) for what config.yaml may leave out
CASCADE_EVALUATION, CASCADE_THRESHOLDS, TIMEOUT = True, [0.5, 0.75, 0.9], 300
FEATURE_DIMENSIONS = ["complexity", "diversity"]


def load_problem(folder, config: str = "config.yaml", **overrides) -> Problem:
    """The problem in ``folder`` (OpenEvolve's layout, plus the kit's optional ``workshop.toml``) as a
    ``Problem``; ``overrides`` are ``Problem`` arguments that win over both files (``prompts`` may be a
    ``Prompts`` class, given the folder's sentences). ``config`` names another OpenEvolve config in the folder
    (some examples ship several)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ProblemError(f"{folder} is not a folder: pass the folder that holds initial_program.py and evaluator.py")
    for needed in ("initial_program.py", "evaluator.py"):
        if not (folder / needed).is_file():
            raise ProblemError(f"{folder} has no {needed}: an OpenEvolve problem folder holds initial_program.py "
                               "(the seed) and evaluator.py (its evaluate(program_path))")
    evaluator = (folder / "evaluator.py").read_text(encoding="utf-8")
    ours = {**_kit_settings(folder / KIT_FILE), **overrides}
    settings = _openevolve_settings(folder / config, evaluator)
    if "cascade" in ours and "stages" not in ours:   # the kit's cascade: evaluate_stage1, then evaluate
        settings.pop("stages", None)
    settings = {**settings, **ours}
    words, kind = settings.pop("words", {}), settings.get("prompts") or Prompts
    if isinstance(kind, type):   # a Prompts class (a task's own wording), given the folder's sentences
        try:
            settings["prompts"] = kind(**words)
        except ValueError as exc:
            raise ProblemError(f"{folder / KIT_FILE}: {exc}") from None
    if not settings.get("description"):
        raise ProblemError(f"{folder} says nothing about the goal: give prompt.system_message in config.yaml, "
                           f"description in {KIT_FILE}, or load_problem(..., description='...')")
    return Problem(folder / "initial_program.py", evaluator, folder=folder, **settings)


def _openevolve_settings(path: Path, evaluator: str) -> dict:
    """What the kit takes from OpenEvolve's config.yaml (absent: OpenEvolve's defaults)."""
    config = _read_yaml(path) if path.is_file() else {}
    section = lambda name: config.get(name) or {}   # noqa: E731
    evaluating, prompt, database = section("evaluator"), section("prompt"), section("database")
    defined = _functions(evaluator)
    stages = ["evaluate_stage1"] if "evaluate_stage1" in defined else []
    if stages and "evaluate_stage2" in defined:
        stages += ["evaluate_stage2"] + (["evaluate_stage3"] if "evaluate_stage3" in defined else [])
    settings = {"timeout": evaluating.get("timeout", TIMEOUT), "memory_mb": 2048,
                "feature_dimensions": database.get("feature_dimensions", FEATURE_DIMENSIONS)}
    if isinstance(prompt.get("system_message"), str):
        settings["description"] = prompt["system_message"]
    if evaluating.get("cascade_evaluation", CASCADE_EVALUATION) and stages:
        settings.update(stages=stages, cascade=list(evaluating.get("cascade_thresholds", CASCADE_THRESHOLDS)),
                        cascade_stop="keep")
    return settings


def _read_yaml(path: Path) -> dict:
    try:
        import yaml
    except ImportError:
        raise ProblemError(f"reading {path.name} needs PyYAML, which is not installed here: pip install pyyaml, "
                           "then run this again") from None
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        where = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)   # where it began
        line = f" at line {where.line + 1}" if where else ""
        what = " ".join(" ".join(filter(None, (getattr(exc, "context", None), getattr(exc, "problem", None))))
                        .split()) or str(exc).splitlines()[0]
        raise ProblemError(f"{path} does not parse as YAML{line} ({what}): fix that line") from None
    if config is not None and not isinstance(config, dict):
        raise ProblemError(f"{path} holds a {type(config).__name__}, not settings: OpenEvolve's config is a mapping "
                           "(llm:, prompt:, evaluator:)")
    return config or {}


def _kit_settings(path: Path) -> dict:
    """The kit's own settings (workshop.toml), as Problem arguments."""
    if not path.is_file():
        return {}
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProblemError(f"{path} does not parse as TOML ({exc}): fix it") from None
    if "prompts" in settings:   # sentences to reword: given to the Prompts made in load_problem
        settings["words"] = settings.pop("prompts")
    if "ideas" in settings:   # a marker makes an idea wait until the code does not use it yet
        settings["ideas"] = [(i.get("marker"), i["idea"]) if isinstance(i, dict) else i for i in settings["ideas"]]
    return settings


def _functions(source: str) -> set[str]:
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return set()   # Problem.check() says where it does not parse
    return {n.name for n in body if isinstance(n, ast.FunctionDef)}
