"""Notebook 02's exercise checks: a rule of your own, a crossover prompt of your own, an operator of your own,
other score weights."""

from ...checks import hint, say
from ..candidate import Check
from ..engine import Evolution
from ..operators import ContractError, Operator, check_operator
from .passwords import CROSSOVER_PROMPT, SEEDS, PasswordTask, password_checks


def _as_check(result):
    if isinstance(result, Check):
        return result.passed
    if isinstance(result, tuple):
        return bool(result[0])
    return bool(result)


def check_no_triple(rule, evo=None):
    """Exercise 1: ``rule(pw) -> Check`` fails when a character appears 3 times in a row."""
    if rule is None:
        say(False, "define no_triple(pw) -> Check(name, passed, why) first (see the cell above).")
        return False
    cases = {"Abc1!": True, "aab": True, "aaab": False, "Xy!!!z": False, "AbAbAb": True, "✨✨✨x": False,
             "a1a1a1": True, "ZZZ": False}
    ok = True
    for pw, want in cases.items():
        try:
            got = _as_check(rule(pw))
        except Exception as exc:
            say(False, f"rule({pw!r}) raised {type(exc).__name__}: {exc}")
            return False
        if got != want:
            ok = False
            say(False, f"rule({pw!r}) says {'pass' if got else 'fail'}, expected {'pass' if want else 'fail'}")
    if ok:
        say(True, f"the rule is right on {len(cases)} test passwords")
    if not (rule.__doc__ or "").strip():
        hint("give the rule a docstring: its first line becomes the rule text in the prompts")
    if evo is None:
        hint("now evolve again with PasswordTask(extra=[no_triple]) and pass the Evolution here as evo=")
        return False
    names = {c.name for c in evo.best.fitness.checks}
    if len(names) <= len(password_checks("x")):
        say(False, "the evolution's fitness does not include your rule: use task = PasswordTask(extra=[no_triple])")
        return False
    say(True, f"evolved with {len(names)} checks; best score {evo.best.score:.3f}: {evo.best.genome}")
    return ok


def check_crossover_prompt(template, evo=None):
    """Exercise 2: a crossover prompt of your own, run and compared on the learning curve."""
    if not template or template == CROSSOVER_PROMPT:
        say(False, "write MY_CROSSOVER: your own prompt (it differs from CROSSOVER_PROMPT)")
        return False
    missing = [k for k in ("{a}", "{b}") if k not in template]
    if missing:
        say(False, f"the prompt must show both parents: add {' and '.join(missing)}")
        return False
    try:
        template.format(rules="r", a="a", b="b", a_feedback="fa", b_feedback="fb")
    except (KeyError, IndexError, ValueError) as exc:
        say(False, f"template.format(...) fails: {exc!r}; the placeholders are {{rules}} {{a}} {{b}} "
              f"{{a_feedback}} {{b_feedback}} (double other braces)")
        return False
    say(True, "the prompt shows both parents" + (" and their feedback" if "feedback}" in template else
                                                 " (tip: add {a_feedback} and {b_feedback})"))
    if evo is None:
        hint("now run an evolution with PasswordTask(crossover_prompt=MY_CROSSOVER) and pass it as evo=")
        return False
    made = [c for c in evo.candidates.values() if c.op == "llm-crossover"]
    if not made:
        say(False, "that evolution made no crossover children: give crossover a share > 0")
        return False
    say(True, f"{len(made)} children came from your crossover; best score {evo.best.score:.3f} "
          f"after {len(evo.history) - 1} generations")
    return True


class _MakeFailed(Exception):
    """The learner's operator raised, or returned something that is not a password, for these parents."""

    def __init__(self, parents, what):
        shown = " and ".join(f"#{p.id} {p.genome!r}" for p in parents)
        super().__init__(f"make() {what}, for the parent{'s' if len(parents) > 1 else ''} {shown}")


class _OneGroupAtATime(Operator):
    """The learner's operator as the check runs it: one group of parents per call, so that an exception, or a
    reply that is not a password, names the parents it came from."""

    def __init__(self, op: Operator):
        self.op, self.arity, self.name = op, op.arity, op.name

    @property
    def calls(self):
        return self.op.calls

    def __call__(self, groups, contexts) -> list:
        replies = []
        for parents, ctx in zip(groups, contexts, strict=True):
            try:
                reply = self.op([parents], [ctx])[0]
            except Exception as exc:   # the learner's code: any error is a finding, said in one line
                raise _MakeFailed(parents, f"raised {type(exc).__name__}: {exc}") from exc
            if not (isinstance(reply, str) or isinstance(reply, list | tuple) and all(isinstance(r, str)
                                                                                     for r in reply)):
                raise _MakeFailed(parents, f"returned {reply!r:.40}, not a password: return the edited string")
            replies.append(reply)
        return replies


def check_my_operator(op, generations=20, evaluations=30, seed=0):
    """Exercise 3: an operator of your own, a recipe with no model. It evolves passwords from the lesson's seeds
    alone, then blind random mutation does the same from the same seeds, each until ``evaluations`` distinct
    passwords were scored (or ``generations`` went by): both budgets are fixed here, before either run. It passes
    only when the operator ran without an error, made new children, and one of them scored above its parent."""
    if op is None:
        say(False, "write class MyOperator(Operator) with make(self, parents, context) returning an edited copy of "
                   "parents[0].genome, then check_my_operator(MyOperator())")
        return False
    try:
        check_operator(op, "your operator")
    except ContractError as exc:
        say(False, str(exc))
        return False
    task = PasswordTask()

    def evolve(operators) -> Evolution:
        evo = Evolution(task.fitness, operators, seed=seed)
        evo.run(generations=generations, seeds=SEEDS, progress=False, max_evaluations=evaluations)
        return evo

    try:
        mine = evolve([_OneGroupAtATime(op)])
    except _MakeFailed as failed:
        say(False, str(failed))
        return False
    children = [c for c in mine.candidates.values() if c.op != "seed"]
    if not children:
        say(False, f"every child was a copy of a password already seen, or empty ({len(mine.record.given_up)} "
                   "given up after re-asks): make() must change the parent's genome")
        return False
    better = [c for c in children if c.score > max(mine.candidates[p].score for p in c.parents)]
    if not better:
        say(False, f"none of the {len(children)} children scored above its parent: make() changes the password "
                   "but fixes no failing check; read parents[0].fitness.checks and edit for a failing one")
        return False
    say(True, f"your operator made {len(children)} new children, {len(better)} of them better than their parent "
              f"({len(mine.record.given_up)} more were copies, given up)")
    control = evolve(task.random_operators(seed))
    for label, evo in (("your operator", mine), ("random mutation", control)):
        reached = next(n for n, _, best in evo.trace if best >= evo.best.score)
        print(f"  {label:<16} best {evo.best.score:.3f}, reached at evaluation {reached} of {evo.evaluations}: "
              f"{evo.best.genome}")
    if mine.evaluations < evaluations:
        hint(f"your operator's run stopped at {mine.evaluations} of {evaluations} evaluations: {mine.stopped}")
    return True


def check_speed_weights(task, evo=None, reference=None):
    """Exercise 4: a score that favours speed, and what the evolution found with it."""
    if task is None:
        say(False, "make fast_task = newsgroups_problem(data, accuracy_weight=..., ...) first")
        return False
    knobs = task.options
    speed_weight = 1 - knobs["accuracy_weight"]
    if speed_weight <= 0.2 and knobs["max_train_time"] >= 10 and knobs["max_pred_time"] >= 3:
        say(False, "this is still the post's score (0.8 accuracy, 10 s / 3 s caps): raise the speed weight "
              "(accuracy_weight < 0.8) and/or tighten max_train_time / max_pred_time")
        return False
    say(True, f"speed now weighs {speed_weight:g} (was 0.2), caps {knobs['max_train_time']:g} s / "
          f"{knobs['max_pred_time']:g} s")
    if knobs["max_train_time"] >= 10 and knobs["max_pred_time"] >= 3:
        hint("note: with the post's 10 s / 3 s caps almost every pipeline gets full speed marks, so the "
              "weight alone changes little; tighter caps make speed count")
    if evo is None:
        hint("now evolve with this task and pass the Evolution as evo=")
        return False
    best = evo.best
    info = best.fitness.info
    if "train_time" not in info:
        say(False, "no candidate of that evolution ran: look at evo.best.feedback")
        return False
    say(True, f"best score {best.score:.3f}: accuracy {info['accuracy']:.3f}, training {info['train_time']:.1f} s, "
          f"prediction {info['pred_time']:.2f} s")
    if reference is not None and "train_time" in reference.best.fitness.info:
        r = reference.best.fitness.info
        print(f"  the accuracy-first run's winner: accuracy {r['accuracy']:.3f}, training {r['train_time']:.1f} s")
    return True
