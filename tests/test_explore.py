"""The evolution explorer reads what the engine recorded: prompts, raw replies, operators, parents, scores,
errors, repairs, rejected copies, calls and tokens per candidate. Fake runs, no real model."""

from html.parser import HTMLParser

import matplotlib
import pytest

from helpers import FakeLLM
from helpers.evolution import (
    Check,
    Evolution,
    Explorer,
    Fitness,
    Repair,
    explore,
    llm_crossover,
    llm_mutation,
    plot_lineage,
)
from helpers.evolution.explore import WinnerPath, _png
from helpers.evolution.explore_view import fold_diff, html_view, path_html, path_text, pick, quick_pick, text

matplotlib.use("Agg")


def fitness(genome):
    """Longer is better; a genome with "boom" in it crashes, as a program would."""
    if "boom" in genome:
        return Fitness(0.0, [Check("runs", False, "crashed")], error="ValueError: boom", info={"status": "error"})
    return Fitness(len(genome) / 10, [Check("runs", True, "ran"), Check("short", len(genome) <= 6, f"{len(genome)} long")],
                   info={"length": len(genome), "status": "ok"})


def answer(request):
    """The fake model: a crossover joins its parents; "aaa" is echoed once (a copy), then grown; "bbbbb" crashes."""
    prompt = request["messages"][0]["content"]
    if prompt.startswith("combine"):
        _, a, b = prompt.split()[:3]
        return a + b
    if prompt.startswith("fix"):
        return prompt.split()[1].replace("boom", "fixed")
    parent = prompt.split()[1]
    if parent == "aaa":
        return "aaaa" if "previous reply" in prompt else "aaa"
    return "boom" + parent


def fake_run():
    """Seeds "aaa" and "bbbbb"; one generation of three hand-picked jobs: a crossover, a mutation that first
    copies its parent, and a mutation that crashes and is repaired."""
    llm = FakeLLM([answer] * 20)
    mutate = llm_mutation(llm, lambda c, ctx: f"improve {c.genome}", lambda r: r.strip())
    cross = llm_crossover(llm, lambda a, b, ctx: f"combine {a.genome} {b.genome}", lambda r: r.strip())

    class Fix(Repair):
        def __call__(self, candidate):
            return llm.chat(f"fix {candidate.genome}")
    fix = Fix()
    fix.llm = llm
    evo = Evolution(fitness, [mutate, cross], population_size=2, repair=fix)
    a, b = evo.start(["aaa", "bbbbb"])[::-1]
    children = evo.evaluate(evo.breed([(cross, (a, b)), (mutate, (a,)), (mutate, (b,))], 1))
    evo.survivors(evo.population + children, 1)
    return evo, {c.genome: c for c in evo.candidates.values()}


def test_a_crossover_child_shows_its_two_parents_and_two_diffs():
    evo, by = fake_run()
    child = by["aaabbbbb"]
    view = _select(evo, child.id).view
    assert view.parents == [by["aaa"].id, by["bbbbb"].id] and view.operator == "crossover"
    assert [pid for pid, _ in view.diffs] == view.parents
    assert all(any(kind == "+" for kind, _ in lines) for _, lines in view.diffs)
    assert html_view(view).count('class="explore-diff"') == 2
    assert view.prompt == "combine aaa bbbbb" and view.reply == "aaabbbbb" and view.calls == 1 and view.tokens > 0


def test_a_crashed_child_shows_its_error_and_the_repair_that_followed():
    evo, by = fake_run()
    crashed, fixed = by["boombbbbb"], by["fixedbbbbb"]
    view = _select(evo, crashed.id).view
    assert view.error == "ValueError: boom" and view.repair == f"repaired: #{fixed.id}"
    assert view.repair_child == fixed.id and fixed.id in view.children
    assert "Repair: repaired" in html_view(view) and "ValueError: boom" in text(view)
    repair = _select(evo, fixed.id).view
    assert repair.operator == "repair" and repair.parents == [crashed.id] and repair.calls == 1
    assert ("-", "boombbbbb") in repair.diffs[0][1] and ("+", "fixedbbbbb") in repair.diffs[0][1]


def test_a_rejected_copy_is_counted_and_shown():
    evo, by = fake_run()
    view = _select(evo, by["aaaa"].id).view
    assert view.rejected == ["aaa"] and view.calls == 2          # the ask, and the re-ask
    assert view.operator == "mutation, re-asked after 1 rejected copy"
    assert "Your previous reply was aaa" in view.prompt          # the prompt that made it: the re-ask
    assert "1 rejected copy before it" in text(view) and "Rejected copy 1: not admitted" in html_view(view)
    assert "1 rejected copies" in Explorer(evo)._summary()


def test_a_child_never_new_is_counted_as_given_up():
    llm = FakeLLM(["aaa"] * 5)
    evo = Evolution(fitness, [llm_mutation(llm, lambda c, ctx: f"improve {c.genome}", str.strip)],
                    population_size=1, children=1, reasks=2)
    evo.run(1, seeds=["aaa"], progress=False)
    assert [(g["generation"], g["rejected"], g["calls"]) for g in evo.record.given_up] == [(1, ["aaa"] * 3, 3)]
    assert "(1 children given up)" in Explorer(evo)._summary()


def test_the_score_change_against_the_parent_is_right():
    evo, by = fake_run()
    view = _select(evo, by["aaaa"].id).view
    assert view.change == pytest.approx(0.4 - 0.3)
    rows = {r.name: r for r in view.breakdown}
    assert (rows["score"].value, rows["score"].parent, rows["score"].change) == ("0.400", "0.300", "+0.100")
    assert (rows["length"].value, rows["length"].parent, rows["length"].change) == ("4", "3", "+1")
    cross = _select(evo, by["aaabbbbb"].id).view                # against the better parent, and each named
    assert cross.change == pytest.approx(0.8 - 0.5) and cross.changes[by["aaa"].id] == pytest.approx(0.5)
    assert rows["short"].value == "PASS 4 long" and {r.name: r for r in cross.breakdown}["short"].change == "now fails"
    assert [c.genome for c in pick(evo, improved=True)] == ["aaabbbbb", "aaaa", "fixedbbbbb"]


def test_a_run_of_one_generation_explores(capsys):
    llm = FakeLLM([answer] * 10)
    evo = Evolution(fitness, [llm_mutation(llm, lambda c, ctx: f"improve {c.genome}", str.strip)],
                    population_size=2, children=2, seed=0)
    evo.run(1, seeds=["aaa", "cc"], progress=False)
    ax = explore(evo)
    assert ax.get_xlabel() == "generation" and _png(ax.figure).startswith(b"\x89PNG")   # the widget's picture
    shown = Explorer(evo)
    box = shown.widget()
    assert f"#{evo.best.id}" in shown._ui["panel"].value and box.children
    assert "The winner" in WinnerPath(evo)._repr_html_() and f"#{evo.best.id}" in repr(WinnerPath(evo))


def test_the_static_path_is_one_line_per_candidate_and_keeps_its_diffs_folded():
    """Under the widget, a long run's diffs (a crossover's against both parents) must not fill the page."""
    evo, by = fake_run()
    cross = by["aaabbbbb"]                          # a crossover, with both seeds on its path
    lines = path_text(evo, cross.id).splitlines()
    assert len(lines) == 1 + 3 and lines[-1].startswith(f"#{cross.id} ")
    assert not [line for line in lines if line.startswith(("+", "-", "@@"))]
    assert lines[-1].endswith(f"against #{by['bbbbb'].id}")   # its change against the better parent, in size
    page = path_html(evo, cross.id)
    assert page.count('class="explore-diff"') == 2   # the crossover's two diffs, each one click away
    assert diffs_shown_open(page) == 0


def diffs_shown_open(page: str) -> int:
    """How many diffs a reader sees without a click: those inside no closed <details>."""
    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.open_diffs = [], 0

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "details":
                self.stack.append("open" in attrs)
            if tag == "pre" and "explore-diff" in (attrs.get("class") or "") and all(self.stack):
                self.open_diffs += 1

        def handle_endtag(self, tag):
            if tag == "details":
                self.stack.pop()
    reader = Reader()
    reader.feed(page)
    return reader.open_diffs


def test_a_run_where_every_child_crashed_explores():
    llm = FakeLLM([lambda r: "boom" + r["messages"][0]["content"].split()[1]] * 20)
    evo = Evolution(fitness, [llm_mutation(llm, lambda c, ctx: f"improve {c.genome}", str.strip)],
                    population_size=2, children=2, seed=0)
    evo.run(2, seeds=["aaa", "cc"], progress=False)
    children = [c for c in evo.candidates.values() if c.op != "seed"]
    assert children and all(c.failed for c in children)
    assert pick(evo, crashed=True) == children and quick_pick(evo, "crashed") is children[0]
    assert evo.best.op == "seed" and quick_pick(evo, "worst").failed
    explorer = Explorer(evo)
    explorer.widget()
    explorer._quick("crashed")
    assert explorer.selected == children[0].id and "ValueError: boom" in explorer._ui["panel"].value
    assert "no repair tried" in explorer._ui["panel"].value
    plot_lineage(evo, explorer.selected)
    assert "The winner" in WinnerPath(evo)._repr_html_()


def test_the_widget_follows_clicks_and_filters():
    evo, by = fake_run()
    explorer = Explorer(evo)
    explorer.widget()
    ui = explorer._ui
    ui["candidate"].value = by["aaaa"].id                      # a pick in the list
    assert f'data-candidate="{by["aaaa"].id}"' in ui["panel"].value
    parent = next(b for b in ui["nav"].children if b.description == f"parent #{by['aaa'].id}")
    parent.click()                                              # its parent, one click away
    assert explorer.selected == by["aaa"].id and ui["candidate"].value == by["aaa"].id
    ui["crashed"].value = True                                  # only crashes: the list holds the crash alone
    assert [v for _, v in ui["candidate"].options] == [by["boombbbbb"].id] and explorer.selected == by["boombbbbb"].id
    ui["crashed"].value = False
    ui["generation"].value = 0                                  # one generation: the two seeds
    assert sorted(v for _, v in ui["candidate"].options) == sorted([by["aaa"].id, by["bbbbb"].id])
    ui["generation"].value = "all"
    assert len(ui["candidate"].options) == len(evo.candidates)


def test_fold_diff_folds_long_unchanged_runs_and_keeps_context():
    before = "\n".join(f"line {i}" for i in range(20))
    after = before.replace("line 10", "line ten")
    lines = fold_diff(before, after, context=2)
    assert ("-", "line 10") in lines and ("+", "line ten") in lines
    assert [t for k, t in lines if k == "…"] == ["8 unchanged lines", "7 unchanged lines"]
    assert fold_diff("same", "same") == [("…", "no change")]


def _select(evo, cid) -> Explorer:
    explorer = Explorer(evo)
    explorer.select(cid)
    return explorer


def test_a_learners_metrics_dict_is_broken_down_metric_by_metric():
    """Notebook 05's runs: Fitness.info holds whatever the learner's evaluator returned."""
    def metrics(genome):
        m = {"combined_score": len(genome) / 10, "bins_used": 20 - len(genome), "notes": {"kind": genome[:1]}}
        return Fitness(m["combined_score"], [Check(k, None, str(v)) for k, v in m.items()],
                       info={**m, "status": "ok", "stage": "evaluate"})
    llm = FakeLLM([answer] * 10)
    evo = Evolution(metrics, [llm_mutation(llm, lambda c, ctx: f"improve {c.genome}", str.strip)],
                    population_size=1, children=1)
    evo.run(1, seeds=["cc"], progress=False)
    rows = {r.name: r for r in _select(evo, 1).view.breakdown}
    assert (rows["bins_used"].value, rows["bins_used"].parent, rows["bins_used"].change) == ("14", "18", "-4")
    assert rows["notes"].value == "{'kind': 'b'}" and rows["stage"].value == "evaluate"
    assert [r.name for r in _select(evo, 1).view.breakdown].count("bins_used") == 1   # not also as a check
