"""Runs the program the way several OpenEvolve examples do: in a child Python started with subprocess, from a
script written to a temporary file, with a wall-clock limit; the result comes back through a pickle file. The
program is also loaded with importlib in a thread pool with a timeout, and signal.alarm guards the whole
evaluation where it can (only the main thread may set an alarm; OpenEvolve calls evaluate from a worker thread)."""
import concurrent.futures
import importlib.util
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading

from closeness import digits_right

RUNNER = """
import importlib.util, pickle, sys
spec = importlib.util.spec_from_file_location("candidate", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
with open(sys.argv[2], "wb") as f:
    pickle.dump(float(module.estimate()), f)
"""


def in_child(program_path, seconds=20):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(RUNNER)
    result = script.name + ".pickle"
    try:
        done = subprocess.run([sys.executable, script.name, program_path, result], capture_output=True,
                              text=True, timeout=seconds)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip().splitlines()[-1])
        with open(result, "rb") as f:
            return pickle.load(f)
    finally:
        for path in (script.name, result):
            if os.path.exists(path):
                os.unlink(path)


def in_thread(program_path, seconds=20):
    def run():
        spec = importlib.util.spec_from_file_location("candidate", program_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return float(module.estimate())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=seconds)


def evaluate(program_path):
    alarm = threading.current_thread() is threading.main_thread()
    if alarm:
        signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("the evaluation took too long")))
        signal.alarm(60)
    try:
        child, thread = in_child(program_path), in_thread(program_path)
    finally:
        if alarm:
            signal.alarm(0)
    return {"combined_score": digits_right(child) / 15, "digits": digits_right(child),
            "same_in_both": float(child == thread)}
