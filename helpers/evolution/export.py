"""When a learner outgrows the notebook: a ``Problem`` written out as an OpenEvolve (0.4) example folder.

    folder = problem.export_openevolve("my_problem")   # then, in a shell, with the key in the environment:
    openevolve-run my_problem/initial_program.py my_problem/evaluator.py --config my_problem/config.yaml

Three files, OpenEvolve's layout, and the kit's own:
  - ``initial_program.py``: the seed, with its ``# EVOLVE-BLOCK-START`` / ``# EVOLVE-BLOCK-END`` markers (the whole
    program marked when the seed had none);
  - ``evaluator.py``: your evaluator's source unchanged, then a few lines that make OpenEvolve select as the
    notebook did (see ``_SCORE_ALIAS``, ``_STOPPED`` and ``_STAGE``);
  - ``config.yaml``: your provider's OpenAI-compatible endpoint and model, the key as ``${VARIABLE}`` (OpenEvolve
    reads it from the environment when it starts; no key is ever written), your description as the system
    message, and the cascade's thresholds;
  - ``workshop.toml``: what OpenEvolve ignores and the notebook needs (the description, ideas, held-out function,
    baselines, the cascade as the notebook runs it), so that ``load_problem(folder)`` is the same problem again.
"""

import json
import math
import os
from pathlib import Path

from ..llm.choose import OLLAMA_URL, choose_provider
from ..llm.factory import model_for
from ..llm.keys import KEY_NAMES, key_location
from .problem.blocks import END, START
from .problem.error import ProblemError

# Every provider as OpenAI-compatible: OpenEvolve speaks only that. Gemini and Groq serve such an endpoint beside
# their own APIs (so GEMINI_BASE_URL and GROQ_BASE_URL, which point the kit's native SDKs, do not apply here).
ENDPOINTS = {
    "openai": "https://api.openai.com/v1",
    "gemini": "https://generativelanguage.googleapis.com/v1beta/openai/",
    "groq": "https://api.groq.com/openai/v1",
}

LOCAL_KEY = "local"   # a local server checks no key, but OpenAI's client refuses to start without one

# Appended when the score has another name than OpenEvolve's.
_SCORE_ALIAS = '''
# OpenEvolve selects on 'combined_score' (and its cascade threshold reads it): copy your score there.
def _with_combined_score(metrics):
    if isinstance(metrics, dict) and {score!r} in metrics:
        return {{**metrics, "combined_score": metrics[{score!r}]}}
    return metrics


_your_evaluate = evaluate


def evaluate(program_path):
    return _with_combined_score(_your_evaluate(program_path))
'''

# Appended when the notebook stops a program at a stage of its cascade: OpenEvolve would keep that stage's score.
_STOPPED = '''
# The cascade as the notebook ran it: a program below a stage's threshold scores {failed!r} there, as in the
# notebook (its own score stays in 'stageN_score'), and OpenEvolve stops it (cascade_thresholds in config.yaml).
def _stopped_as_in_the_notebook(metrics, threshold, n):
    score = metrics.get("combined_score") if isinstance(metrics, dict) else None
    if isinstance(score, (int, float)) and score < threshold:
        return {{**metrics, "combined_score": {failed!r}, f"stage{{n}}_score": score}}
    return metrics
'''

# OpenEvolve calls evaluate_stage1, evaluate_stage2, evaluate_stage3 in turn (never evaluate once a stage 1
# exists): each of the notebook's stages under OpenEvolve's name.
_STAGE = '''
{keep}def evaluate_stage{n}(program_path):
    return {call}
'''

def export_openevolve(problem, folder, *, provider: str | None = None, model: str | None = None,
                      base_url: str | None = None, iterations: int = 100, quiet: bool = False) -> Path:
    """Write ``problem`` as an OpenEvolve example folder and return its path.

    ``provider``: openai, gemini, groq or local (default: the one ``get_llm`` would choose; with none live, openai).
    ``model``: default, the kit's for that provider (``OPENAI_MODEL`` etc. or ``LLM_MODEL`` override it).
    ``base_url``: the OpenAI-compatible endpoint, with its ``/v1`` (default: the provider's; for local,
    ``LLM_BASE_URL`` or Ollama's). ``iterations``: OpenEvolve's ``max_iterations``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    llm = _endpoint(provider, model, base_url)
    (folder / "initial_program.py").write_text(_initial_program(problem), encoding="utf-8")
    (folder / "evaluator.py").write_text(_evaluator(problem), encoding="utf-8")
    (folder / "config.yaml").write_text(_config(problem, llm, iterations), encoding="utf-8")
    (folder / "workshop.toml").write_text(_workshop(problem), encoding="utf-8")
    if not quiet:
        need = f" with {llm['key_env']} set in your shell" if llm["key_env"] else ""
        print(f"OpenEvolve example written to {folder} ({llm['provider']} {llm['model']}). Run it{need}: "
              f"openevolve-run {folder}/initial_program.py {folder}/evaluator.py --config {folder}/config.yaml")
    return folder


def _endpoint(provider, model, base_url) -> dict:
    """provider, api_base, model and the name of the key's variable (None for a local server)."""
    why = "you asked for it"
    if provider is None:
        provider, why = choose_provider()
    provider = provider.lower()
    if provider == "replay":
        provider, why = "openai", "no live provider here (replay), so OpenAI; edit llm: to change it"
    if provider == "local":
        base_url = base_url or os.environ.get("LLM_BASE_URL") or OLLAMA_URL
    elif provider in ENDPOINTS:
        base_url = base_url or (os.environ.get("OPENAI_BASE_URL") if provider == "openai" else None) \
            or ENDPOINTS[provider]
    else:
        raise ValueError(f"OpenEvolve needs an OpenAI-compatible provider: use one of "
                         f"{', '.join([*ENDPOINTS, 'local'])}, not {provider!r}")
    names = KEY_NAMES.get(provider, ())
    # the variable that holds your key here (GOOGLE_API_KEY or GEMINI_API_KEY), else the usual one
    key_env = next((n for n in names if key_location(n) == "the environment"), names[0] if names else None)
    return {"provider": provider, "why": why, "api_base": base_url, "key_env": key_env,
            "model": model or model_for(provider, base_url)}


def _initial_program(problem) -> str:
    program = problem.program(problem.block)
    if START not in program:   # no markers: the whole program evolves, as in the notebook
        program = f"{START}\n{program.rstrip()}\n{END}\n"
    return program


def _evaluator(problem) -> str:
    if problem.inline:
        raise ProblemError("this problem's evaluator follows the program in one module (inline=): OpenEvolve hands "
                           "its evaluator a program file, so write an evaluate(program_path) to export it")
    if len(problem.stages) > 3 and problem.thresholds:
        raise ProblemError(f"the cascade has {len(problem.stages)} stages and OpenEvolve runs at most 3: merge some")
    source = problem.evaluator.rstrip() + "\n\n"
    added = []
    alias = bool(problem.score_key) and problem.score_key != "combined_score"
    if alias:
        added.append(_SCORE_ALIAS.format(score=problem.score_key))
    stops = problem.cascade_stop == "fail" and any(_stage_stops(problem, i) for i in range(len(problem.stages)))
    if stops:
        added.append(_STOPPED.format(failed=float(problem.failed_score)))
    for i, name in enumerate(problem.stages if problem.thresholds else []):
        call = f"{_kit_name(problem, i)}(program_path)"
        call = f"_with_combined_score({call})" if alias and name != "evaluate" else call
        if problem.cascade_stop == "fail" and _stage_stops(problem, i):
            call = f"_stopped_as_in_the_notebook({call}, {problem.thresholds[i]!r}, {i + 1})"
        if call != f"evaluate_stage{i + 1}(program_path)":
            keep = f"_your_{name} = {name}\n\n\n" if name == f"evaluate_stage{i + 1}" else ""
            added.append(_STAGE.format(keep=keep, n=i + 1, call=call))
    if not added:
        return source
    return (source + "\n# ---- Added by helpers.evolution.export for OpenEvolve; the code above is yours, "
            "unchanged ----\n" + "\n".join(added))


def _stage_stops(problem, i) -> bool:
    """Stage ``i`` has a threshold after it (the last stage has none)."""
    return i < len(problem.stages) - 1 and i < len(problem.thresholds)


def _kit_name(problem, i) -> str:
    """What the kit calls for stage ``i`` of the exported evaluator: your function, kept under another name
    where OpenEvolve's name now wraps it."""
    name = problem.stages[i]
    shadowed = name == f"evaluate_stage{i + 1}" and (
        (problem.cascade_stop == "fail" and _stage_stops(problem, i))
        or (bool(problem.score_key) and problem.score_key != "combined_score"))
    return f"_your_{name}" if shadowed else name


def _workshop(problem) -> str:
    """The kit's own file (OpenEvolve ignores it): what makes load_problem(folder) the same problem again."""
    settings = {"name": problem.name, "description": problem.description, "score": problem.score_key,
                "held_out": problem.held_out_name, "timeout": problem.timeout, "memory_mb": problem.memory_mb,
                "max_tokens": problem.max_tokens, "failed_score": problem.failed_score,
                "crossover_share": problem.crossover_share}
    if problem.thresholds:
        settings.update(cascade=problem.thresholds, cascade_stop=problem.cascade_stop,
                        cascade_metric=problem.cascade_metric,
                        stages=[_kit_name(problem, i) for i in range(len(problem.stages))])
    lines = ["# The kit's settings for load_problem(this folder); OpenEvolve ignores this file.",
             "# Written by helpers.evolution.export: see helpers/evolution/problem/folder.py for each key."]
    lines += [f"{key} = {_toml(value)}" for key, value in settings.items() if value is not None]
    ideas = [f"{{ marker = {_toml(m)}, idea = {_toml(i)} }}" if m else _toml(i) for m, i in problem.ideas]
    if ideas:
        lines += ["ideas = [", *(f"    {idea}," for idea in ideas), "]"]
    if problem.baselines:
        lines += ["", "[baselines]", *(f"{_toml(k)} = {_toml(v)}" for k, v in problem.baselines.items())]
    return "\n".join(lines) + "\n"


def _toml(value) -> str:
    """A TOML value: JSON's strings, numbers, booleans and lists are TOML's too."""
    return json.dumps(value, ensure_ascii=False)


def _quote(value) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML."""
    return json.dumps(value)


def _block(text: str, indent: str) -> str:
    """A YAML literal block (``|-``): the text exactly, one line per line."""
    return "|-\n" + "\n".join(indent + line if line.strip() else "" for line in text.splitlines())


def _system_message(problem) -> str:
    goal = (f"The goal: a higher {problem.score_name}"
            + (" (OpenEvolve's combined_score)." if problem.score_name != "combined_score" else "."))
    ideas = "".join(f"\n- {idea}" for _, idea in problem.ideas)
    return (problem.description + "\n" + goal
            + (f"\nDirections worth trying:{ideas}" if ideas else "")
            + "\nChange only the code between the EVOLVE-BLOCK markers.")


def _seeds(small: bool) -> list[str]:
    """OpenEvolve sends its random_seed with every LLM request. A local server honours it exactly, so a prompt
    asked twice (the same parent, no child admitted in between) gets the same reply and the search stalls;
    cloud APIs treat the seed as a hint. For a local model only the database's sampling is seeded."""
    if small:
        return ["random_seed: null   # a local server given one seed answers a repeated prompt identically",
                "database:", "  random_seed: 42   # parents and inspirations are still drawn reproducibly"]
    return ["random_seed: 42"]


def _rewrites(problem, small: bool) -> list[str]:
    """Full rewrites for a small or local model: measured with Qwen2.5-Coder-1.5B on bin packing
    (bench/capstone), diff mode failed every iteration ("No valid diffs found in response"), as OpenEvolve's
    maintainers warn for models that do not follow its SEARCH/REPLACE format (OpenEvolve issue #241)."""
    if small:
        return ["diff_based_evolution: false   # full rewrites: a small model rarely writes valid SEARCH/REPLACE "
                "diffs (OpenEvolve issue #241; measured: 0 valid diffs in 6 tries with a 1.5B model)"]
    return ["diff_based_evolution: true   # SEARCH/REPLACE diffs: a capable model edits a long program cheaply"]


def _config(problem, llm, iterations) -> str:
    key = f"${{{llm['key_env']}}}" if llm["key_env"] else LOCAL_KEY
    key_note = (f"read from the environment variable {llm['key_env']} when OpenEvolve starts (export it)"
                if llm["key_env"] else "a local server needs no key; OpenAI's client wants one")
    cascade = bool(problem.thresholds)
    small = llm["provider"] == "local"
    # A small model answers in a few hundred tokens (the notebook caps it at problem.max_tokens); a cloud model
    # writing a whole program may need more, never OpenEvolve's 4096 (minutes per call on a laptop's server).
    max_tokens = problem.max_tokens if small else 4 * problem.max_tokens
    why_tokens = ("the notebook's cap; a local model on a laptop writes 10 to 25 tokens a second" if small
                  else "room for a whole program, at a bounded cost per call")
    lines = [
        f"# OpenEvolve 0.4 config for {problem.name!r}, written by helpers.evolution.export.",
        f"# Provider: {llm['provider']} ({llm['why']}).",
        "# Run it from this folder: openevolve-run initial_program.py evaluator.py --config config.yaml",
        f"max_iterations: {int(iterations)}",
        *_seeds(small),
        *_rewrites(problem, small),
        "enforce_evolve_blocks: true   # as in the notebook: only the marked block changes",
        "llm:",
        f"  api_base: {_quote(llm['api_base'])}",
        f"  api_key: {_quote(key)}   # {key_note}",
        "  models:",
        f"    - name: {_quote(llm['model'])}",
        "      weight: 1.0",
        "  temperature: 0.7",
        f"  max_tokens: {max_tokens}   # OpenEvolve's default is 4096: {why_tokens}",
        "  retries: 0   # a failed call costs a call; the next iteration asks again",
        f"  timeout: {300 if small else 60}",
        "prompt:",
        f"  system_message: {_block(_system_message(problem), '    ')}",
        "evaluator:",
        f"  timeout: {math.ceil(problem.timeout)}   # seconds per stage",
        "  max_retries: 0   # the evaluation is deterministic: a crash will crash again",
        f"  cascade_evaluation: {'true' if cascade else 'false'}",
    ]
    if cascade:
        lines.append(f"  cascade_thresholds: {problem.thresholds!r}   # on the stages' combined_score")
    return "\n".join(lines) + "\n"
