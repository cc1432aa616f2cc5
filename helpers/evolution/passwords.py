"""Part 1 of notebook 02: evolve passwords under rules that interact. The fitness says, per rule, whether it
passed and why; ``PasswordTask`` bundles the rules, the prompts and the operators for the engine."""

import random
import string
import unicodedata

from ..llm import parse_items
from .emoji import find_emoji, is_text_default, without_emoji
from .engine import Check, Fitness, llm_crossover, llm_mutation, random_mutation

SPECIALS = "!@#$%^&*"


RULES = ["length 12 to 20 characters (an emoji counts as one)",
         "at least 2 digits, and the digits add up to exactly 15",
         "both upper and lower case letters",
         "at least one emoji",
         f"at least one of {SPECIALS}"]


def password_checks(pw: str) -> list[Check]:
    emoji = find_emoji(pw)
    rest = without_emoji(pw)
    length = len(rest) + len(emoji)
    digits = [unicodedata.decimal(ch) for ch in rest if ch.isdecimal()]
    odd = sorted({ch for ch in rest if ch.isdigit() and not ch.isdecimal()})   # ², ①: digits but no value
    note = f" ({''.join(odd)} is not a decimal digit, ignored)" if odd else ""
    upper, lower = any(ch.isupper() for ch in rest), any(ch.islower() for ch in rest)
    specials = [ch for ch in pw if ch in SPECIALS]
    bare = [ch for ch in rest if is_text_default(ch) and ord(ch) > 0x2000]
    return [
        Check("length", 12 <= length <= 20, f"{length} characters, need 12 to 20"),
        Check("two digits", len(digits) >= 2, f"{len(digits)} digit(s), need at least 2{note}"),
        Check("digit sum", len(digits) >= 1 and sum(digits) == 15,
              f"digits {'+'.join(map(str, digits)) or 'none'} = {sum(digits)}, need exactly 15{note}"),
        Check("upper and lower", upper and lower,
              f"upper case {'yes' if upper else 'missing'}, lower case {'yes' if lower else 'missing'}"),
        Check("emoji", bool(emoji), f"found {' '.join(emoji)}" if emoji else
              "no emoji" + (f" ({''.join(bare)} is a text symbol unless followed by U+FE0F)" if bare else "")),
        Check("special", bool(specials), f"found {''.join(specials)}" if specials else f"none of {SPECIALS}"),
    ]


def password_fitness(pw: str, extra=()) -> Fitness:
    """Score = share of rules passed (0..1); ``extra`` adds your own checks: ``fn(pw) -> Check``."""
    checks = password_checks(pw) + [fn(pw) for fn in extra]
    return Fitness(sum(c.passed for c in checks) / len(checks), checks)


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

Keep what makes each one pass its checks and fix what fails. Reply with the new password only, on one line."""


class PasswordTask:
    """Rules, prompts and operators for evolving passwords; ``extra`` checks become extra rules."""

    def __init__(self, extra=(), crossover_prompt=CROSSOVER_PROMPT, max_tokens=200):
        self.extra, self.crossover_template, self.max_tokens = tuple(extra), crossover_prompt, max_tokens

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

    def mutation_prompt(self, c) -> str:
        return (f"Improve this password so that it meets every rule.\nRules:\n{self.rules_text()}\n\n"
                f"Password: {c.genome}\nScore: {c.score:.3f}\nChecks:\n{c.feedback}\n\n"
                f"Reply with the improved password only, on one line.")

    def crossover_prompt(self, a, b) -> str:
        return self.crossover_template.format(rules=self.rules_text(), a=a.genome, b=b.genome,
                                              a_feedback=a.feedback, b_feedback=b.feedback)

    def seeds(self, llm, n: int, batch: int | None = None) -> list[str]:
        """``n`` passwords from the model, ``batch`` per call (default n); asks again with new samples
        until it has ``n`` (at most n // batch + 3 calls), so it may return fewer."""
        batch, found = batch or n, []
        for s in range(n // batch + 3):
            found += parse_passwords(llm.chat(self.seed_prompt(batch), max_tokens=self.max_tokens, sample=s))
            if len(found) >= n:
                break
        if len(found) < n:
            rng = random.Random(len(found))
            print(f"The model gave {len(found)} usable password(s); {n - len(found)} random one(s) fill the rest.")
            found += ["".join(rng.choice(ALPHABET) for _ in range(14)) for _ in range(n - len(found))]
        return found[:n]

    def operators(self, llm, crossover_share=0.3):
        kw = {"max_tokens": self.max_tokens}
        return [(llm_mutation(llm, self.mutation_prompt, parse_password, **kw), 1 - crossover_share),
                (llm_crossover(llm, self.crossover_prompt, parse_password, **kw), crossover_share)]

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
