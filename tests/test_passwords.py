"""Password fitness: emoji, digits, lengths, parsing, prompts and the exercise checks."""

import random

import pytest

from helpers import FakeLLM
from helpers.evolution import (
    CROSSOVER_PROMPT,
    Check,
    Evolution,
    PasswordTask,
    check_crossover_prompt,
    check_no_triple,
    find_emoji,
    parse_password,
    password_fitness,
)
from helpers.evolution.tasks.passwords import (
    MONTH,
    SEEDS,
    fix_hint,
    has_a_month,
    parse_passwords,
    random_edit,
)

PERFECT = "Sun7#Moon8✨Rise"   # 15 visible characters, 7 + 8 = 15, both cases, an emoji, a special


def checks(pw):
    return {c.name: c for c in password_fitness(pw).checks}


@pytest.mark.parametrize("emoji", ["✨", "⭐", "⚡", "❤️", "🫶", "😀", "👍🏽", "👩‍💻", "👨‍👩‍👧", "🇪🇸", "1️⃣", "☺️",
                                   "🏴󠁧󠁢󠁳󠁣󠁴󠁿"])
def test_real_emoji_are_found_whole(emoji):
    assert find_emoji(f"ab{emoji}cd") == [emoji]


@pytest.mark.parametrize("look_alike", ["★", "☆", "♡", "✓", "©", "™", "❤", ":)", "<3", "🇪", "#", "²", "ツ"])
def test_look_alikes_are_not_emoji(look_alike):
    assert find_emoji(f"ab{look_alike}cd") == []
    assert not checks(f"Ab{look_alike}").get("emoji").passed


def test_a_perfect_password_scores_one():
    fit = password_fitness(PERFECT)
    assert fit.score == 1.0, fit.feedback()
    assert all(c.passed for c in fit.checks)


def test_unicode_digits_do_not_crash_and_count_by_value():
    c = checks("Ab!✨xyz²²²5a")          # ² has no decimal value: not a digit, and no crash
    assert not c["two digits"].passed and "²" in c["two digits"].why
    c = checks("Ab!✨xyzwv٧8qq")          # Arabic-Indic seven counts as 7
    assert c["digit sum"].passed and c["two digits"].passed


def test_digit_sum_must_be_exact_and_keycap_digits_are_emoji_not_digits():
    assert not checks("Ab!✨xyzwv78qq9")["digit sum"].passed
    c = checks("Ab!1️⃣xyzwv78qq")
    assert c["emoji"].passed and c["digit sum"].passed       # the 1 inside 1️⃣ is part of the emoji


def test_length_counts_an_emoji_as_one_character():
    assert "12 characters" in checks("Ab!78cdefgh👨‍👩‍👧")["length"].why
    assert not checks("Ab!78cdefg")["length"].passed
    assert not checks("Ab!78cdefghijklmnopqrs")["length"].passed


def test_feedback_says_why():
    text = password_fitness("abc").feedback()
    assert "FAIL length: 3 characters" in text and "FAIL emoji" in text and "upper case missing" in text


def test_parsing_does_not_leak_numbering_or_quotes():
    reply = "Here are 3 passwords:\n1. Ab3*xy7z\n2) `Qw9!zz`\n- Password: Zx1#yy\n3. **Kk2$zz**"
    assert parse_passwords(reply) == ["Ab3*xy7z", "Qw9!zz", "Zx1#yy", "Kk2$zz"]
    assert parse_password("1. Sun7#Moon8✨Rise") == PERFECT
    assert parse_password("Improved password: Kp7$mN8!q✨x") == "Kp7$mN8!q✨x"
    assert parse_password("Sure! The improved password is `Kp7$mN8!q✨x` which passes.") == "Kp7$mN8!q✨x"
    assert parse_password("") == ""


def test_seeds_come_from_the_model_without_numbering():
    fake = FakeLLM(["1. Sun7#Moon8✨Rise\n2. Ab3*xy7z\n3. Qw9!zz12"])
    seeds = PasswordTask().seeds(fake, 3)
    assert seeds == [PERFECT, "Ab3*xy7z", "Qw9!zz12"]
    assert "one per line" in fake.requests[0]["messages"][0]["content"]


def test_seeds_pad_when_the_model_gives_too_few(capsys):
    seeds = PasswordTask().seeds(FakeLLM(["1. Ab3*xy7z"]), 3)
    assert len(seeds) == 3 and seeds[0] == "Ab3*xy7z"
    assert "random one(s)" in capsys.readouterr().out


def test_the_mutation_prompt_targets_one_failing_check_with_its_arithmetic_and_evolution_improves():
    task = PasswordTask()
    fake = FakeLLM([lambda r: "1. " + PERFECT] * 8)
    evo = Evolution(task.fitness, task.operators(fake, crossover_share=0.0), population_size=2, children=2, seed=0)
    evo.run(1, seeds=["abc", "Ab3*xy7zzzzz"], progress=False)
    prompts = [r["messages"][0]["content"] for r in fake.requests]
    assert all("Rules:" in p and "Problem:" in p and "smallest edit" in p for p in prompts)
    assert evo.best.genome == PERFECT and evo.best.score == 1.0


def test_the_digit_sum_edit_spells_out_the_arithmetic():
    task = PasswordTask()
    evo = Evolution(task.fitness, task.operators(FakeLLM()), population_size=1, children=1)
    [seed] = evo.start(["Ab9*xy7z5zzzzz✨"])       # fails only the digit sum: 9+7+5 = 21
    prompt = task.mutation_prompt(seed, evo.context([seed], 1))
    assert "your digits 9+7+5 add up to 21" in prompt and "lower the sum by 6" in prompt
    assert "change the 9 into a 3" in prompt             # a concrete smallest change that fixes it


def test_partial_credit_rewards_getting_closer():
    scores = [password_fitness(pw).score for pw in ("Ab9*xy7z9zzzzz✨", "Ab9*xy7z5zzzzz✨", "Ab3*xy7z5zzzzz✨")]
    assert scores[0] < scores[1] < scores[2] == 1.0       # digit sums 25, 21, 15
    short, longer = password_fitness("Ab3*7z5✨").score, password_fitness("Ab3*7z5✨xyz").score
    assert short < longer < 1.0                           # 8 and 11 characters: closer to 12


def test_extra_rules_enter_fitness_and_prompts():
    def no_x(pw):
        """no letter x"""
        return Check("no x", "x" not in pw, "")
    task = PasswordTask(extra=[no_x])
    assert "- no letter x" in task.rules_text()
    assert task.fitness("Sun7#Moon8✨Rix").score == pytest.approx(6 / 7)


def test_random_edit_is_blind_but_reproducible():
    a = [random_edit("Abcdef1!", random.Random(4)) for _ in range(5)]
    b = [random_edit("Abcdef1!", random.Random(4)) for _ in range(5)]
    assert a == b and any(x != "Abcdef1!" for x in a)


def test_check_no_triple_says_what_is_missing_and_accepts_a_correct_rule(capsys):
    import re
    assert check_no_triple(None) is False
    assert check_no_triple(lambda pw: Check("t", True, "")) is False
    out = capsys.readouterr().out
    assert "'aaab'" in out

    def no_triple(pw):
        """no character 3 times in a row"""
        return Check("no triple", re.search(r"(.)\1\1", pw) is None, "")
    assert check_no_triple(no_triple) is False           # right rule, but no evolution yet
    task = PasswordTask(extra=[no_triple])
    evo = Evolution(task.fitness, PasswordTask.random_operators(), population_size=2, children=2)
    evo.run(1, seeds=[PERFECT, "aaab"], progress=False)
    assert check_no_triple(no_triple, evo=evo) is True


def test_check_crossover_prompt(capsys):
    assert check_crossover_prompt(None) is False
    assert check_crossover_prompt(CROSSOVER_PROMPT) is False
    assert check_crossover_prompt("only {a}") is False
    assert check_crossover_prompt("{a} {b} {oops}") is False
    mine = "Merge {a} and {b} under {rules}"
    assert check_crossover_prompt(mine) is False          # no run yet
    task = PasswordTask(crossover_prompt=mine)
    fake = FakeLLM([PERFECT] * 6)
    evo = Evolution(task.fitness, task.operators(fake, crossover_share=1.0), population_size=2, children=2,
                    tournament=1)   # tournaments of 1: two different parents, so a real crossover
    evo.run(1, seeds=["abc", "Ab3*xy7zzzzz"], progress=False)
    assert "Merge" in fake.requests[0]["messages"][0]["content"]
    assert check_crossover_prompt(mine, evo=evo) is True


def test_a_month_is_a_whole_word_and_blind_edits_rarely_make_one():
    task = PasswordTask(extra=MONTH)
    assert task.fitness("ORBIT✨#2733May").score == 1.0
    assert has_a_month("xxmarchxx").passed and not has_a_month("Ma#y").passed and not has_a_month("Mar").passed
    assert "month" in task.rules[-1] and "May or June" in fix_hint(task.fitness("Ab").checks[-1], "Ab")
    blind = Evolution(task.fitness, task.random_operators(seed=0), population_size=6, children=3, seed=0)
    blind.run(seeds=SEEDS, max_evaluations=6 + 36, progress=False)
    assert not any(has_a_month(c.genome).passed for c in blind.candidates.values())
