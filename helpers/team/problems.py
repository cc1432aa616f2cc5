"""The evolving team's problem set: small functions with a statement and visible examples (what developers
see), and hidden tests only the tech lead runs; ``split`` keeps some back for the fair before-and-after."""

from dataclasses import dataclass, field


@dataclass
class Problem:
    """Hidden tests are the examples again plus edge cases (empty input, duplicates, ordering, bad
    arguments); ``split`` is "train" (evolution may look at it) or "held-out" (kept back)."""

    name: str  # the function to write
    statement: str
    examples: list  # (call, expected result) pairs the developers see
    hidden: list  # (test name, call, expected) triples; expected may be raises(SomeError)
    reference: str = ""  # a correct solution, to check that the hidden tests are right
    split: str = "train"
    extra_tests: str = ""  # hand-written def test_...(): functions, for checks a call can't express

    def prompt(self) -> str:
        shown = "\n".join(f">>> {call}\n{expected!r}" for call, expected in self.examples)
        return (f"Task: {self.statement}\n\nExamples:\n{shown}\n\n"
                f"Write the Python function `{self.name}`. Reply with one Python code block.")

    def tests(self) -> str:
        """The hidden tests as pytest-style source: one ``def test_...():`` per case."""
        parts = []
        for test, call, expected in self.hidden:
            if isinstance(expected, raises):
                msg = f"{call} should raise {expected.name}, got "
                parts.append(f"def test_{test}():\n    try:\n        got = {call}\n    except {expected.name}:\n"
                             f"        return\n    raise AssertionError({msg!r} + repr(got))\n")
            else:
                msg = f"{call} -> expected {expected!r}, got "
                parts.append(f"def test_{test}():\n    got = {call}\n    assert got == {expected!r}, {msg!r} + repr(got)\n")
        return "\n".join(parts) + ("\n" + self.extra_tests if self.extra_tests else "")


@dataclass(frozen=True)
class raises:  # noqa: N801 - reads like a value in a test table: raises("ValueError")
    name: str = field(default="ValueError")


PROBLEMS = {p.name: p for p in [
    Problem("dedupe", "Return the items of a list without duplicates, keeping the first occurrence of each, "
            "in their original order. The input list must not be changed.",
            [("dedupe([3, 1, 3, 2, 1])", [3, 1, 2]), ("dedupe([])", [])],
            [("example", "dedupe([3, 1, 3, 2, 1])", [3, 1, 2]), ("empty", "dedupe([])", []),
             ("all_same", "dedupe([7, 7, 7])", [7]), ("keeps_order", "dedupe(['b', 'a', 'b', 'c'])", ["b", "a", "c"]),
             ("case_matters", "dedupe(['a', 'A', 'a'])", ["a", "A"])],
            "def dedupe(items):\n    seen, out = set(), []\n    for x in items:\n        if x not in seen:\n"
            "            seen.add(x)\n            out.append(x)\n    return out\n", "train",
            "def test_input_unchanged():\n    data = [2, 2, 1]\n    dedupe(data)\n"
            "    assert data == [2, 2, 1], f'dedupe changed its input to {data!r}'\n"),
    Problem("second_largest", "Return the second largest distinct value in a list of numbers, or None when "
            "there are fewer than two distinct values.",
            [("second_largest([4, 1, 3])", 3), ("second_largest([5, 5])", None)],
            [("example", "second_largest([4, 1, 3])", 3), ("duplicates_of_max", "second_largest([5, 5, 2])", 2),
             ("all_equal", "second_largest([5, 5])", None), ("empty", "second_largest([])", None),
             ("single", "second_largest([9])", None), ("negatives", "second_largest([-3, -1, -2])", -2)],
            "def second_largest(nums):\n    d = sorted(set(nums))\n    return d[-2] if len(d) > 1 else None\n"),
    Problem("chunk", "Split a list into consecutive lists of length `size` (the last one may be shorter). "
            "Raise ValueError when size is smaller than 1.",
            [("chunk([1, 2, 3, 4, 5], 2)", [[1, 2], [3, 4], [5]]), ("chunk([], 3)", [])],
            [("example", "chunk([1, 2, 3, 4, 5], 2)", [[1, 2], [3, 4], [5]]), ("empty", "chunk([], 3)", []),
             ("exact", "chunk([1, 2, 3, 4], 2)", [[1, 2], [3, 4]]), ("size_bigger", "chunk([1, 2], 5)", [[1, 2]]),
             ("zero_size", "chunk([1, 2], 0)", raises("ValueError")),
             ("negative_size", "chunk([1], -1)", raises("ValueError"))],
            "def chunk(items, size):\n    if size < 1:\n        raise ValueError('size must be >= 1')\n"
            "    return [items[i:i + size] for i in range(0, len(items), size)]\n"),
    Problem("merge_intervals", "Merge overlapping or touching intervals given as [start, end] lists, in any "
            "order. Return the merged intervals sorted by start.",
            [("merge_intervals([[1, 3], [2, 6], [8, 9]])", [[1, 6], [8, 9]]), ("merge_intervals([])", [])],
            [("example", "merge_intervals([[1, 3], [2, 6], [8, 9]])", [[1, 6], [8, 9]]),
             ("empty", "merge_intervals([])", []), ("unsorted", "merge_intervals([[8, 9], [1, 3]])", [[1, 3], [8, 9]]),
             ("touching", "merge_intervals([[1, 2], [2, 4]])", [[1, 4]]),
             ("nested", "merge_intervals([[1, 10], [2, 3]])", [[1, 10]]),
             ("duplicates", "merge_intervals([[1, 2], [1, 2]])", [[1, 2]])],
            "def merge_intervals(intervals):\n    out = []\n    for s, e in sorted(intervals):\n"
            "        if out and s <= out[-1][1]:\n            out[-1][1] = max(out[-1][1], e)\n"
            "        else:\n            out.append([s, e])\n    return out\n"),
    Problem("median", "Return the median of a list of numbers (the mean of the two middle values when the "
            "count is even), or None for an empty list. Do not change the input list.",
            [("median([3, 1, 2])", 2), ("median([4, 1, 3, 2])", 2.5)],
            [("odd", "median([3, 1, 2])", 2), ("even", "median([4, 1, 3, 2])", 2.5), ("empty", "median([])", None),
             ("single", "median([7])", 7), ("duplicates", "median([5, 5, 1, 5])", 5.0)],
            "def median(nums):\n    s = sorted(nums)\n    n = len(s)\n    if n == 0:\n        return None\n"
            "    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2\n", "held-out",
            "def test_input_unchanged():\n    data = [3, 1, 2]\n    median(data)\n"
            "    assert data == [3, 1, 2], f'median changed its input to {data!r}'\n"),
    Problem("top_k_frequent", "Return the k most frequent words, most frequent first; words with the same "
            "count come in alphabetical order. Return [] for an empty list.",
            [("top_k_frequent(['a', 'b', 'a', 'c', 'b', 'a'], 2)", ["a", "b"]), ("top_k_frequent([], 3)", [])],
            [("example", "top_k_frequent(['a', 'b', 'a', 'c', 'b', 'a'], 2)", ["a", "b"]),
             ("empty", "top_k_frequent([], 3)", []),
             ("ties_alphabetical", "top_k_frequent(['b', 'a', 'c', 'b', 'a'], 2)", ["a", "b"]),
             ("k_too_big", "top_k_frequent(['x', 'y', 'x'], 5)", ["x", "y"]),
             ("all_tied", "top_k_frequent(['c', 'b', 'a'], 3)", ["a", "b", "c"])],
            "from collections import Counter\n\ndef top_k_frequent(words, k):\n"
            "    counts = Counter(words)\n    return sorted(counts, key=lambda w: (-counts[w], w))[:k]\n", "held-out"),
    Problem("run_length", "Run-length encode a string: a list of (character, count) tuples for each run of "
            "equal characters, in order. Return [] for an empty string.",
            [("run_length('aaabcc')", [("a", 3), ("b", 1), ("c", 2)]), ("run_length('')", [])],
            [("example", "run_length('aaabcc')", [("a", 3), ("b", 1), ("c", 2)]), ("empty", "run_length('')", []),
             ("single", "run_length('z')", [("z", 1)]),
             ("repeated_runs", "run_length('aabaa')", [("a", 2), ("b", 1), ("a", 2)]),
             ("case_matters", "run_length('aA')", [("a", 1), ("A", 1)])],
            "def run_length(s):\n    out = []\n    for ch in s:\n        if out and out[-1][0] == ch:\n"
            "            out[-1] = (ch, out[-1][1] + 1)\n        else:\n            out.append((ch, 1))\n"
            "    return out\n", "held-out"),
    Problem("group_anagrams", "Group words that are anagrams of each other. Groups come in the order of their "
            "first word in the input, and words keep their input order (duplicates stay).",
            [("group_anagrams(['eat', 'tea', 'tan', 'ate', 'nat'])", [["eat", "tea", "ate"], ["tan", "nat"]])],
            [("example", "group_anagrams(['eat', 'tea', 'tan', 'ate', 'nat'])", [["eat", "tea", "ate"], ["tan", "nat"]]),
             ("empty", "group_anagrams([])", []), ("duplicates", "group_anagrams(['ab', 'ba', 'ab'])", [["ab", "ba", "ab"]]),
             ("no_anagrams", "group_anagrams(['b', 'a'])", [["b"], ["a"]])],
            "def group_anagrams(words):\n    groups = {}\n    for w in words:\n"
            "        groups.setdefault(''.join(sorted(w)), []).append(w)\n    return list(groups.values())\n",
            "held-out"),
]}
