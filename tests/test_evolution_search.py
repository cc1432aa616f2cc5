"""What makes the evolution search rather than copy: novelty before evaluation (with bounded re-asks), AST
normalisation, memory and explore/exploit in the prompts, repair before discard, the cascade, held-out
reporting, and the fair comparison's budget accounting."""

import statistics

import pytest

from helpers import FakeLLM
from helpers.evolution import (
    PASSWORD_SEEDS,
    SEEDS,
    Context,
    Evolution,
    Fitness,
    Operator,
    PasswordTask,
    Repair,
    ast_key,
    best_within,
    difference,
    llm_crossover,
    llm_mutation,
    load_newsgroups,
    newsgroups_problem,
    random_mutation,
    run_arms,
    summarise_arms,
)


def length_score(genome):
    return Fitness(len(genome))


def mutation(fake, **kw):
    return llm_mutation(fake, lambda c, ctx: f"improve {c.genome}", lambda r: r.strip(), **kw)


# --------------------------------------------------------------------------- novelty
def test_a_copy_of_the_parent_is_rejected_and_asked_again_hotter_with_the_reply_named():
    fake = FakeLLM(["abc", "abcd"])          # the first reply echoes the parent
    evo = Evolution(length_score, [mutation(fake, temperature=0.7, hotter=0.3)], population_size=1, children=1)
    evo.run(1, seeds=["abc"], progress=False)
    first, again = fake.requests
    assert "previous reply was abc" not in first["messages"][0]["content"]
    assert "Your previous reply was abc which was already tried" in again["messages"][0]["content"]
    assert again["temperature"] == pytest.approx(1.0) and first["temperature"] == pytest.approx(0.7)
    assert [c.genome for c in evo.candidates.values()] == ["abc", "abcd"]   # the copy never became a child
    assert evo.novelty() == "novelty rate: 0.50 (1 of 2 replies new)"


def test_re_asks_are_bounded_and_a_child_that_is_never_new_is_given_up():
    fake = FakeLLM(["abc"] * 10)
    evo = Evolution(length_score, [mutation(fake)], population_size=1, children=1, reasks=2)
    evo.run(1, seeds=["abc"], progress=False)
    assert len(fake.requests) == 3                     # the ask and two re-asks, no more
    assert len(evo.candidates) == 1 and evo.evaluations == 1
    assert (evo.new_replies, evo.replies, evo.calls) == (0, 3, 3)


def test_a_reply_equal_to_any_genome_seen_before_is_not_new():
    fake = FakeLLM(["x", "xy", "seed-b", "xyz"])
    evo = Evolution(length_score, [mutation(fake)], population_size=2, children=1, reasks=1, seed=0)
    evo.run(3, seeds=["seed-a", "seed-b"], progress=False)   # the third reply repeats a seed
    genomes = [c.genome for c in evo.candidates.values()]
    assert len(genomes) == len(set(genomes))           # no genome twice, whichever parent it came from
    assert "seed-b" in fake.requests[-1]["messages"][0]["content"]   # the rejected reply is named


def test_a_crossover_of_identical_parents_becomes_a_mutation():
    fake = FakeLLM([f"child{i}" for i in range(10)])
    cross = llm_crossover(fake, lambda a, b, ctx: f"combine {a.genome} {b.genome}", lambda r: r)
    evo = Evolution(length_score, [(mutation(fake), 0.0001), (cross, 1.0)], population_size=1, children=3)
    evo.run(1, seeds=["only"], progress=False)          # one parent: every crossover would mate it with itself
    assert not any("combine" in r["messages"][0]["content"] for r in fake.requests)
    assert {c.op for c in evo.candidates.values() if c.generation == 1} == {"llm-mutation"}


# --------------------------------------------------------------------------- AST normalisation
def test_ast_key_ignores_formatting_comments_and_docstrings_but_not_behaviour():
    a = "def solve():\n    return make(alpha=1)\n"
    b = 'def solve():\n    """Build it."""\n    # a comment\n    return make( alpha = 1 )   # same call\n\n'
    c = "def solve():\n    return make(alpha=2)\n"
    assert ast_key(a) == ast_key(b)
    assert ast_key(a) != ast_key(c)
    assert ast_key("def f(:\n  pass # x\n") == ast_key("def f(:\n\n  pass\n")   # no parse: text without comments


def test_a_reformatted_program_is_not_a_new_child():
    parent = "def solve():\n    return 1\n"
    fake = FakeLLM(["```python\ndef solve():\n    # tidied\n    return  1\n```", "def solve():\n    return 2\n"])
    op = llm_mutation(fake, lambda c, ctx: "improve", lambda r: r.replace("```python", "").replace("```", ""))
    evo = Evolution(length_score, [op], population_size=1, children=1, key=ast_key)
    evo.run(1, seeds=[parent], progress=False)
    assert [c.genome.strip() for c in evo.candidates.values()] == [parent.strip(), "def solve():\n    return 2"]


# --------------------------------------------------------------------------- memory and explore/exploit
def test_the_context_carries_the_top_programs_the_parents_own_failures_first_and_alternates_modes():
    def fitness(g):
        return Fitness(0.0, error=f"{g} crashed") if g.startswith("bad") else Fitness(len(g))
    fake = FakeLLM(["bad1", "bad2", "good-long", "bad3"])
    evo = Evolution(fitness, [mutation(fake)], population_size=2, children=2, tournament=1, seed=3)
    evo.run(2, seeds=["aaaa", "bb"], progress=False)
    assert {evo.context([], 1).mode, evo.context([], 2).mode} == {"explore", "exploit"}
    bad = next(c for c in evo.candidates.values() if c.genome == "bad3")
    parent = evo.candidates[bad.parents[0]]
    ctx = evo.context([parent], 3)
    assert ctx.failures[0] is bad                       # the parent's own failed child comes first
    assert ctx.top[0].genome == "good-long" and all(not c.failed for c in ctx.top)


def test_newsgroups_prompts_show_memory_and_the_mode(small):
    task = newsgroups_problem(small)
    fake = FakeLLM(["no code here"] * 20)
    evo = Evolution(lambda g: Fitness(0.0, error="ValueError: boom") if "MultinomialNB" in g else Fitness(0.5),
                    task.operators(fake, crossover_share=0.0), population_size=3, children=1, key=ast_key)
    evo.start(SEEDS)
    [failed] = [c for c in evo.candidates.values() if "MultinomialNB" in c.genome]
    failed.op = "llm-mutation"                          # pretend it was a child, so it counts as a failure
    prompt = task.mutation_prompt(evo.candidates[0], evo.context([evo.candidates[0]], 1))
    assert "The best programs so far:" in prompt and "score 0.500: make_pipeline(" in prompt
    assert "Recent failures" in prompt and "ValueError: boom" in prompt
    assert "Explore one new direction:" in prompt and "Exploit:" in task.mutation_prompt(evo.candidates[0],
                                                                                          evo.context([], 2))


def test_explore_prompts_name_one_untried_idea_each_and_the_children_of_a_generation_get_different_ones(small):
    from dataclasses import replace
    task = newsgroups_problem(small)
    tfidf = Evolution(lambda g: Fitness(0.5), task.operators(FakeLLM([])), population_size=3).start(SEEDS)[2]
    assert "TfidfVectorizer" in tfidf.genome
    ctx = Context(generation=1, mode="explore")
    asked = [task.mutation_prompt(tfidf, replace(ctx, slot=i)).split("Explore one new direction: ")[1].split(".")[0]
             for i in range(3)]
    assert len(set(asked)) == 3 and not any("TF-IDF" in a for a in asked)    # the parent already uses TF-IDF
    later = task.mutation_prompt(tfidf, replace(ctx, generation=3))
    assert asked[0] not in later                                              # later generations go on down the list
    bare = newsgroups_problem(small, ideas=()).mutation_prompt(tfidf, ctx)
    assert "Explore: change the features or the model" in bare


def test_breed_gives_each_child_of_a_generation_its_own_slot():
    seen = []

    class Spy(Operator):
        def __call__(self, groups, contexts):
            seen.extend(c.slot for c in contexts)
            return [f"child {len(seen)}-{i}" for i in range(len(groups))]
    evo = Evolution(lambda g: Fitness(len(g)), [Spy()], population_size=3, children=3, seed=0)
    evo.run(1, seeds=["a", "bb", "ccc"], progress=False)
    assert seen == [0, 1, 2]


# --------------------------------------------------------------------------- repair before discard
def test_a_failed_child_gets_one_repair_and_the_fix_joins_as_its_child():
    asked = []

    class Fix(Repair):
        def __call__(self, c):
            asked.append(c.genome)
            return c.genome.replace("bad", "fixed")
    fake = FakeLLM(["bad-child"])
    evo = Evolution(lambda g: Fitness(0.0, error="crash") if "bad" in g else Fitness(len(g)), [mutation(fake)],
                    population_size=1, children=1, repair=Fix())
    evo.run(1, seeds=["seed"], progress=False)
    assert asked == ["bad-child"] and evo.repairs == 1
    fix = next(c for c in evo.candidates.values() if c.op == "repair")
    assert fix.genome == "fixed-child" and evo.candidates[fix.parents[0]].genome == "bad-child"
    assert evo.best is fix


BROKEN = SEEDS[2].replace("SGDClassifier()", "SGDClassifier(loss='no-such-loss')")


@pytest.mark.parametrize("where", ["cache", "tmp"])
def test_newsgroups_repair_uses_notebook_01s_loop_with_the_evaluation_as_its_test(small, where, tmp_path):
    data = small
    if where == "tmp":   # a data file under /tmp (HOME there): the sandbox's own /tmp must not hide it
        import shutil
        from dataclasses import replace
        data = replace(small, path=str(shutil.copy(small.path, tmp_path / "data.pkl")))
    task = newsgroups_problem(data)
    fixed = f"```python\n{SEEDS[2]}```"
    fake = FakeLLM([fixed])
    evo = Evolution(task.fitness, [llm_mutation(FakeLLM([f"```python\n{BROKEN}```"]), lambda c, ctx: "x",
                                                lambda r: r.split("```python\n")[1].split("```")[0])],
                    population_size=1, children=1, key=ast_key, repair=task.repairer(fake))
    evo.run(1, seeds=[SEEDS[0]], progress=False)
    broken = next(c for c in evo.candidates.values() if c.op == "llm-mutation")
    assert broken.failed and "no-such-loss" in broken.fitness.error
    [request] = fake.requests                            # one repair attempt, with the evaluator's error
    assert "failed when it was evaluated" in request["messages"][-1]["content"]
    assert "no-such-loss" in request["messages"][-1]["content"]
    fix = next(c for c in evo.candidates.values() if c.op == "repair")
    assert fix.parents == (broken.id,) and not fix.failed and fix.score > 0


# --------------------------------------------------------------------------- the cascade and held-out honesty
@pytest.fixture(scope="module")
def small():
    return load_newsgroups(limit=700)


def staged(task, accuracy):
    """Record which stages a program was run at, with a made-up accuracy per stage (no sandbox)."""
    stages = []

    def measure(block, stage):
        stages.append(stage)
        return {"accuracy": accuracy[stage], "train_time": 0.1, "pred_time": 0.1, "n_train": 100, "n_predict": 50}, {}
    task._measure = measure
    return stages


def test_the_cascade_stops_a_weak_candidate_after_the_slice_and_runs_a_good_one_fully(small):
    task = newsgroups_problem(small, cascade=0.5)
    stages = staged(task, {"slice": 0.4, "validation": 0.7, "test": 0.9})
    weak = task.fitness("def solve(): ...")
    assert stages == ["slice"] and weak.info["stage"] == "slice"
    assert any(c.name == "cascade" and "below 0.500" in c.why for c in weak.checks)
    stages.clear()
    task.thresholds = [0.3]
    assert task.fitness("def solve(): ...").info["stage"] == "validation" and stages == ["slice", "validation"]
    assert "test" not in stages                          # selection never sees the test split


def test_the_cascade_with_real_programs_in_the_sandbox(small):
    task = newsgroups_problem(small, cascade=1.01, slice_size=100)   # no accuracy reaches 1.01, even on the made-up corpus
    stopped = task.fitness(SEEDS[2])
    assert stopped.info["stage"] == "slice" and stopped.score > 0
    assert [c.why for c in stopped.checks if c.name == "cascade" and c.passed is False], "says why it stopped"
    task.thresholds = [0.0]
    full = task.fitness(SEEDS[2])
    assert full.info["stage"] == "validation" and not [c for c in full.checks if c.name == "cascade"]


def test_held_out_reporting_uses_the_test_split_only_there(small):
    task = newsgroups_problem(small)
    stages = staged(task, {"slice": 0.1, "validation": 0.2, "test": 0.75})
    table = task.held_out_table({"seed": "def solve(): 'a'", "winner (#7)": "def solve(): 'b'"})
    assert stages == ["test", "test"]
    assert list(table["program"]) == ["seed", "winner (#7)"] and list(table["held-out accuracy"]) == [0.75, 0.75]


def test_the_validation_split_is_inside_the_training_split_and_the_test_split_is_untouched(small):
    task = newsgroups_problem(small)
    val, test = task.run(SEEDS[2], "validation"), task.run(SEEDS[2], "test")
    assert val.info["stage"] == "validation" and test.info["stage"] == "test"
    assert "validation split" in val.feedback() and "held-out test split" in test.feedback()


# --------------------------------------------------------------------------- the fair comparison
def test_equal_budget_accounting_of_the_three_arms():
    replies = iter(f"Pass{i}word✨!{i % 7}x" for i in range(1000))

    def reply(request):   # best-of-N asks for 3 passwords a call, the GA for one
        return "\n".join(next(replies) for _ in range(3 if "Write 3" in str(request["messages"]) else 1))
    fake = FakeLLM([reply] * 200)
    traces, ga = run_arms(PasswordTask(), fake, PASSWORD_SEEDS, 0, calls=6, k=3)
    n = len(PASSWORD_SEEDS)
    assert ga.calls >= 6 and all(t[1] == 0 for t in traces["LLM GA"][:n])          # the seeds cost no call
    bon = traces["LLM best-of-N"]
    assert len(bon) == n + 18 and bon[-1][1] == 6                                  # 6 calls x 3 passwords
    blind = traces["random-mutation GA"]
    assert all(calls == max(0, evals - n) for evals, calls, _ in blind)           # one edit per "call"
    assert best_within(bon, n + 3, "evaluations") <= best_within(bon, 6, "calls")
    rows = summarise_arms([traces, traces, traces], 6, n + 6)
    assert [r["arm"] for r in rows] == ["LLM GA", "random-mutation GA", "LLM best-of-N"]
    assert all("± 0.000" in r["best at 6 calls"] for r in rows)                   # identical runs: no spread


def test_random_mutation_counts_no_llm_calls():
    evo = Evolution(length_score, [random_mutation(lambda g, r: g + "x")], population_size=1, children=1)
    evo.run(3, seeds=["a"], progress=False)
    assert evo.calls == 0 and evo.evaluations == 4


def test_k_variants_in_one_reply_the_first_new_one_becomes_the_child_and_the_reply_counts_as_new():
    fake = FakeLLM(["1. Tiger!!88\n2. Tiger!!78\n3. Tiger!!69"])        # the first variant echoes the parent
    task = PasswordTask()
    evo = Evolution(task.fitness, task.operators(fake, crossover_share=0.0), population_size=1, children=1)
    evo.run(1, seeds=["Tiger!!88"], progress=False)
    assert "3 different edited passwords" in fake.requests[0]["messages"][0]["content"]
    assert [c.genome for c in evo.candidates.values()] == ["Tiger!!88", "Tiger!!78"]
    assert (evo.new_replies, evo.replies, evo.calls) == (1, 1, 1)


def test_a_reply_whose_variants_are_all_old_is_asked_again_naming_them():
    fake = FakeLLM(["Tiger!!88\nTiger!!88", "Tiger!!78"])
    task = PasswordTask()
    evo = Evolution(task.fitness, task.operators(fake, crossover_share=0.0), population_size=1, children=1)
    evo.run(1, seeds=["Tiger!!88"], progress=False)
    assert "Your previous reply was" in fake.requests[1]["messages"][0]["content"]
    assert "Tiger!!88" in fake.requests[1]["messages"][0]["content"].split("previous reply")[1]
    assert evo.novelty() == "novelty rate: 0.50 (1 of 2 replies new)"


def test_difference_is_paired_by_seed_with_its_standard_error():
    def arms(llm, blind):   # traces of (evaluations, calls, best so far)
        return {"LLM GA": [(1, 0, 0.5), (2, 4, llm)], "random-mutation GA": [(1, 0, 0.5), (2, 4, blind)]}
    runs = [arms(0.9, 0.8), arms(1.0, 0.8), arms(0.95, 0.85)]
    mean, se, per_seed = difference(runs, 4, "calls")
    assert per_seed == pytest.approx([0.1, 0.2, 0.1])
    assert mean == pytest.approx(0.4 / 3) and se == pytest.approx(statistics.stdev(per_seed) / 3 ** 0.5)
    assert difference(runs, 3, "calls")[2] == [0, 0, 0]           # within 3 calls both had only the seeds

