"""No combined_score: OpenEvolve then scores the average of the numeric metrics, leaving out flags (booleans) and
the feature dimensions its config names (here 'count')."""
import importlib.util


def evaluate(program_path):
    spec = importlib.util.spec_from_file_location("candidate", program_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    values = [min(1.0, max(0.0, float(v))) for v in module.pick()]
    mean = sum(values) / len(values)
    spread = max(values) - min(values)
    return {"mean": mean, "spread": spread, "valid": len(values) == 3, "count": len(values),
            "note": f"{len(values)} values"}
