"""Part 1 of notebook 02: evolve passwords under rules that interact. The fitness says, per rule, whether it
passed and why; ``PasswordTask`` bundles the rules, the prompts and the operators for the engine."""

import random
import string
import unicodedata

from ...llm import parse_items
from ..candidate import Check, Fitness
from ..operators import llm_crossover, llm_mutation, random_mutation
from .emoji import find_emoji, is_text_default, without_emoji

SPECIALS = "!@#$%^&*"


RULES = ["length 12 to 20 characters (an emoji counts as one)",
         "at least 2 digits, and the digits add up to exactly 15",
         "both upper and lower case letters",
         "at least one emoji",
         f"at least one of {SPECIALS}"]


def password_checks(pw: str) -> list[Check]:
    """Each rule, whether it passed, why, and partial credit for getting closer (a digit sum of 17 is closer
    to 15 than 21 is)."""
    emoji = find_emoji(pw)
    rest = without_emoji(pw)
    length = len(rest) + len(emoji)
    digits = [unicodedata.decimal(ch) for ch in rest if ch.isdecimal()]
    total = sum(digits)
    odd = sorted({ch for ch in rest if ch.isdigit() and not ch.isdecimal()})   # ², ①: digits but no value
    note = f" ({''.join(odd)} is not a decimal digit, ignored)" if odd else ""
    upper, lower = any(ch.isupper() for ch in rest), any(ch.islower() for ch in rest)
    specials = [ch for ch in pw if ch in SPECIALS]
    bare = [ch for ch in rest if is_text_default(ch) and ord(ch) > 0x2000]
    off = max(12 - length, length - 20, 0)
    return [
        Check("length", off == 0, f"{length} characters, need 12 to 20", max(0.0, 1 - off / 12)),
        Check("two digits", len(digits) >= 2, f"{len(digits)} digit(s), need at least 2{note}",
              min(len(digits), 2) / 2),
        Check("digit sum", bool(digits) and total == 15,
              f"digits {'+'.join(map(str, digits)) or 'none'} = {total}, need exactly 15{note}",
              max(0.0, 1 - abs(total - 15) / 15) if digits else 0.0),
        Check("upper and lower", upper and lower,
              f"upper case {'yes' if upper else 'missing'}, lower case {'yes' if lower else 'missing'}",
              (upper + lower) / 2),
        Check("emoji", bool(emoji), f"found {' '.join(emoji)}" if emoji else
              "no emoji" + (f" ({''.join(bare)} is a text symbol unless followed by U+FE0F)" if bare else "")),
        Check("special", bool(specials), f"found {''.join(specials)}" if specials else f"none of {SPECIALS}"),
    ]


def credit(check: Check) -> float:
    return float(check.passed) if check.credit is None else check.credit


def password_fitness(pw: str, extra=()) -> Fitness:
    """Score = the mean credit of the rules (0..1): 1 for a pass, partial credit for getting closer on the
    length and the digit sum. ``extra`` adds your own checks: ``fn(pw) -> Check``."""
    checks = password_checks(pw) + [fn(pw) for fn in extra]
    return Fitness(sum(credit(c) for c in checks) / len(checks), checks)


def fix_hint(check: Check, pw: str) -> str:
    """One failing check as a targeted edit, with its arithmetic."""
    if check.name == "digit sum":
        digits = [unicodedata.decimal(ch) for ch in without_emoji(pw) if ch.isdecimal()]
        total, gap = sum(digits), 15 - sum(digits)
        if not digits:
            return "it has no digits: add digits that add up to exactly 15, such as 7 and 8"
        d = next((d for d in digits if 0 <= d + gap <= 9), None)
        example = f" (for example, change the {d} into a {d + gap})" if d is not None else ""
        return (f"your digits {'+'.join(map(str, digits))} add up to {total}; change them so they add up to "
                f"exactly 15: {'lower' if gap < 0 else 'raise'} the sum by {abs(gap)}{example}")
    if check.name == "length":
        n = int(check.why.split()[0])
        return (f"it has {n} characters; add {12 - n} character(s) to reach 12" if n < 12 else
                f"it has {n} characters; remove {n - 20} character(s) to get down to 20")
    if check.name == "two digits":
        return f"{check.why}: add digits, keeping the sum of all the digits at exactly 15"
    if check.name == "upper and lower":
        return f"{check.why}: change one letter's case, or add the missing kind of letter"
    if check.name == "emoji":
        return "it has no emoji: add one emoji such as ✨ or 🔥 (a text symbol like ★ does not count)"
    if check.name == "month":
        return "it has no month name: insert one spelled out, such as May or June, and keep the other rules"
    if check.name == "special":
        return f"it has none of {SPECIALS}: add one of them"
    return f"{check.name}: {check.why}"


def as_many_capitals_as_digits(pw: str) -> Check:
    """as many upper case letters as digits"""
    rest = without_emoji(pw)
    caps, digits = sum(ch.isupper() for ch in rest), sum(ch.isdecimal() for ch in rest)
    return Check("capitals = digits", caps == digits, f"{caps} upper case letter(s), {digits} digit(s)",
                 max(0.0, 1 - abs(caps - digits) / max(caps, digits, 1)))


MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]


def has_a_month(pw: str) -> Check:
    """the name of a month in English, spelled out, such as May or October"""
    found = [m for m in MONTHS if m in pw.lower()]
    return Check("month", bool(found), f"found {found[0].title()}" if found else "no month name")


MONTH = [has_a_month]
"""A rule that a blind edit almost never meets by chance (it needs a whole word, and no partial credit leads
there) but a model that knows words meets in one edit: section 4's comparison uses it."""

HARDER = [as_many_capitals_as_digits]
"""One more rule for strong models: it interacts with the digit sum (more digits need more capitals, and
every capital lengthens the password)."""


SEEDS = ["sunshine42River", "Tiger!!88", "🌟moon7walk", "ORBIT#2024day", "blue✨sky99!", "catdog12345"]
"""Generation 0, written by hand to cover the rules: every seed passes some rules and fails others (two have
an emoji, three a special character, one digits that add up to 15), none passes all."""


def parse_password(reply: str) -> str:
    """The password in an LLM reply: the first list item, without numbering, labels or quotes."""
    for item in parse_items(reply):
        if ": " in item and len(item.rsplit(": ", 1)[1]) >= 4:   # "Improved password: Ab3..."
            item = item.rsplit(": ", 1)[1]
        item = item.strip().strip("`'\"“”").strip()
        if len(item.split()) > 3:   # a sentence around it: keep the longest word
            item = max(item.split(), key=len).strip("`'\"“”.,")
        if len(item) >= 4:
            return item
    return ""


def parse_passwords(reply: str) -> list[str]:
    return [p for p in (parse_password(item) for item in parse_items(reply)) if p]


CROSSOVER_PROMPT = """Combine two passwords into one better password.
Rules:
{rules}

Password A: {a}
{a_feedback}

Password B: {b}
{b_feedback}

Keep what makes each one pass its checks and fix what fails. Reply with 3 different new passwords, one per line,
and nothing else."""


class PasswordTask:
    """Rules, prompts and operators for evolving passwords; ``extra`` checks become extra rules."""

    def __init__(self, extra=(), crossover_prompt=CROSSOVER_PROMPT, max_tokens=90, variants=3):
        self.extra, self.crossover_template, self.max_tokens = tuple(extra), crossover_prompt, max_tokens
        self.variants = variants   # passwords per reply: the engine takes the first one that is new

    @property
    def rules(self) -> list[str]:
        return RULES + [(fn.__doc__ or fn.__name__).strip().splitlines()[0] for fn in self.extra]

    def rules_text(self):
        return "\n".join(f"- {r}" for r in self.rules)

    def fitness(self, pw: str) -> Fitness:
        return password_fitness(pw, self.extra)

    def seed_prompt(self, n: int) -> str:
        return (f"Write {n} different passwords. Each password is one string without spaces that meets "
                f"every rule:\n{self.rules_text()}\nReply with the {n} passwords only, one per line.")

    def mutation_prompt(self, c, ctx=None) -> str:
        """A targeted edit: one failing check, with its arithmetic, and the smallest change that fixes it.
        Which failing check turns with the generation and the re-ask, so a re-ask targets another one."""
        failing = [ch for ch in c.fitness.checks if ch.passed is False] if c.fitness else []
        if not failing:
            return (f"This password meets every rule:\n{self.rules_text()}\n\nPassword: {c.genome}\n\n"
                    f"Write {self.variants} different passwords that also meet every rule, one per line, "
                    "and nothing else.")
        turn = (ctx.generation + ctx.attempt) if ctx else 0
        check = failing[turn % len(failing)]
        return (f"Rules:\n{self.rules_text()}\n\nPassword: {c.genome}\nProblem: {fix_hint(check, c.genome)}.\n\n"
                "Make the smallest edit that fixes this problem and keep the rest of the password. "
                f"Reply with {self.variants} different edited passwords, one per line, and nothing else.")

    def crossover_prompt(self, a, b, ctx=None) -> str:
        return self.crossover_template.format(rules=self.rules_text(), a=a.genome, b=b.genome,
                                              a_feedback=a.feedback, b_feedback=b.feedback)

    def samples(self, llm, calls: int, k: int = 3, first: int = 0) -> list[list[str]]:
        """Best-of-N's samples: ``calls`` calls of the seed prompt, ``k`` passwords each (one list per call)."""
        prompts = [self.seed_prompt(k)] * calls
        replies = llm.chat_many(prompts, errors="empty", sample=first, max_tokens=self.max_tokens)
        return [parse_passwords(r)[:k] for r in replies]

    def seeds(self, llm, n: int, batch: int | None = None) -> list[str]:
        """``n`` passwords from the model, ``batch`` per call (default n); asks again with new samples
        until it has ``n`` (at most n // batch + 3 calls), so it may return fewer."""
        batch, found = batch or n, []
        for s in range(n // batch + 3):
            found += parse_passwords(llm.chat(self.seed_prompt(batch), max_tokens=self.max_tokens * batch,
                                              sample=s))
            if len(found) >= n:
                break
        if len(found) < n:
            rng = random.Random(len(found))
            print(f"The model gave {len(found)} usable password(s); {n - len(found)} random one(s) fill the rest.")
            found += ["".join(rng.choice(ALPHABET) for _ in range(14)) for _ in range(n - len(found))]
        return found[:n]

    def operators(self, llm, crossover_share=0.2):
        kw = {"max_tokens": self.max_tokens}
        return [(llm_mutation(llm, self.mutation_prompt, parse_passwords, **kw), 1 - crossover_share),
                (llm_crossover(llm, self.crossover_prompt, parse_passwords, **kw), crossover_share)]

    @staticmethod
    def random_operators(seed=0):
        return [(random_mutation(random_edit, seed=seed), 1.0)]


ALPHABET = string.ascii_letters + string.digits + SPECIALS + "✨⭐🔥😀🫶"


def random_edit(pw: str, rng: random.Random) -> str:
    """A blind edit: replace, insert or delete one character, or swap two."""
    chars = list(pw) or ["a"]
    i = rng.randrange(len(chars))
    kind = rng.choice(["replace", "insert", "delete", "swap"])
    if kind == "replace":
        chars[i] = rng.choice(ALPHABET)
    elif kind == "insert":
        chars.insert(i, rng.choice(ALPHABET))
    elif kind == "delete" and len(chars) > 1:
        del chars[i]
    else:
        j = rng.randrange(len(chars))
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)
