"""Scores a bin-packing ``priority`` function as FunSearch's specification does: pack each Weibull instance
online (every item into the valid bin of highest priority) and count the bins used, against the L2 lower
bound of Martello and Toth. The score to maximise is ``combined_score``: the lower bound over the bins used
(1.0 would be a perfect packing), averaged over the instances; ``excess_pct`` is the paper's figure, the bins
used above the lower bound in percent.

Instances follow the FunSearch paper's Weibull set: item sizes from Weibull(shape 3, scale 45), rounded and
clipped to 1..100, bin capacity 100, drawn from fixed seeds. Selection sees small training instances; the
held-out instances are larger and drawn from other seeds. ``evaluate_stage1`` is the cascade's cheap first
look (``export_openevolve`` maps ``evaluate`` to OpenEvolve's stage 2); this file needs only numpy."""
import importlib.util

import numpy as np

CAPACITY = 100
TRAIN = [(seed, 2000) for seed in range(5)]            # (seed, items): what selection sees
STAGE1 = [(10, 300)]                                   # the cascade's cheap first look
HELD_OUT = [(seed, 5000) for seed in range(100, 105)]  # as the paper's "Weibull 5k", never seen by selection


def weibull_items(seed, n, capacity=CAPACITY):
    sizes = np.random.default_rng(seed).weibull(3.0, n) * 45
    return np.clip(np.round(sizes), 1, capacity).astype(int)


def l2_lower_bound(items, capacity=CAPACITY):
    """Martello and Toth's L2: no packing uses fewer bins (stronger than total size / capacity)."""
    items = np.sort(np.asarray(items))
    best = int(np.ceil(items.sum() / capacity))
    for alpha in np.unique(np.concatenate([[0], items[items <= capacity // 2]])):
        big = items[items > capacity - alpha]
        mid = items[(items <= capacity - alpha) & (items > capacity / 2)]
        small = items[(items <= capacity / 2) & (items >= alpha)]
        spare = len(mid) * capacity - mid.sum()
        best = max(best, len(big) + len(mid) + max(0, int(np.ceil((small.sum() - spare) / capacity))))
    return best


def pack(priority, items, capacity=CAPACITY):
    """Online packing: each item goes into the bin of highest priority among those it fits in. As in
    FunSearch's specification, the bins start as one empty bin per item, so a new bin is always on offer."""
    bins = np.full(len(items), capacity, dtype=float)
    for item in items:
        valid = np.nonzero(bins - item >= 0)[0]
        scores = np.asarray(priority(item, bins[valid]), dtype=float)
        if scores.shape != valid.shape:
            raise ValueError(f"priority returned shape {scores.shape}, expected one number per bin {valid.shape}")
        bins[valid[np.argmax(scores)]] -= item
    return int((bins != capacity).sum())


def excess(priority, instances):
    """Per instance: bins used, the L2 bound, the excess over it in percent, and bound / used."""
    rows = []
    for seed, n in instances:
        items = weibull_items(seed, n)
        used, bound = pack(priority, items), l2_lower_bound(items)
        rows.append((used, bound, 100.0 * (used - bound) / bound, bound / used))
    return rows


def load_priority(program_path):
    spec = importlib.util.spec_from_file_location("program", program_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.priority


def metrics(program_path, instances):
    rows = excess(load_priority(program_path), instances)
    excess_pct = float(np.mean([r[2] for r in rows]))
    return {"combined_score": float(np.mean([r[3] for r in rows])), "excess_pct": excess_pct,
            "bins": float(np.mean([r[0] for r in rows])), "lower_bound": float(np.mean([r[1] for r in rows]))}


def evaluate_stage1(program_path):
    return metrics(program_path, STAGE1)


def evaluate(program_path):
    return metrics(program_path, TRAIN)


def evaluate_held_out(program_path):
    return metrics(program_path, HELD_OUT)
