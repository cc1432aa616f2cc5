"""Notebook 01's bug zoo: small buggy programs with their tests, of rising difficulty.

A crash, a wrong answer, a hang, a bug hidden behind another one; then three bugs whose right behaviour
is written **only in the tests** (a rounding convention, a tie-break order, a boundary the docstring does
not state), so a traceback alone cannot say what "right" is. Each ``Bug`` carries a reference fix
(``fixed``) so the tests are known to be passable; ``tests/test_repair.py`` checks every one.
"""

from dataclasses import dataclass


@dataclass
class Bug:
    """A buggy program, the tests it must pass, and a reference fix that passes them."""
    name: str
    kind: str
    code: str
    tests: str
    fixed: str = ""
    note: str = ""

    @property
    def group(self) -> str:
        """'spec in tests' for the bugs whose right behaviour only the tests state; 'classic' for the rest
        (a crash, a wrong answer, a hang: the error or the code itself says what is wrong)."""
        return "spec in tests" if self.kind.startswith("spec in tests") else "classic"

    def __repr__(self) -> str:
        return f"Bug({self.name!r}, {self.kind})"


def _src(text: str) -> str:
    return text.strip("\n") + "\n"


def _patched(code: str, *changes) -> str:
    """The reference fix as a small edit of the bug: each (old, new) must occur exactly once."""
    for old, new in changes:
        assert code.count(old) == 1, old
        code = code.replace(old, new)
    return code


_FIND = _src('''
def find(items, target):
    """Index of target in the sorted list items (binary search), or -1 if it is absent."""
    lo, hi = 0, len(items) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if items[mid] == target:
            return mid
        if items[mid] < target:
            lo = mid
        else:
            hi = mid
    return -1
''')

_MEDIAN = _src('''
def median(values):
    """The middle value of values; for an even count, the mean of the two middle values.
    values itself is left unchanged."""
    ordered = values.sort()
    middle = len(ordered) // 2
    if len(ordered) % 2 == 0:
        return (ordered[middle] + ordered[middle + 1]) / 2
    return ordered[middle]
''')


ZOO = [
    Bug("describe", "crash: TypeError",
        _src('''
def describe(name, age):
    """'Ada is 36 years old'."""
    return name + " is " + age + " years old"
'''),
        _src('''
def test_adult():
    assert describe("Ada", 36) == "Ada is 36 years old"

def test_child():
    assert describe("Tim", 7) == "Tim is 7 years old"
'''),
        _src('''
def describe(name, age):
    """'Ada is 36 years old'."""
    return f"{name} is {age} years old"
'''),
        "str + int: the age must be converted to text."),
    Bug("count_words", "crash: KeyError",
        _src('''
def count_words(text):
    """How often each word appears, ignoring case: {'the': 2, 'cat': 1}."""
    counts = {}
    for word in text.lower().split():
        counts[word] += 1
    return counts
'''),
        _src('''
def test_counts():
    assert count_words("the cat saw the dog") == {"the": 2, "cat": 1, "saw": 1, "dog": 1}

def test_ignores_case():
    assert count_words("Hip hip HIP") == {"hip": 3}

def test_empty():
    assert count_words("") == {}
'''),
        _src('''
def count_words(text):
    """How often each word appears, ignoring case: {'the': 2, 'cat': 1}."""
    counts = {}
    for word in text.lower().split():
        counts[word] = counts.get(word, 0) + 1
    return counts
'''),
        "The first time a word is seen it has no count yet."),
    Bug("mean", "crash: ZeroDivisionError (and a trap)",
        _src('''
def mean(numbers):
    """The arithmetic mean. An empty list has no mean: raise ValueError."""
    return sum(numbers) / len(numbers)
'''),
        _src('''
def test_mean():
    assert mean([1, 2, 3, 4]) == 2.5

def test_single():
    assert mean([7]) == 7

def test_empty():
    try:
        mean([])
    except ValueError:
        return
    raise AssertionError("mean([]) must raise ValueError")
'''),
        _src('''
def mean(numbers):
    """The arithmetic mean. An empty list has no mean: raise ValueError."""
    if not numbers:
        raise ValueError("mean() of an empty list")
    return sum(numbers) / len(numbers)
'''),
        "Silencing the error (return 0 for []) makes the crash go away and the tests still fail."),
    Bug("chunk", "wrong answer: off-by-one",
        _src('''
def chunk(items, size):
    """Split items into lists of `size` items; the last list may be shorter."""
    return [items[i:i + size] for i in range(0, len(items) - size, size)]
'''),
        _src('''
def test_uneven():
    assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]

def test_even():
    assert chunk([1, 2, 3, 4], 2) == [[1, 2], [3, 4]]

def test_short():
    assert chunk([1, 2, 3], 5) == [[1, 2, 3]]

def test_empty():
    assert chunk([], 3) == []
'''),
        _src('''
def chunk(items, size):
    """Split items into lists of `size` items; the last list may be shorter."""
    return [items[i:i + size] for i in range(0, len(items), size)]
'''),
        "No exception at all: only a test that knows the right answer can tell."),
    Bug("find", "hang: infinite loop",
        _FIND,
        _src('''
def test_first():
    assert find([1, 3, 5, 7], 1) == 0

def test_last():
    assert find([1, 3, 5, 7], 7) == 3

def test_absent():
    assert find([1, 3, 5, 7], 4) == -1

def test_empty():
    assert find([], 3) == -1
'''),
        _patched(_FIND, ("lo = mid\n", "lo = mid + 1\n"), ("hi = mid\n", "hi = mid - 1\n")),
        "lo = mid never moves past mid: the only feedback is the sandbox's timeout."),
    Bug("median", "two bugs, one hidden behind the other",
        _MEDIAN,
        _src('''
def test_odd():
    assert median([3, 1, 2]) == 2

def test_even():
    assert median([4, 1, 3, 2]) == 2.5

def test_single():
    assert median([5]) == 5

def test_input_unchanged():
    data = [3, 1, 2]
    median(data)
    assert data == [3, 1, 2]
'''),
        _patched(_MEDIAN, ("values.sort()", "sorted(values)"),
                 ("ordered[middle] + ordered[middle + 1]", "ordered[middle - 1] + ordered[middle]")),
        "list.sort() returns None (a crash); once that is fixed, the even case is off by one."),
    # Spec in the tests only: nothing crashes, and the docstring is silent on what the tests decide.
    Bug("to_whole", "spec in tests: rounding convention",
        _src('''
def to_whole(x):
    """x rounded to a whole number."""
    return round(x)
'''),
        _src('''
def test_below_half():
    assert to_whole(2.4) == 2

def test_half():
    assert to_whole(2.5) == 3

def test_another_half():
    assert to_whole(0.5) == 1
'''),
        _src('''
import math


def to_whole(x):
    """x rounded to a whole number."""
    return math.floor(x + 0.5)
'''),
        "round() rounds a half to the even neighbour (2.5 -> 2); the tests want halves rounded up."),
    Bug("top_words", "spec in tests: tie-break order",
        _src('''
from collections import Counter


def top_words(text, n):
    """The n most frequent words of text, most frequent first."""
    return [word for word, _ in Counter(text.split()).most_common(n)]
'''),
        _src('''
def test_most_frequent_first():
    assert top_words("a b b", 1) == ["b"]

def test_tied_pair():
    assert top_words("pear fig pear fig", 2) == ["fig", "pear"]

def test_all_tied():
    assert top_words("c b a", 3) == ["a", "b", "c"]
'''),
        _src('''
from collections import Counter


def top_words(text, n):
    """The n most frequent words of text, most frequent first."""
    counts = Counter(text.split())
    return sorted(counts, key=lambda word: (-counts[word], word))[:n]
'''),
        "most_common keeps ties in the order words first appeared; the tests want ties in alphabetical order."),
    Bug("shipping", "spec in tests: boundary",
        _src('''
def shipping(weight_kg):
    """Shipping cost in euros: 5 for a light parcel, 9 for a heavy one."""
    return 5 if weight_kg < 2 else 9
'''),
        _src('''
def test_light():
    assert shipping(0.5) == 5

def test_heavy():
    assert shipping(3) == 9

def test_two_kilos():
    assert shipping(2) == 5
'''),
        _src('''
def shipping(weight_kg):
    """Shipping cost in euros: 5 for a light parcel, 9 for a heavy one."""
    return 5 if weight_kg <= 2 else 9
'''),
        "Where light ends is written nowhere but in test_two_kilos: 2 kg still counts as light."),
]


def get_bug(name: str, zoo=None) -> Bug:
    for bug in zoo or ZOO:
        if bug.name == name:
            return bug
    raise KeyError(f"no bug named {name!r}; the zoo has {[b.name for b in zoo or ZOO]}")


def show_bug(bug: Bug) -> None:
    """Print a bug's code and its tests, the way the learner (and the model) will read them."""
    print(f"# {bug.name}: {bug.kind}\n{bug.code}\n# its tests\n{bug.tests}")
