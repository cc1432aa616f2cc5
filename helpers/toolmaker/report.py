"""Notebook 03's summary of a run: per request, the LLM calls, the sandbox runs and the verdict."""


def tool_report(outcomes, requested: int | None = None):
    """Print one line per request and ``tools built: N of M``; return the rows as a DataFrame."""
    import pandas as pd

    rows = [{"request": o.request[:60], "tool": o.tool, "LLM calls": o.calls, "sandbox runs": o.runs,
             "verdict": o.verdict, "why": o.error[:80]} for o in outcomes]
    for r in rows:
        print(f"{r['tool'] or '?'}: {r['LLM calls']} LLM calls, {r['sandbox runs']} sandbox runs, {r['verdict']}")
    wanted = [o for o in outcomes if o.built]
    print(f"tools built: {sum(not o.error for o in wanted)} of {requested or len(wanted)}")
    return pd.DataFrame(rows)
