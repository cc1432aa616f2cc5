"""Which protection layers hold on this machine: the kernel boundary is probed once per process (in a
throwaway child), reported by `sandbox_layers()`, and what is missing is said once, in one line."""

import json
import os
import subprocess
import sys
import threading

from .forkserver import boot

OFF_VAR = "HELPERS_SANDBOX_BOUNDARY"   # "off": today's guardrails only (tests force the fallback this way)
GUARDRAILS = ("process group killed at the timeout", "rlimits: CPU, memory per process, file size, open files",
              "environment without API keys", "temporary working folder", "network audit hook")
KERNEL = {"pid": "PID namespace: the run sees and signals only its own processes",
          "mount": "mount namespace: read-only filesystem except the run's folder and a private /tmp",
          "network": "network namespace: only a down loopback (unless allow_network=True)",
          "processes": "process cap: at most 300 processes per run (a PID-namespace pid_max)"}
_lock = threading.Lock()
_probed = None
_said = False


def _probe():
    global _probed
    with _lock:
        if _probed is None:
            if sys.platform != "linux":
                _probed = {layer: f"no Linux namespaces on {sys.platform}" for layer in KERNEL}
            else:
                try:
                    done = subprocess.run([sys.executable, "-I", "-c", boot("boundary", "boundary.probe()")],
                                          capture_output=True, text=True, timeout=30, cwd="/")
                    _probed = json.loads(done.stdout.strip().splitlines()[-1])
                    said = done.stderr.strip().splitlines()[-1:]  # a step that failed inside the probe
                    _probed = {k: f"{v}: {said[0]}" if v and v.startswith("the probe died") and said else v
                               for k, v in _probed.items()}
                except (OSError, ValueError, IndexError, subprocess.SubprocessError) as exc:
                    _probed = {layer: f"the probe failed ({exc!r})" for layer in KERNEL}
        return _probed


def kernel_layers(allow_network=False) -> list:
    """The namespace layers a run enters now: all that hold here, unless switched off."""
    if os.environ.get(OFF_VAR, "").lower() == "off":
        return []
    active = [layer for layer, why in _probe().items() if why is None]
    if "pid" not in active:  # the run's init, PID 1 of its namespace, carries every other layer
        active = []
    if allow_network and "network" in active:
        active.remove("network")
    _say_missing()
    return active


def _say_missing():
    global _said
    missing = {layer: why for layer, why in _probe().items() if why is not None}
    if missing and not _said:
        _said = True
        why = "; ".join(sorted(set(missing.values())))
        print(f"helpers.sandbox: no {', '.join(missing)} isolation here ({why}); runs keep the guardrails "
              "(process group, rlimits, timeout, no keys, network audit hook)", file=sys.stderr)


def sandbox_layers(show=True) -> dict:
    """What protects a sandboxed run here: layer -> "on", or why it is off. Prints one line each."""
    off = os.environ.get(OFF_VAR, "").lower() == "off"
    report = {name: "on" for name in GUARDRAILS}
    for layer, why in _probe().items():
        report[layer] = f"switched off ({OFF_VAR}=off)" if off else why or "on"
    if show:
        for name, state in report.items():
            print(f"{'on ' if state == 'on' else 'OFF'}  {KERNEL.get(name, name)}" + ("" if state == "on" else f": {state}"))
    return report
