"""The evolution engine, checked against brute force on tiny problems with a known optimum."""

import itertools
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers import FakeLLM
from helpers.evolution import (
    Check,
    Evolution,
    Fitness,
    best_of_n,
    llm_crossover,
    llm_mutation,
    random_mutation,
    show_diff,
)

TARGET = "10110100"


def onemax_like(genome: str) -> Fitness:
    """Matches with TARGET, plus a bonus for an even count of ones: the unique optimum is TARGET (8 + 1)."""
    matches = sum(a == b for a, b in zip(genome, TARGET, strict=False))
    bonus = 1 if genome.count("1") % 2 == 0 else 0
    return Fitness(matches + bonus, [Check("even ones", bool(bonus), f"{genome.count('1')} ones")])


def flip(genome, rng):
    i = rng.randrange(len(genome))
    return genome[:i] + ("1" if genome[i] == "0" else "0") + genome[i + 1:]


def test_the_engine_finds_the_brute_force_optimum():
    space = ["".join(bits) for bits in itertools.product("01", repeat=8)]
    best_score = max(onemax_like(g).score for g in space)
    optimal = {g for g in space if onemax_like(g).score == best_score}
    evo = Evolution(onemax_like, [random_mutation(flip, seed=1)], population_size=4, children=4, seed=1)
    evo.run(30, seeds=["00000000", "01001000", "11111111", "00100000"], progress=False)
    assert optimal == {TARGET}                       # the reference: brute force over all 256 genomes
    assert evo.best.score == best_score and evo.best.genome == TARGET
    assert evo.evaluations < len(space)              # and it got there without trying them all


def test_elitism_keeps_the_best_and_the_best_never_drops():
    evo = Evolution(onemax_like, [random_mutation(flip, seed=3)], population_size=4, children=4, elite=2,
                    diversity=0.5, seed=3)
    evo.start(["00000000", "01001000", "11111111", "00100000"])
    for gen in range(1, 8):
        elite = sorted(evo.population, key=lambda c: (-c.score, c.id))[:2]
        children = evo.breed(evo.pick_parents(evo.population), gen)
        evo.evaluate(children)
        survivors = evo.survivors(evo.population + children, gen)
        assert all(e.genome in {s.genome for s in survivors} for e in elite)
    bests = [h.best for h in evo.history]
    assert bests == sorted(bests)
    assert len({c.genome for c in evo.population}) == len(evo.population)   # no duplicates survive


def test_diversity_keeps_a_different_sub_optimal_candidate():
    scores = {"aaaa": 4, "aaab": 3, "aaba": 3, "zzzz": 1}
    evo = Evolution(lambda g: Fitness(scores[g]), [random_mutation(lambda g, r: g)], population_size=2, elite=1,
                    diversity=1.0, seed=0)
    kept = evo.survivors(evo.evaluate([evo._new(g, (), 0, "seed") for g in scores]), 0)
    assert [c.genome for c in kept] == ["aaaa", "zzzz"]   # not the next best "aaab": the most different
    evo.diversity = 0.0
    kept = evo.survivors(list(evo.candidates.values()), 1)
    assert [c.genome for c in kept] == ["aaaa", "aaab"]


def test_duplicates_are_scored_once():
    calls = []

    def counting(g):
        calls.append(g)
        return Fitness(len(g))
    evo = Evolution(counting, [random_mutation(lambda g, r: g)], population_size=3, children=3, seed=0)
    evo.run(2, seeds=["ab", "ab", "abc"], progress=False)
    assert sorted(calls) == ["ab", "abc"]
    assert evo.evaluations == 2
    assert all(c.fitness is not None for c in evo.candidates.values())


def test_llm_operators_send_one_concurrent_batch_with_distinct_samples_and_feedback():
    seen, lock, active, peak = [], threading.Lock(), [0], [0]

    def reply(request):
        import time
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            seen.append(request)
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return "1. 10110100"
    fake = FakeLLM([reply] * 20)
    mutate = llm_mutation(fake, lambda c, ctx: f"improve {c.genome}\n{c.feedback}", lambda r: r.split()[-1])
    cross = llm_crossover(fake, lambda a, b, ctx: f"combine {a.genome} {b.genome}", lambda r: r.split()[-1])
    evo = Evolution(onemax_like, [(mutate, 0.5), (cross, 0.5)], population_size=2, children=4, seed=0, reasks=0)
    evo.run(1, seeds=["00000000", "00000001"], progress=False)
    assert len(seen) == 4 and peak[0] >= 2                      # the children were asked concurrently
    assert evo.new_replies == 1 and evo.replies == 4            # the same reply four times: one child only
    assert any("FAIL even ones" in r["messages"][0]["content"] or "PASS even ones" in r["messages"][0]["content"]
               for r in seen if "improve" in r["messages"][0]["content"])
    mutation_samples = [r["sample"] for r in seen if "improve" in r["messages"][0]["content"]]
    prompts = [r["messages"][0]["content"] for r in seen if "improve" in r["messages"][0]["content"]]
    if len(set(prompts)) < len(prompts):
        assert len(set(mutation_samples)) == len(mutation_samples)
    assert evo.best.genome == TARGET
    kids = [c for c in evo.candidates.values() if c.generation == 1]
    assert {c.op for c in kids} <= {"llm-mutation", "llm-crossover"}
    assert all(len(c.parents) == (2 if c.op == "llm-crossover" else 1) for c in kids)


def test_the_same_parent_asked_again_gets_a_new_sample():
    fake = FakeLLM(["x", "y", "z", "w"])
    mutate = llm_mutation(fake, lambda c, ctx: "same prompt", lambda r: r)
    evo = Evolution(lambda g: Fitness(0), [mutate], population_size=1, children=2, seed=0)
    evo.run(2, seeds=["a"], progress=False)
    assert [r["sample"] for r in fake.requests] == [0, 1, 2, 3]


def test_an_empty_reply_is_never_a_child_and_is_asked_again():
    fake = FakeLLM(["", "", "01000000", "11100000"])
    evo = Evolution(onemax_like, [llm_mutation(fake, lambda c, ctx: c.genome, lambda r: r)], population_size=2,
                    children=2, seed=0)
    evo.run(1, seeds=["00000000", "11000000"], progress=False)
    kids = [c for c in evo.candidates.values() if c.generation == 1]
    assert sorted(c.genome for c in kids) == ["01000000", "11100000"]
    assert "no usable answer" in fake.requests[-1]["messages"][0]["content"]


def test_lineage_follows_every_parent_back_to_the_seeds():
    evo = Evolution(onemax_like, [random_mutation(flip, seed=5)], population_size=3, children=3, seed=5)
    evo.run(6, seeds=["00000000", "01001000", "11111111"], progress=False)
    line = evo.lineage()
    assert line[-1] is evo.best and line[0].op == "seed"
    ids = {c.id for c in line}
    assert all(set(c.parents) <= ids for c in line)
    assert [c.generation for c in line] == sorted(c.generation for c in line)


def test_a_thread_pool_gives_the_same_run_as_sequential_evaluation():
    def run(executor):
        evo = Evolution(onemax_like, [random_mutation(flip, seed=7)], population_size=4, children=4, seed=7,
                        executor=executor)
        evo.run(5, seeds=["00000000", "01001000", "11111111", "00100000"], progress=False)
        return [(c.genome, c.score) for c in evo.candidates.values()], evo.trace
    with ThreadPoolExecutor(2) as pool:
        assert run(pool) == run(None)


def test_trace_and_history_and_best_of_n():
    evo = Evolution(onemax_like, [random_mutation(flip, seed=2)], population_size=2, children=2, seed=2)
    evo.run(4, seeds=["00000000", "11111111"], progress=False)
    xs, calls, ys = zip(*evo.trace, strict=True)
    assert list(xs) == list(range(1, evo.evaluations + 1))
    assert list(ys) == sorted(ys) and set(calls) == {0}      # blind mutation makes no LLM call
    assert len(evo.history) == 5 and list(evo.table()["generation"]) == [0, 1, 2, 3, 4]
    trace = best_of_n([["00000000", TARGET], [TARGET, "11111111"]], onemax_like)   # two calls, two each
    assert trace == [(1, 1, 5), (2, 1, 9), (3, 2, 9)]      # the repeat is not scored again


def test_show_diff_marks_changes():
    text = show_diff("a\nb\n", "a\nc\n")
    assert "-b" in text and "+c" in text
    assert show_diff("same", "same") == "(no change)"


def test_random_mutation_is_reproducible():
    a = random_mutation(flip, seed=9)
    b = random_mutation(flip, seed=9)
    groups = [[type("C", (), {"genome": "00000000"})()]] * 5
    assert a(groups, [None] * 5) == b(groups, [None] * 5)
    assert random.Random(0) is not None


def test_a_failed_child_does_not_keep_a_place_while_a_scored_one_is_left():
    def fit(g):
        return Fitness(0.0, error="Traceback: crashed") if g == "crash!!!" else Fitness(len(g) / 10)
    evo = Evolution(fit, [random_mutation(lambda g, r: g)], population_size=3, elite=1, diversity=1.0, seed=0)
    pool = evo.evaluate([evo._new(g, (), 0, "seed") for g in ["aaaa", "aaab", "aab", "crash!!!"]])
    kept = evo.survivors(pool, 0)
    assert "crash!!!" not in [c.genome for c in kept]        # the most different, but it failed
    assert evo.history[-1].mean > 0.3
    kept = evo.survivors(pool[:1] + pool[3:], 1)              # nothing scored left: then it may fill a place
    assert [c.genome for c in kept] == ["aaaa", "crash!!!"]


def test_run_names_the_budget_that_stopped_it_and_the_bar_counts_that_budget(monkeypatch, capsys):
    import tqdm.auto
    bars = []

    class Bar:
        def __init__(self, total=None, desc="", initial=0):
            self.total, self.desc, self.n = total, desc, initial
            bars.append(self)

        def update(self, n):
            self.n += n

        def close(self):
            pass
    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    fake = FakeLLM([f"{i:08b}" for i in range(256)])
    evo = Evolution(onemax_like, [llm_mutation(fake, lambda c, ctx: c.genome, lambda r: r)], population_size=2,
                    children=2, seed=0)
    evo.run(generations=12, seeds=["00000000", "11000000"], max_calls=5)
    assert (bars[0].desc, bars[0].total, bars[0].n) == ("LLM calls", 5, 5)      # not 12 generations
    last = evo.history[-1].generation
    assert last < 12 and evo.stopped == f"max_calls=5: {evo.calls} LLM calls after generation {last}"
    assert "stopped by max_calls=5" in capsys.readouterr().out
    evo.run(generations=2)                                     # it goes on from where it stood
    assert (bars[1].desc, bars[1].total, bars[1].n) == ("generations", 2, 2)
    assert evo.stopped == f"generations=2: generation {last + 2} done"
    blind = Evolution(onemax_like, [random_mutation(flip, seed=1)], population_size=2, children=2, seed=1)
    blind.run(seeds=["00000000", "11000000"], max_evaluations=9, progress=False)   # no generation limit
    assert blind.stopped.startswith("max_evaluations=9") and blind.evaluations >= 9
    with pytest.raises(ValueError, match="budget"):
        blind.run()
