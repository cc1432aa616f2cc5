"""What an evaluator returns, read as OpenEvolve (0.4) reads it: a dict of metrics, or an ``EvaluationResult``
whose ``metrics`` are numbers and whose ``artifacts`` are text (or bytes) for the next prompt.

The score is ``combined_score`` when the evaluator reports it; otherwise OpenEvolve's rule for a fitness
(openevolve/utils/metrics_utils.py, ``get_fitness_score``): the average of the numeric metrics, leaving out
flags (booleans), NaN and the feature dimensions of its MAP-Elites grid. A cascade stage's metrics are merged
with the earlier stages' as its evaluator merges them: numbers become floats, flags stay, ``error`` and text
go (a stage's text for the next prompt belongs in its artifacts, which are kept).
"""

import math

# The marker the sandbox side (harness.py) wraps an EvaluationResult in: JSON carries no class.
RESULT_KEY = "__evaluation_result__"
SCORE = "combined_score"


class BadMetrics(ValueError):
    """The evaluator's return value is not metrics: the message says what it was and what to return."""


def number(value) -> float | None:
    """A metric as a score counts it: an int or float, not a flag (bool)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def unpack(value) -> tuple[dict, dict]:
    """(metrics, artifacts) from what the evaluator returned, after its trip through the sandbox."""
    if isinstance(value, dict) and set(value) == {RESULT_KEY}:
        result = value[RESULT_KEY]
        metrics, artifacts = result.get("metrics"), result.get("artifacts") or {}
        if not isinstance(metrics, dict):
            raise BadMetrics(f"the EvaluationResult's metrics are {type(metrics).__name__}, not a dict: pass "
                             "metrics={'combined_score': ...}")
        wrong = {k: v for k, v in metrics.items() if number(v) is None and not isinstance(v, bool)}
        if wrong:
            key, bad = next(iter(wrong.items()))
            raise BadMetrics(f"the EvaluationResult's metric {key!r} is {bad!r} ({type(bad).__name__}), not a "
                             "number: metrics hold numbers; put text in artifacts={...}")
        return dict(metrics), {str(k): text(v) for k, v in artifacts.items()}
    if not isinstance(value, dict):
        raise BadMetrics(f"the evaluator returned {type(value).__name__}, not a dict of metrics or an "
                         "EvaluationResult: return {'combined_score': ...}")
    return dict(value), {}


def text(value) -> str:
    """An artifact as a prompt can show it: text as it is, bytes by their size."""
    if isinstance(value, bytes | bytearray):
        return f"({len(value)} bytes)"
    return value if isinstance(value, str) else str(value)


def score(metrics: dict, key: str = SCORE, exclude=()) -> tuple[float | None, str]:
    """(the score, the rule that gave it): ``metrics[key]`` when present, else OpenEvolve's average."""
    if key in metrics:
        return number(metrics[key]), key
    values = [number(v) for k, v in metrics.items() if k not in exclude]
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return None, "no numeric metric"
    return sum(values) / len(values), f"the average of {len(values)} numeric metrics (OpenEvolve's rule)"


def merge(stages: list[tuple[dict, dict]]) -> tuple[dict, dict]:
    """OpenEvolve's cascade: the metrics of every stage that ran, later stages winning; numbers as floats,
    flags kept, 'error' and text dropped; artifacts kept. One stage stays as it is."""
    if len(stages) == 1:
        return stages[0]
    metrics, artifacts = {}, {}
    for stage_metrics, stage_artifacts in stages:
        for key, value in stage_metrics.items():
            if key == "error":
                continue
            if isinstance(value, bool) or number(value) is not None:
                metrics[key] = value if isinstance(value, bool) else float(value)
        artifacts.update(stage_artifacts)
    return metrics, artifacts
