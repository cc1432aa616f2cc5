"""Part 1 of notebook 02: evolve passwords that meet constraints which interact.

The fitness gives, for every rule, whether it passed and why; the mutation prompt quotes that
feedback. ``PasswordTask`` bundles the rules, the prompts and the operators for ``helpers.evolution``.
"""

import random
import string
import unicodedata

from .checks import hint, say
from .evolution import Check, Fitness, llm_crossover, llm_mutation, random_mutation
from .llm import parse_items

SPECIALS = "!@#$%^&*"

# Unicode's emoji data (emoji-data.txt, Unicode 16), as code point ranges.
# Emoji_Presentation: shown as emoji on their own (✨ ⭐ ⚡ 🫶 😀 ...).
_PRESENTATION = """231A-231B 23E9-23EC 23F0 23F3 25FD-25FE 2614-2615 2648-2653 267F 2693 26A1 26AA-26AB 26BD-26BE
26C4-26C5 26CE 26D4 26EA 26F2-26F3 26F5 26FA 26FD 2705 270A-270B 2728 274C 274E 2753-2755 2757
2795-2797 27B0 27BF 2B1B-2B1C 2B50 2B55 1F004 1F0CF 1F18E 1F191-1F19A 1F1E6-1F1FF 1F201 1F21A 1F22F
1F232-1F236 1F238-1F23A 1F250-1F251 1F300-1F320 1F32D-1F335 1F337-1F37C 1F37E-1F393 1F3A0-1F3CA
1F3CF-1F3D3 1F3E0-1F3F0 1F3F4 1F3F8-1F43E 1F440 1F442-1F4FC 1F4FF-1F53D 1F54B-1F54E 1F550-1F567
1F57A 1F595-1F596 1F5A4 1F5FB-1F64F 1F680-1F6C5 1F6CC 1F6D0-1F6D2 1F6D5-1F6D8 1F6DC-1F6DF
1F6EB-1F6EC 1F6F4-1F6FC 1F7E0-1F7EB 1F7F0 1F90C-1F93A 1F93C-1F945 1F947-1F9FF 1FA70-1FA7C
1FA80-1FA8A 1FA8E-1FAC6 1FAC8 1FACD-1FADC 1FADF-1FAEA 1FAEF-1FAF8"""
# Emoji with a text default (❤ ☺ ✔ © ...): an emoji only when followed by U+FE0F (❤️).
_TEXT_DEFAULT = """A9 AE 203C 2049 2122 2139 2194-2199 21A9-21AA 2328 23CF 23ED-23EF 23F1-23F2 23F8-23FA 24C2 25AA-25AB
25B6 25C0 25FB-25FC 2600-2604 260E 2611 2618 261D 2620 2622-2623 2626 262A 262E-262F 2638-263A 2640
2642 265F-2660 2663 2665-2666 2668 267B 267E 2692 2694-2697 2699 269B-269C 26A0 26A7 26B0-26B1 26C8
26CF 26D1 26D3 26E9 26F0-26F1 26F4 26F7-26F9 2702 2708-2709 270C-270D 270F 2712 2714 2716 271D 2721
2733-2734 2744 2747 2763-2764 27A1 2934-2935 2B05-2B07 3030 303D 3297 3299 1F170-1F171 1F17E-1F17F
1F202 1F237 1F321 1F324-1F32C 1F336 1F37D 1F396-1F397 1F399-1F39B 1F39E-1F39F 1F3CB-1F3CE
1F3D4-1F3DF 1F3F3 1F3F5 1F3F7 1F43F 1F441 1F4FD 1F549-1F54A 1F56F-1F570 1F573-1F579 1F587
1F58A-1F58D 1F590 1F5A5 1F5A8 1F5B1-1F5B2 1F5BC 1F5C2-1F5C4 1F5D1-1F5D3 1F5DC-1F5DE 1F5E1 1F5E3
1F5E8 1F5EF 1F5F3 1F5FA 1F6CB 1F6CD-1F6CF 1F6E0-1F6E5 1F6E9 1F6F0 1F6F3"""


def _ranges(table):
    out = []
    for item in table.split():
        a, _, b = item.partition("-")
        out.append((int(a, 16), int(b or a, 16)))
    return out


_PRES, _TEXT = _ranges(_PRESENTATION), _ranges(_TEXT_DEFAULT)
VS16, ZWJ, KEYCAP = "\ufe0f", "\u200d", "\u20e3"


def _in(ch, ranges):
    cp = ord(ch)
    return any(a <= cp <= b for a, b in ranges)


def _element(s, i):
    """End of one emoji element at s[i] (pictograph, optional VS16, skin tone, tags), or None."""
    if i >= len(s):
        return None
    if _in(s[i], _PRES) and not 0x1F1E6 <= ord(s[i]) <= 0x1F1FF:
        j = i + 1 + (s[i + 1:i + 2] == VS16)
    elif _in(s[i], _TEXT) and s[i + 1:i + 2] == VS16:
        j = i + 2
    else:
        return None
    while j < len(s) and (0x1F3FB <= ord(s[j]) <= 0x1F3FF or 0xE0020 <= ord(s[j]) <= 0xE007F):
        j += 1   # skin tone modifiers, and the tag characters of subdivision flags
    return j


def _emoji_at(s, i):
    c = s[i]
    if c in "0123456789#*":   # keycap: 1️⃣
        j = i + 1 + (s[i + 1:i + 2] == VS16)
        return j + 1 if s[j:j + 1] == KEYCAP else None
    if 0x1F1E6 <= ord(c) <= 0x1F1FF:   # a flag is a pair of regional indicators
        return i + 2 if i + 1 < len(s) and 0x1F1E6 <= ord(s[i + 1]) <= 0x1F1FF else None
    j = _element(s, i)
    while j is not None and s[j:j + 1] == ZWJ and _element(s, j + 1):   # 👩‍💻, 👨‍👩‍👧
        j = _element(s, j + 1)
    return j


def find_emoji(text: str) -> list[str]:
    """The emoji in ``text``, each as one item even when it is several code points (❤️, 👍🏽, 🇪🇸)."""
    found, i = [], 0
    while i < len(text):
        j = _emoji_at(text, i)
        if j:
            found.append(text[i:j])
            i = j
        else:
            i += 1
    return found


def _without_emoji(text):
    for e in find_emoji(text):
        text = text.replace(e, "", 1)
    return text


# --------------------------------------------------------------------------- the fitness
RULES = ["length 12 to 20 characters (an emoji counts as one)",
         "at least 2 digits, and the digits add up to exactly 15",
         "both upper and lower case letters",
         "at least one emoji",
         f"at least one of {SPECIALS}"]


def password_checks(pw: str) -> list[Check]:
    emoji = find_emoji(pw)
    rest = _without_emoji(pw)
    length = len(rest) + len(emoji)
    digits = [unicodedata.decimal(ch) for ch in rest if ch.isdecimal()]
    odd = sorted({ch for ch in rest if ch.isdigit() and not ch.isdecimal()})   # ², ①: digits but no value
    note = f" ({''.join(odd)} is not a decimal digit, ignored)" if odd else ""
    upper, lower = any(ch.isupper() for ch in rest), any(ch.islower() for ch in rest)
    specials = [ch for ch in pw if ch in SPECIALS]
    bare = [ch for ch in rest if _in(ch, _TEXT) and ord(ch) > 0x2000]
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


# --------------------------------------------------------------------------- parsing replies
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


# --------------------------------------------------------------------------- prompts and operators
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


# --------------------------------------------------------------------------- exercises
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
