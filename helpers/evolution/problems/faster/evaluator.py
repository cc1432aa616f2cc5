"""Scores a faster ``count_pairs``: first its answers (stage 1: the share of small cases it gets right, which
must be 1.0 to go on), then its cost on large inputs, counted as the Python lines it executes (a count, not a
time: the same on every run and every machine, so a recorded run replays exactly). ``combined_score`` is how
many times fewer lines than the original, rounded to 2 significant figures; a wrong answer scores 0."""
import importlib.util
import os
import random
import sys


def cases(seed, size, count):
    rng = random.Random(seed)
    return [([rng.randint(-50, 50) for _ in range(size)], rng.randint(-20, 20)) for _ in range(count)]


SMALL = [([], 0), ([5], 10), ([1, 1, 1], 2), ([2, 2, 3, 1], 4), ([-3, 3, 0, 0], 0)] + cases(0, 12, 25)
LARGE = cases(1, 300, 2)
HELD_OUT = cases(2, 600, 2)


def reference(numbers, target):
    return sum(numbers[i] + numbers[j] == target for i in range(len(numbers)) for j in range(i + 1, len(numbers)))


def load(program_path):
    spec = importlib.util.spec_from_file_location("program", os.path.abspath(program_path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.count_pairs


def lines_executed(function, numbers, target, program_path):
    """Run ``function`` once, counting the line events in the program's own file (library code is not counted)."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename != os.path.abspath(program_path):
            return None
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        answer = function(list(numbers), target)
    finally:
        sys.settrace(None)
    return answer, count


def correct(function, cases_):
    return sum(function(list(numbers), target) == reference(numbers, target) for numbers, target in cases_) / len(cases_)


def speed(program_path, cases_):
    function = load(program_path)
    right = correct(function, SMALL)
    if right < 1.0:
        return {"combined_score": 0.0, "correct": right, "lines": 0}
    seed_lines = sum(size * (size - 1) // 2 * 2 + 2 * size + 2 for size in (len(n) for n, _ in cases_))  # the original's count
    total = 0
    for numbers, target in cases_:
        answer, lines = lines_executed(function, numbers, target, program_path)
        if answer != reference(numbers, target):
            return {"combined_score": 0.0, "correct": 0.0, "lines": lines}
        total += lines
    return {"combined_score": float(f"{seed_lines / max(1, total):.2g}"), "correct": 1.0, "lines": total}


def first_wrong(function, cases_):
    """The first case it gets wrong, as a line the next prompt can show (OpenEvolve calls these artifacts)."""
    for numbers, target in cases_:
        got, want = function(list(numbers), target), reference(numbers, target)
        if got != want:
            return f"count_pairs({numbers}, {target}) returned {got}, expected {want}"
    return "none"


def evaluate_stage1(program_path):
    function = load(program_path)
    right = correct(function, SMALL)
    return {"combined_score": right, "correct": right, "first_wrong": first_wrong(function, SMALL)}


def evaluate(program_path):
    return speed(program_path, LARGE)


def evaluate_held_out(program_path):
    return speed(program_path, HELD_OUT)
