"""Three stages, each returning OpenEvolve's EvaluationResult: metrics (numbers) and artifacts (text for the next
prompt). Stage 1 checks the type, stage 2 how close the guess is, stage 3 whether it is exact."""
import importlib.util

from openevolve.evaluation_result import EvaluationResult

HIDDEN = 7


def load(program_path):
    spec = importlib.util.spec_from_file_location("candidate", program_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.guess()


def evaluate_stage1(program_path):
    value = load(program_path)
    whole = isinstance(value, int) and not isinstance(value, bool)
    return EvaluationResult(metrics={"combined_score": float(whole), "whole": float(whole)},
                            artifacts={"type": f"guess() returned a {type(value).__name__}"})


def evaluate_stage2(program_path):
    closeness = 1.0 / (1 + abs(load(program_path) - HIDDEN))
    return EvaluationResult(metrics={"combined_score": closeness, "closeness": closeness},
                            artifacts={"hint": "higher" if load(program_path) < HIDDEN else "lower or equal"})


def evaluate_stage3(program_path):
    exact = float(load(program_path) == HIDDEN)
    return EvaluationResult(metrics={"combined_score": 0.5 + 0.5 * exact, "exact": exact}, artifacts={})


def evaluate(program_path):
    return evaluate_stage2(program_path)
