"""The Operator and Repair contracts: what the engine checks when it is made, and what a learner's own operator
gets from the loop."""

import pytest

from helpers import FakeLLM
from helpers.evolution import (
    ContractError,
    Evolution,
    Fitness,
    Operator,
    Repair,
    llm_mutation,
    random_mutation,
)


def length(genome):
    return Fitness(len(genome))


def test_a_plain_function_is_refused_with_what_to_write():
    def shout(groups, contexts):
        return [g[0].genome.upper() for g in groups]
    with pytest.raises(ContractError, match=r"operator 1 is the function shout\(\), not an Operator: subclass "
                                            r"helpers.evolution.Operator, set arity = 1"):
        Evolution(length, [shout])


def test_an_operator_that_makes_nothing_is_named():
    class Lazy(Operator):
        name = "lazy"
    with pytest.raises(ContractError, match=r"operator 2 \(lazy\) makes no child: .*write make\(self, parents, "
                                            r"context\) -> genome"):
        Evolution(length, [random_mutation(lambda g, r: g + "x"), (Lazy(), 0.5)])


def test_an_arity_other_than_one_or_two_is_named():
    class Three(Operator):
        arity, name = 3, "three-way"

        def make(self, parents, context):
            return "".join(p.genome for p in parents)
    with pytest.raises(ContractError, match=r"\(three-way\) has arity 3: set arity = 1"):
        Evolution(length, [Three()])


def test_a_repair_must_be_a_repair():
    with pytest.raises(ContractError, match=r"repair= is the function fix\(\), not a Repair: subclass"):
        def fix(candidate):
            return candidate.genome
        Evolution(length, [random_mutation(lambda g, r: g + "x")], repair=fix)
    with pytest.raises(ContractError, match="not a Repair"):
        Evolution(length, [random_mutation(lambda g, r: g + "x")], repair=Repair())   # its __call__ is not written


def test_a_learners_operator_overrides_make_only_and_runs():
    class Double(Operator):
        name = "double-last"

        def make(self, parents, context):
            return parents[0].genome + parents[0].genome[-1]
    evo = Evolution(length, [Double()], population_size=2, children=2, seed=0)
    evo.run(generations=3, seeds=["ab", "xyz"], progress=False)
    made = [c for c in evo.candidates.values() if c.op == "double-last"]
    assert made and evo.best.op == "double-last" and evo.best.score > 3
    assert evo.calls == 0 and evo.record.of(made[0].id).prompt == ""      # no model: no prompt, no call
    assert evo.stopped == f"generations=3: generation {evo.history[-1].generation} done"


def test_a_crossover_gets_two_parents():
    got = []

    class Join(Operator):
        arity, name = 2, "join"

        def make(self, parents, context):
            got.append(len(parents))
            return parents[0].genome + parents[1].genome
    evo = Evolution(length, [Join()], population_size=3, children=2, seed=1)
    evo.run(generations=1, seeds=["a", "bb", "ccc"], progress=False)
    assert got and set(got) == {2}


def test_a_repair_that_names_its_llm_has_its_calls_and_prompt_recorded():
    llm = FakeLLM(["fixed"])

    class Fix(Repair):
        def __call__(self, candidate):
            self.prompt = f"fix {candidate.genome}"
            return llm.chat(self.prompt)
    fix = Fix()
    fix.llm = llm
    crash = FakeLLM(["boom"])
    evo = Evolution(lambda g: Fitness(0.0, error="crashed") if g == "boom" else Fitness(len(g)),
                    [llm_mutation(crash, lambda c, ctx: f"improve {c.genome}", str.strip)], population_size=1,
                    children=1, repair=fix)
    evo.run(generations=1, seeds=["seed"], progress=False)
    boom = next(c for c in evo.candidates.values() if c.genome == "boom")
    repaired = next(c for c in evo.candidates.values() if c.op == "repair")
    assert evo.record.of(boom.id).repair_note == f"repaired: #{repaired.id}"
    made = evo.record.of(repaired.id)
    assert (made.prompt, made.reply, made.calls) == ("fix boom", "fixed", 1) and made.tokens > 0


def test_a_class_passed_for_an_instance_says_to_add_the_brackets():
    with pytest.raises(ContractError, match=r"operator 1 is the class RandomMutation, not an operator: pass an "
                                            r"instance, RandomMutation\(\)"):
        Evolution(length, [type(random_mutation(lambda g, r: g))])
