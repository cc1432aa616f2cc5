"""When a learner outgrows the notebook: a ``Problem`` written out as an OpenEvolve (0.4) example folder.

    folder = problem.export_openevolve("my_problem")   # then, in a shell, with the key in the environment:
    openevolve-run my_problem/initial_program.py my_problem/evaluator.py --config my_problem/config.yaml

Three files, OpenEvolve's layout:
  - ``initial_program.py``: the seed, with its ``# EVOLVE-BLOCK-START`` / ``# EVOLVE-BLOCK-END`` markers (the whole
    program marked when the seed had none);
  - ``evaluator.py``: your evaluator's source unchanged, then a few lines that make OpenEvolve select as the
    notebook did (see ``_SCORE_ALIAS`` and ``_CASCADE``);
  - ``config.yaml``: your provider's OpenAI-compatible endpoint and model, the key as ``${VARIABLE}`` (OpenEvolve
    reads it from the environment when it starts; no key is ever written), your description as the system
    message, and the cascade's threshold.
"""

import json
import math
import os
from pathlib import Path

from ..llm.choose import OLLAMA_URL, choose_provider
from ..llm.factory import model_for
from ..llm.keys import KEY_NAMES, key_location

# Every provider as OpenAI-compatible: OpenEvolve speaks only that. Gemini and Groq serve such an endpoint beside
# their own APIs (so GEMINI_BASE_URL and GROQ_BASE_URL, which point the kit's native SDKs, do not apply here).
ENDPOINTS = {
    "openai": "https://api.openai.com/v1",
    "gemini": "https://generativelanguage.googleapis.com/v1beta/openai/",
    "groq": "https://api.groq.com/openai/v1",
}
# OpenEvolve's markers (Problem uses the same; not imported, since problem.py imports this module)
START, END = "# EVOLVE-BLOCK-START", "# EVOLVE-BLOCK-END"
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

# Appended when the problem has a cascade: OpenEvolve's cascade differs from the notebook's in two ways.
_CASCADE = '''
# The cascade as the notebook ran it. OpenEvolve runs evaluate_stage1, then evaluate_stage2 only when stage 1's
# combined_score reaches evaluator.cascade_thresholds[0] in config.yaml ({threshold!r}); it never calls evaluate
# once a stage 1 exists. So stage 2 is your evaluate, and a program stopped at stage 1 scores {failed!r}
# (its stage-1 score stays in 'stage1_score'), as in the notebook.
_your_evaluate_stage1 = evaluate_stage1


def evaluate_stage1(program_path):
    metrics = {stage1}
    score = metrics.get("combined_score") if isinstance(metrics, dict) else None
    if isinstance(score, (int, float)) and score < {threshold!r}:
        return {{**metrics, "combined_score": {failed!r}, "stage1_score": score}}
    return metrics


def evaluate_stage2(program_path):
    return evaluate(program_path)
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
    source = problem.evaluator.rstrip() + "\n\n"
    added = []
    if problem.score_key != "combined_score":
        added.append(_SCORE_ALIAS.format(score=problem.score_key))
    if problem.cascade is not None:
        stage1 = "_your_evaluate_stage1(program_path)"
        added.append(_CASCADE.format(threshold=float(problem.cascade), failed=float(problem.failed_score),
                                     stage1=f"_with_combined_score({stage1})" if added else stage1))
    if not added:
        return source
    return (source + "\n# ---- Added by helpers.evolution.export for OpenEvolve; the code above is yours, "
            "unchanged ----\n" + "\n".join(added))


def _quote(value) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML."""
    return json.dumps(value)


def _block(text: str, indent: str) -> str:
    """A YAML literal block (``|-``): the text exactly, one line per line."""
    return "|-\n" + "\n".join(indent + line if line.strip() else "" for line in text.splitlines())


def _system_message(problem) -> str:
    goal = (f"The goal: a higher {problem.score_key}"
            + (" (OpenEvolve's combined_score)." if problem.score_key != "combined_score" else "."))
    ideas = "".join(f"\n- {idea}" for idea in problem.ideas)
    return (problem.description + "\n" + goal
            + (f"\nDirections worth trying:{ideas}" if ideas else "")
            + "\nChange only the code between the EVOLVE-BLOCK markers.")


def _config(problem, llm, iterations) -> str:
    key = f"${{{llm['key_env']}}}" if llm["key_env"] else LOCAL_KEY
    key_note = (f"read from the environment variable {llm['key_env']} when OpenEvolve starts (export it)"
                if llm["key_env"] else "a local server needs no key; OpenAI's client wants one")
    cascade = problem.cascade is not None
    lines = [
        f"# OpenEvolve 0.4 config for {problem.name!r}, written by helpers.evolution.export.",
        f"# Provider: {llm['provider']} ({llm['why']}).",
        "# Run: openevolve-run initial_program.py evaluator.py --config config.yaml --iterations N",
        f"max_iterations: {int(iterations)}",
        "random_seed: 42",
        "diff_based_evolution: true",
        "enforce_evolve_blocks: true   # as in the notebook: only the marked block changes",
        "llm:",
        f"  api_base: {_quote(llm['api_base'])}",
        f"  api_key: {_quote(key)}   # {key_note}",
        "  models:",
        f"    - name: {_quote(llm['model'])}",
        "      weight: 1.0",
        "  temperature: 0.7",
        f"  timeout: {300 if llm['provider'] == 'local' else 60}",
        "prompt:",
        f"  system_message: {_block(_system_message(problem), '    ')}",
        "evaluator:",
        f"  timeout: {math.ceil(problem.timeout)}   # seconds per stage",
        "  max_retries: 0   # the evaluation is deterministic: a crash will crash again",
        f"  cascade_evaluation: {'true' if cascade else 'false'}",
    ]
    if cascade:
        lines.append(f"  cascade_thresholds: [{float(problem.cascade)!r}]   # on stage 1's combined_score")
    return "\n".join(lines) + "\n"
