"""Run notebooks headless, live through the real SDKs, against the loopback cloud; print what the room feels.

    python bench/rehearsal [--notebooks 01 03] [--profiles groq gemini openai]

Per notebook x profile: wall time, the longest cell and its first line, 429s met and the time calls spent
waiting on them, tokens, and the cost at helpers/ledger.py's PRICES (and at the price page's, where they
differ). Goals (printed, never asserted): <= 10 min per notebook and no cell > 3 min on the free tiers;
the whole workshop under $0.05 per participant at the OpenAI default's price.
Figures are simulated from the shipped recordings at the documented latencies and limits (profiles.py).
Other work on the machine slows the CPU-bound cells: the load average is printed with every row.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/, so "rehearsal" is a package

from rehearsal.profiles import PROFILES  # noqa: E402
from rehearsal.runner import BUDGET, NOTEBOOKS, rehearse, verdict  # noqa: E402


def markdown(rows: list[dict]) -> str:
    lines = ["| notebook | profile | wall | longest cell | 429s (waited) | calls | tokens in/out | cost (ledger / page) "
             "| load | goals |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['notebook']} | {r['profile']} | {r['wall'] / 60:.1f} min | {r['longest']:.0f} s `{r['longest_line']}` "
            f"| {r['rate_limited']} ({r['waited']:.0f} s) | {r['answered']} | {r['tokens_in']}/{r['tokens_out']} "
            f"| ${r['cost']:.4f} / ${r['page_cost']:.4f} | {r['load'][0]:.1f}-{r['load'][1]:.1f} | {r['verdict']} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", nargs="*", default=[], help="prefixes or names, e.g. 01 03 (default: all)")
    parser.add_argument("--profiles", nargs="*", default=list(PROFILES), choices=list(PROFILES))
    args = parser.parse_args(argv)
    chosen = [p for p in NOTEBOOKS if not args.notebooks or any(p.stem.startswith(n) for n in args.notebooks)]
    if not chosen:
        sys.exit(f"No notebook in notebooks/ starts with {args.notebooks}: use e.g. --notebooks 01 03.")
    print(f"Rehearsal on {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}. Figures are simulated "
          f"from the real recordings at the documented latencies and limits (bench/rehearsal/profiles.py).", flush=True)
    rows = []
    for path in chosen:
        for name in args.profiles:
            profile = PROFILES[name]
            row = rehearse(path, profile)
            row["verdict"] = verdict(row, profile)
            rows.append(row)
            print(f"{row['notebook']} x {row['profile']}: wall {row['wall']:.0f}s, longest cell {row['longest']:.0f}s "
                  f"({row['longest_line']!r}), {row['rate_limited']} x 429 ({row['waited']:.0f}s waited), "
                  f"{row['answered']} calls ({row['misses']} unmatched), {row['tokens_in']}+{row['tokens_out']} tokens, "
                  f"${row['cost']:.4f} at ledger prices (${row['page_cost']:.4f} at the price page's), "
                  f"load {row['load'][0]:.1f}->{row['load'][1]:.1f}: {row['verdict']}", flush=True)
    print("\n" + markdown(rows))
    for name in args.profiles:
        done = [r for r in rows if r["profile"] == PROFILES[name].name]
        total = sum(r["cost"] for r in done), sum(r["page_cost"] for r in done)
        calls = sum(r["answered"] for r in done)
        print(f"{PROFILES[name].name}: {len(done)} notebooks, {calls} calls, ${total[0]:.4f} at ledger prices, "
              f"${total[1]:.4f} at the price page's" + (f" (goal < ${BUDGET} per participant)" if name == "openai" else ""))
    print(f"Load average at end {os.getloadavg()[0]:.2f}.")


if __name__ == "__main__":
    main()
