"""A module beside the evaluator, imported by it: OpenEvolve puts the evaluator's folder on sys.path."""
import math


def digits_right(value: float) -> float:
    """How many decimal digits of pi the value gets right (15 at most)."""
    error = abs(value - math.pi)
    return 15.0 if error == 0 else max(0.0, min(15.0, -math.log10(error)))
