"""A construction that is either valid or not: the seed is not, and scores 0."""
import importlib.util


def evaluate(program_path):
    spec = importlib.util.spec_from_file_location("candidate", program_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    values = list(module.numbers())
    valid = len(values) == 5 and len(set(values)) == 5 and all(1 <= v <= 9 for v in values) and sum(values) == 25
    return {"combined_score": 1.0 if valid else 0.0, "distinct": float(len(set(values)))}
