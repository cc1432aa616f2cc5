"""What the explorer shows about one candidate of an ``Evolution`` run, as plain data (``describe``), and as
HTML or text. Everything comes from what the engine recorded: nothing is re-run and no LLM is called."""

import difflib
import html
import math
from dataclasses import dataclass, field

from .plots import kind

MARK = {True: "PASS", False: "FAIL", None: ""}


@dataclass
class Row:
    """One line of a score breakdown: a metric, its value here and in the parent, and the change."""
    name: str
    value: str
    parent: str = ""
    change: str = ""


@dataclass
class CandidateView:
    id: int
    generation: int
    operator: str                 # seed, mutation, crossover, repair; "re-asked after N rejected copies"
    parents: list[int]
    score: float
    change: float | None          # against the better parent (None for a seed, or when either is unscored)
    changes: dict = field(default_factory=dict)    # parent id -> score change against that parent
    diffs: list = field(default_factory=list)      # (parent id, [(kind, line), ...]) one per parent
    breakdown: list[Row] = field(default_factory=list)
    error: str = ""
    repair: str = ""              # a failed child: what its repair gave
    repair_child: int | None = None
    children: list[int] = field(default_factory=list)
    prompt: str = ""
    reply: str = ""
    calls: int = 0
    tokens: int = 0
    rejected: list[str] = field(default_factory=list)
    genome: str = ""


# --------------------------------------------------------------------------- the state
def operator_label(c, made) -> str:
    """The operator as a reader names it, whatever the run called it (``made``: the record of how it was made)."""
    how = kind(c)
    if c.op not in ("seed", "repair", f"llm-{how}"):
        how += f" ({c.op})"
    n = len(made.rejected)
    return how + (f", re-asked after {n} rejected cop{'y' if n == 1 else 'ies'}" if n else "")


def score_change(evo, c) -> float | None:
    """Score minus the better parent's score (None for a seed, or when either was not scored)."""
    scores = [evo.candidates[p].score for p in c.parents]
    if not scores or not c.fitness or not all(math.isfinite(s) for s in scores):
        return None
    return c.score - max(scores)


def describe(evo, cid) -> CandidateView:
    """Everything the explorer shows about candidate ``cid``."""
    c, made = evo.candidates[cid], evo.record.of(cid)
    parents = [evo.candidates[p] for p in c.parents]
    best_parent = max(parents, key=lambda p: p.score) if parents else None
    children = sorted(k.id for k in evo.candidates.values() if cid in k.parents)
    repair_child = next((k for k in children if evo.candidates[k].op == "repair"), None)
    return CandidateView(
        id=c.id, generation=c.generation, operator=operator_label(c, made), parents=list(c.parents), score=c.score,
        change=score_change(evo, c),
        changes={p.id: c.score - p.score for p in parents if c.fitness and math.isfinite(p.score)},
        diffs=[(p.id, fold_diff(p.genome, c.genome)) for p in parents],
        breakdown=breakdown(c.fitness, best_parent.fitness if best_parent else None),
        error=c.fitness.error if c.fitness else "", repair=made.repair_note, repair_child=repair_child,
        children=children, prompt=made.prompt, reply=made.reply, calls=made.calls,
        tokens=made.tokens, rejected=list(made.rejected), genome=c.genome)


def breakdown(fit, parent=None) -> list[Row]:
    """The score, every check (passed or not, and why) and every number in ``info``, beside the parent's."""
    if fit is None:
        return [Row("score", "not evaluated")]
    rows = [Row("score", f"{fit.score:.3f}", f"{parent.score:.3f}" if parent else "",
                _signed(fit.score - parent.score) if parent else "")]
    theirs = {ch.name: ch for ch in parent.checks} if parent else {}
    for ch in fit.checks:
        if ch.passed is None and ch.name in fit.info:
            continue   # a measurement also in info: shown once, below, as a number with its change
        old = theirs.get(ch.name)
        change = "" if old is None or old.passed == ch.passed or ch.passed is None else \
            ("now passes" if ch.passed else "now fails")
        rows.append(Row(ch.name, _check(ch), _check(old) if old else "", change))
    info, before = fit.info, parent.info if parent else {}
    for key, value in info.items():
        if key.endswith("_cap"):
            continue   # shown beside its measurement: "train_time 3.100 (cap 7.50)"
        old = before.get(key)
        rows.append(Row(key, _value(value, _cap(info, key)), "" if old is None else _value(old, _cap(before, key)),
                        _signed(value - old) if _number(value) and _number(old) else ""))
    return rows


def _cap(info, key):
    """The limit a timing is held to, when the task records it beside the timing (``train_time``, ``train_cap``)."""
    return info.get(key.removesuffix("_time") + "_cap") if key.endswith("_time") else None


def pick(evo, *, improved=False, crashed=False, generation=None) -> list:
    """The candidates the filters let through, by id: only improvements over the parent, only crashes, one
    generation (None: all)."""
    out = []
    for c in sorted(evo.candidates.values(), key=lambda c: c.id):
        change = score_change(evo, c)
        if (improved and not (change is not None and change > 0)) or (crashed and not c.failed) or \
                (generation is not None and c.generation != generation):
            continue
        out.append(c)
    return out


def quick_pick(evo, which: str):
    """"best", "worst" (the lowest score, a crash included) or "crashed" (the first one); None if there is none."""
    scored = [c for c in evo.candidates.values() if c.fitness]
    if which == "best":
        return evo.best if scored else None
    if which == "worst":
        return min(scored, key=lambda c: (c.score, c.id), default=None)
    return next((c for c in sorted(evo.candidates.values(), key=lambda c: c.id) if c.failed), None)


def label(evo, c) -> str:
    """One line per candidate for the selector: id, generation, how it was made, from whom, score."""
    origin = f" of {' × '.join(f'#{p}' for p in c.parents)}" if c.parents else ""
    kind = operator_label(c, evo.record.of(c.id)).split(",")[0]
    state = " crashed" if c.failed else ""
    return f"#{c.id} · gen {c.generation} · {kind}{origin} · {c.score:.3f}{state}"


def fold_diff(before: str, after: str, context: int = 2) -> list[tuple[str, str]]:
    """A line diff: (kind, line) with kind "-", "+", " " (unchanged, ``context`` lines around each change) or
    "…" (a run of unchanged lines folded into one line that says how many)."""
    a, b = before.splitlines(), after.splitlines()
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    out = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "equal":
            out += [("-", line) for line in a[i1:i2]] + [("+", line) for line in b[j1:j2]]
            continue
        same = a[i1:i2]
        head = same[:context] if n > 0 else []                   # after a change
        tail = same[-context:] if n < len(ops) - 1 else []      # before a change
        if len(same) <= len(head) + len(tail) + 1:
            out += [(" ", line) for line in same]
            continue
        hidden = len(same) - len(head) - len(tail)
        out += [(" ", line) for line in head] + [("…", f"{hidden} unchanged line{'s' * (hidden != 1)}")]
        out += [(" ", line) for line in tail]
    return out if any(k in "+-" for k, _ in out) else [("…", "no change")]


# --------------------------------------------------------------------------- as text and as HTML
def diff_text(lines) -> str:
    return "\n".join(f"  ⋯ {t}" if k == "…" else f"{k} {t}" for k, t in lines)


def text(view: CandidateView) -> str:
    """The view as plain text (what a test, or a terminal, reads)."""
    out = [_headline(view), _meta(view)]
    out += [f"  {r.name}: {r.value}" + (f"  (parent {r.parent}; {r.change})" if r.change else
                                         f"  (parent {r.parent})" if r.parent else "") for r in view.breakdown]
    if view.error:
        out += ["error:", view.error, f"repair: {view.repair or 'none tried'}"]
    for pid, lines in view.diffs:
        out += [f"--- #{pid}", f"+++ #{view.id}", diff_text(lines)]
    if not view.diffs:
        out += ["seed:", view.genome.rstrip()]
    out += [f"rejected copy {i}: {r or '(no usable answer)'}" for i, r in enumerate(view.rejected, 1)]
    return "\n".join(out)


STYLE = {"+": "background:#e6ffec;color:#116329", "-": "background:#ffebe9;color:#82071e",
         "…": "color:#6e7781;font-style:italic", " ": ""}
PRE = "margin:2px 0;padding:4px;font-family:monospace;white-space:pre-wrap;font-size:12px;max-height:{}px;overflow:auto"


def diff_html(lines, title="") -> str:
    body = "\n".join(f'<span style="{STYLE[k]}">{html.escape(f"  ⋯ {t}" if k == "…" else f"{k} {t}")}</span>'
                     for k, t in lines)
    head = f"<div><code>{html.escape(title)}</code></div>" if title else ""
    return f'{head}<pre class="explore-diff" style="{PRE.format(420)};border:1px solid #d0d7de">{body}</pre>'


def html_view(view: CandidateView, fold: bool = False) -> str:
    """The view as HTML: the widget's panel, and the winner in the static path (``fold``: its diffs closed,
    one click away, so the page under the widget stays short)."""
    e = html.escape
    rows = "".join(f"<tr><td>{e(r.name)}</td><td>{e(r.value)}</td><td>{e(r.parent)}</td><td>{e(r.change)}</td></tr>"
                   for r in view.breakdown)
    parent_head = "parent" if len(view.parents) == 1 else "better parent" if view.parents else ""
    parts = [f'<div class="explore-view" data-candidate="{view.id}">',
             f"<h4 style='margin:4px 0'>{e(_headline(view))}</h4>", f"<div>{e(_meta(view))}</div>",
             "<b>Score breakdown</b>",
             f'<table class="explore-breakdown" style="font-size:12px"><tr><th>metric</th><th>#{view.id}</th>'
             f"<th>{parent_head}</th><th>change</th></tr>{rows}</table>"]
    if view.error:
        repair = view.repair or "no repair tried (seeds and repairs get none)"
        parts += [f"<b style='color:#82071e'>Error</b><pre style='{PRE.format(200)}'>{e(view.error)}</pre>",
                  f"<div>Repair: {e(repair)}</div>"]
    parts += ["<b>What changed</b>"] if view.diffs else ["<b>Seed</b>", f"<pre style='{PRE.format(300)}'>"
                                                         f"{e(view.genome.rstrip())}</pre>"]
    diffs = [diff_html(lines, f"--- #{pid} +++ #{view.id}") for pid, lines in view.diffs]
    parts += [_folded(f"against #{pid}: {_counts(lines)}", d) for (pid, lines), d in zip(view.diffs, diffs, strict=True)] \
        if fold else diffs
    for i, r in enumerate(view.rejected, 1):   # a copy of a genome seen before: refused, the operator asked again
        parts.append(_fold(f"Rejected copy {i}: not admitted, asked again", r or "(no usable answer)"))
    if view.prompt:
        parts.append(_fold(f"The prompt ({len(view.prompt):,} characters)", view.prompt))
    if view.reply:
        what = "The repair's code" if view.operator == "repair" else "The model's raw reply"
        parts.append(_fold(what, view.reply, open_=True))
    return "".join(parts) + "</div>"


def _folded(summary, inner_html) -> str:
    return f"<details><summary>{html.escape(summary)}</summary>{inner_html}</details>"


def _counts(lines) -> str:
    """How big a diff is, in a few words: "12 lines added, 1 removed"."""
    added, removed = sum(k == "+" for k, _ in lines), sum(k == "-" for k, _ in lines)
    return f"{added} line{'s' * (added != 1)} added, {removed} removed" if added or removed else "no change"


def _fold(summary, body, open_=False) -> str:
    return (f"<details{' open' if open_ else ''}><summary>{html.escape(summary)}</summary>"
            f"<pre style='{PRE.format(300)}'>{html.escape(body)}</pre></details>")


def _headline(view) -> str:
    change = "" if view.change is None else f" ({_signed(view.change)} against " + \
        (f"#{view.parents[0]})" if len(view.parents) == 1 else
         ", ".join(f"#{p}: {_signed(d)}" for p, d in view.changes.items()) + ")")
    return f"#{view.id} · generation {view.generation} · {view.operator} · score {view.score:.3f}{change}"


def _meta(view) -> str:
    parts = [f"parents {', '.join(f'#{p}' for p in view.parents)}" if view.parents else "a seed: no parent"]
    if view.children:
        parts.append(f"children {', '.join(f'#{k}' for k in view.children)}")
    if view.operator == "repair" and not view.calls and not view.prompt:
        parts.append("LLM: not recorded (the repair names no llm)")
    else:
        parts.append(f"LLM: {view.calls} call{'s' * (view.calls != 1)}, {view.tokens:,} tokens")
    parts.append(f"{len(view.rejected)} rejected cop{'y' if len(view.rejected) == 1 else 'ies'} before it")
    return " · ".join(parts)


def _check(ch) -> str:
    credit = f" (credit {ch.credit:.2f})" if ch.credit is not None and not ch.passed else ""
    return " ".join(x for x in (MARK[ch.passed], ch.why) if x) + credit


def _number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _value(x, cap=None) -> str:
    shown = f"{x:.3f}" if isinstance(x, float) else str(x)
    shown = shown if len(shown) <= 120 else shown[:117] + "..."
    return shown + (f" (cap {cap:.2f})" if _number(cap) else "")


def _signed(x: float) -> str:
    return f"{x:+d}" if isinstance(x, int) else f"{x:+.3f}"


# --------------------------------------------------------------------------- the static view
def path_views(evo, cid=None) -> list[CandidateView]:
    """The candidate (default: the best) and every ancestor it has, seeds first."""
    start = evo.candidates[cid] if cid is not None else evo.best
    return [describe(evo, c.id) for c in evo.lineage(start)]


def _step(view) -> str:
    """One line for a step of the path: its headline and the size of its change against its better parent."""
    if not view.diffs:
        return _headline(view)
    pid, lines = min(view.diffs, key=lambda d: view.changes.get(d[0], float("inf")))   # the smallest gain: the better parent
    return f"{_headline(view)} · {_counts(lines)} against #{pid}"


def _candidates(views) -> str:
    return f"{len(views)} candidate{'s' * (len(views) != 1)}"


def path_text(evo, cid=None) -> str:
    """The winner's path, one line per candidate: the diffs themselves are the explorer's (a long run's
    crossovers, each against both parents, would fill a screen)."""
    views = path_views(evo, cid)
    return (f"The winner #{views[-1].id} and its path from the seed ({_candidates(views)}; each one's diff is "
            "in the explorer):\n" + "\n".join(_step(v) for v in views))


def path_html(evo, cid=None) -> str:
    """What ``explore`` leaves where no widget runs (GitHub, nbconvert): the winner's path, one line per
    candidate that opens on its code or its diffs, then the winner with its score breakdown (diffs folded)."""
    views = path_views(evo, cid)
    e = html.escape
    steps = []
    for v in views[:-1]:
        body = "".join(diff_html(lines, f"--- #{p} +++ #{v.id}") for p, lines in v.diffs) or \
            f"<pre style='{PRE.format(300)}'>{e(v.genome.rstrip())}</pre>"
        steps.append(_folded(_step(v), body))
    winner = html_view(views[-1], fold=True).replace("<details open>", "<details>")   # its reply: folded here
    return (f'<details open class="explore-path"><summary><b>The winner #{views[-1].id} and its path from the '
            f"seed</b> ({_candidates(views)}, seeds first; a static copy that reads where widgets do not run: "
            f"click a line to open it)</summary>{''.join(steps)}<hr>{winner}</details>")
