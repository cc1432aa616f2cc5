"""Notebook 03's summary of a run: per request, the LLM calls, the sandbox runs and the verdict; then whether
the library is intact (it imports, and every tool passes its pinned tests, checked afresh in the sandbox)."""

from ..sandbox import run_tests


def tool_report(outcomes, lib=None, requested: int | None = None):
    """Print one line per request, ``tools built: N of M`` and the library's health; return a DataFrame."""
    import pandas as pd

    rows = [{"request": o.request[:60], "tool": o.tool, "LLM calls": o.calls, "sandbox runs": o.runs,
             "verdict": o.verdict, "why": o.error[:80]} for o in outcomes]
    for r in rows:
        print(f"{r['tool'] or '?'}: {r['LLM calls']} LLM calls, {r['sandbox runs']} sandbox runs, {r['verdict']}")
    wanted = [o for o in outcomes if o.built]
    print(f"tools built: {sum(not o.error for o in wanted)} of {requested or len(wanted)}")
    if lib is not None:
        report, touched = lib.guarded_run(run_tests, lib.source, [lib.tests(n) for n in lib.names()], timeout=60)
        state = "intact" if report.all_passed else "BROKEN"
        said = f"; testing changed {', '.join(touched)}, put back" if touched else ""
        print(f"library {state}: tools.py imports, {len(lib.names())} tools, {report.summary()}{said}")
    return pd.DataFrame(rows)
