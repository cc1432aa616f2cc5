"""The evolving team's problem set: small functions with a statement and visible examples (what developers
see), and hidden tests only the tech lead runs; ``split`` keeps some back for the fair before-and-after."""

from dataclasses import dataclass, field


@dataclass
class Problem:
    """Hidden tests are the examples again plus edge cases (empty input, duplicates, ordering, bad
    arguments); ``split`` is "train" (evolution may look at it), "held-out" (kept back) or "extra" (the
    lesson uses it nowhere: yours to try)."""

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
                f"Write the Python function `{self.name}`. Reply with one Python code block and no explanation.")

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
            "            seen.add(x)\n            out.append(x)\n    return out\n", "extra",
            "def test_input_unchanged():\n    data = [2, 2, 1]\n    dedupe(data)\n"
            "    assert data == [2, 2, 1], f'dedupe changed its input to {data!r}'\n"),
    Problem("second_largest", "Return the second largest distinct value in a list of numbers, or None when "
            "there are fewer than two distinct values.",
            [("second_largest([4, 1, 3])", 3), ("second_largest([5, 5])", None)],
            [("example", "second_largest([4, 1, 3])", 3), ("duplicates_of_max", "second_largest([5, 5, 2])", 2),
             ("all_equal", "second_largest([5, 5])", None), ("empty", "second_largest([])", None),
             ("single", "second_largest([9])", None), ("negatives", "second_largest([-3, -1, -2])", -2)],
            "def second_largest(nums):\n    d = sorted(set(nums))\n    return d[-2] if len(d) > 1 else None\n", "extra"),
    Problem("chunk", "Split a list into consecutive lists of length `size` (the last one may be shorter). "
            "Raise ValueError when size is smaller than 1.",
            [("chunk([1, 2, 3, 4, 5], 2)", [[1, 2], [3, 4], [5]]), ("chunk([], 3)", [])],
            [("example", "chunk([1, 2, 3, 4, 5], 2)", [[1, 2], [3, 4], [5]]), ("empty", "chunk([], 3)", []),
             ("exact", "chunk([1, 2, 3, 4], 2)", [[1, 2], [3, 4]]), ("size_bigger", "chunk([1, 2], 5)", [[1, 2]]),
             ("zero_size", "chunk([1, 2], 0)", raises("ValueError")),
             ("negative_size", "chunk([1], -1)", raises("ValueError"))],
            "def chunk(items, size):\n    if size < 1:\n        raise ValueError('size must be >= 1')\n"
            "    return [items[i:i + size] for i in range(0, len(items), size)]\n", "extra"),
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
            "        else:\n            out.append([s, e])\n    return out\n", "extra"),
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
    Problem("most_frequent", "Return the most frequent item of a list. When several items are equally frequent, "
            "return the one that appears first in the list. Return None for an empty list.",
            [("most_frequent([2, 3, 3])", 3), ("most_frequent([])", None)],
            [("example", "most_frequent([2, 3, 3])", 3), ("empty", "most_frequent([])", None),
             ("tie_first_seen", "most_frequent([5, 1, 1, 5])", 5), ("tie_singles", "most_frequent([3, 2])", 3),
             ("single", "most_frequent([7])", 7)],
            "from collections import Counter\n\ndef most_frequent(items):\n    if not items:\n        return None\n"
            "    counts = Counter(items)\n    best = max(counts.values())\n"
            "    return next(x for x in items if counts[x] == best)\n", "held-out"),
    Problem("pair_sums", "Return the distinct pairs (a, b) with a <= b and a + b == target, where a and b are "
            "values at two different positions of the list. Return them as a sorted list of tuples.",
            [("pair_sums([1, 2, 3, 4], 5)", [(1, 4), (2, 3)]), ("pair_sums([], 3)", [])],
            [("example", "pair_sums([1, 2, 3, 4], 5)", [(1, 4), (2, 3)]), ("empty", "pair_sums([], 3)", []),
             ("duplicates", "pair_sums([1, 1, 1], 2)", [(1, 1)]), ("same_position", "pair_sums([2], 4)", []),
             ("unsorted_input", "pair_sums([4, -1, 5, 0], 4)", [(-1, 5), (0, 4)])],
            "from itertools import combinations\n\ndef pair_sums(nums, target):\n"
            "    return sorted({tuple(sorted(p)) for p in combinations(nums, 2) if sum(p) == target})\n", "train"),
    Problem("window_max", "Return the maximum of every window of k consecutive numbers, in order. Raise "
            "ValueError when k is smaller than 1. Return [] when k is larger than the list.",
            [("window_max([1, 3, 2, 5], 2)", [3, 3, 5]), ("window_max([4], 3)", [])],
            [("example", "window_max([1, 3, 2, 5], 2)", [3, 3, 5]), ("empty", "window_max([], 1)", []),
             ("k_too_big", "window_max([4], 3)", []), ("whole", "window_max([2, 9, 4], 3)", [9]),
             ("zero_k", "window_max([1, 2], 0)", raises("ValueError")),
             ("negative_k", "window_max([1, 2], -2)", raises("ValueError"))],
            "def window_max(nums, k):\n    if k < 1:\n        raise ValueError('k must be >= 1')\n"
            "    return [max(nums[i:i + k]) for i in range(len(nums) - k + 1)]\n", "train"),
    Problem("letter_counts", "Count the letters of a text, ignoring case and every character that is not a "
            "letter. Return a list of (letter, count) tuples, most frequent first; equal counts in alphabetical "
            "order.",
            [("letter_counts('Abba!')", [("a", 2), ("b", 2)]), ("letter_counts('')", [])],
            [("example", "letter_counts('Abba!')", [("a", 2), ("b", 2)]), ("empty", "letter_counts('')", []),
             ("no_letters", "letter_counts('123 !?')", []),
             ("order", "letter_counts('c b a a')", [("a", 2), ("b", 1), ("c", 1)]),
             ("case", "letter_counts('zZy')", [("z", 2), ("y", 1)])],
            "from collections import Counter\n\ndef letter_counts(text):\n"
            "    counts = Counter(c for c in text.lower() if c.isalpha())\n"
            "    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))\n", "held-out"),
    Problem("flatten", "Flatten arbitrarily nested lists into one flat list, keeping the order. Strings are "
            "items, not lists: never split them.",
            [("flatten([1, [2, [3]]])", [1, 2, 3]), ("flatten([])", [])],
            [("example", "flatten([1, [2, [3]]])", [1, 2, 3]), ("empty", "flatten([])", []),
             ("empty_inner", "flatten([[], [[]], [1]])", [1]), ("strings", "flatten(['ab', ['c']])", ["ab", "c"]),
             ("deep", "flatten([[[[5]]], 6])", [5, 6])],
            "def flatten(items):\n    out = []\n    for x in items:\n"
            "        out.extend(flatten(x) if isinstance(x, list) else [x])\n    return out\n", "held-out"),
    Problem("rotate", "Return a new list rotated right by k places (a negative k rotates left; k may be "
            "larger than the list). Do not change the input list. An empty list gives [].",
            [("rotate([1, 2, 3, 4], 1)", [4, 1, 2, 3]), ("rotate([], 2)", [])],
            [("example", "rotate([1, 2, 3, 4], 1)", [4, 1, 2, 3]), ("empty", "rotate([], 2)", []),
             ("left", "rotate([1, 2, 3], -1)", [2, 3, 1]), ("big_k", "rotate([1, 2, 3], 5)", [2, 3, 1]),
             ("zero", "rotate([1, 2], 0)", [1, 2])],
            "def rotate(items, k):\n    if not items:\n        return []\n    k %= len(items)\n"
            "    return items[-k:] + items[:-k] if k else list(items)\n", "held-out",
            "def test_input_unchanged():\n    data = [1, 2, 3]\n    rotate(data, 1)\n"
            "    assert data == [1, 2, 3], f'rotate changed its input to {data!r}'\n"),
    Problem("lcm_all", "Return the least common multiple of a list of positive integers, 1 for an empty list. "
            "Raise ValueError if any number is smaller than 1.",
            [("lcm_all([4, 6])", 12), ("lcm_all([])", 1)],
            [("example", "lcm_all([4, 6])", 12), ("empty", "lcm_all([])", 1), ("single", "lcm_all([7])", 7),
             ("coprime", "lcm_all([3, 5, 7])", 105), ("zero", "lcm_all([2, 0])", raises("ValueError")),
             ("negative", "lcm_all([-4, 2])", raises("ValueError"))],
            "from math import gcd\n\ndef lcm_all(nums):\n    out = 1\n    for n in nums:\n        if n < 1:\n"
            "            raise ValueError('positive integers only')\n        out = out * n // gcd(out, n)\n    return out\n", "train"),
    Problem("balanced", "Return True when the brackets (), [] and {} in a string are balanced and properly "
            "nested. Other characters are ignored; an empty string is balanced.",
            [("balanced('[a(b)c]')", True), ("balanced('(]')", False)],
            [("example", "balanced('[a(b)c]')", True), ("empty", "balanced('')", True),
             ("wrong_pair", "balanced('(]')", False), ("close_first", "balanced(')(')", False),
             ("unclosed", "balanced('{[]')", False), ("nested", "balanced('{[()()]}x')", True)],
            "def balanced(s):\n    pairs, stack = {')': '(', ']': '[', '}': '{'}, []\n    for c in s:\n"
            "        if c in '([{':\n            stack.append(c)\n        elif c in pairs:\n"
            "            if not stack or stack.pop() != pairs[c]:\n                return False\n    return not stack\n", "held-out"),
    Problem("group_by_first", "Group words by their first letter, lowercased: return a dict from letter to the "
            "list of words (in input order). Skip empty strings.",
            [("group_by_first(['apple', 'Avocado', 'bean'])", {"a": ["apple", "Avocado"], "b": ["bean"]})],
            [("example", "group_by_first(['apple', 'Avocado', 'bean'])", {"a": ["apple", "Avocado"], "b": ["bean"]}),
             ("empty", "group_by_first([])", {}), ("empty_word", "group_by_first(['', 'x'])", {"x": ["x"]}),
             ("duplicates", "group_by_first(['b', 'b'])", {"b": ["b", "b"]})],
            "from collections import defaultdict\n\ndef group_by_first(words):\n    groups = defaultdict(list)\n"
            "    for w in words:\n        if w:\n            groups[w[0].lower()].append(w)\n    return dict(groups)\n", "held-out"),
    Problem("longest_run", "Return the length of the longest run of equal consecutive items in a list, "
            "0 for an empty list.",
            [("longest_run([1, 1, 2, 2, 2, 1])", 3), ("longest_run([])", 0)],
            [("example", "longest_run([1, 1, 2, 2, 2, 1])", 3), ("empty", "longest_run([])", 0),
             ("single", "longest_run(['x'])", 1), ("at_end", "longest_run([1, 2, 2])", 2),
             ("split_runs", "longest_run([3, 3, 1, 3, 3])", 2)],
            "from itertools import groupby\n\ndef longest_run(items):\n"
            "    return max((len(list(g)) for _, g in groupby(items)), default=0)\n", "train"),
    Problem("unique_permutations", "Return all distinct orderings of the characters of a string, as a sorted "
            "list of strings. The empty string has one ordering: ''.",
            [("unique_permutations('ba')", ["ab", "ba"]), ("unique_permutations('')", [""])],
            [("example", "unique_permutations('ba')", ["ab", "ba"]), ("empty", "unique_permutations('')", [""]),
             ("repeats", "unique_permutations('aab')", ["aab", "aba", "baa"]),
             ("all_same", "unique_permutations('zz')", ["zz"])],
            "from itertools import permutations\n\ndef unique_permutations(s):\n"
            "    return sorted({''.join(p) for p in permutations(s)})\n", "held-out"),
    Problem("kth_largest", "Return the k-th largest number of a list (k = 1 is the largest; equal numbers "
            "count separately). Raise ValueError when k is smaller than 1 or larger than the list.",
            [("kth_largest([3, 1, 4, 1], 2)", 3), ("kth_largest([5], 1)", 5)],
            [("example", "kth_largest([3, 1, 4, 1], 2)", 3), ("duplicates", "kth_largest([3, 3, 1], 2)", 3),
             ("empty", "kth_largest([], 1)", raises("ValueError")), ("zero_k", "kth_largest([1], 0)", raises("ValueError")),
             ("too_big", "kth_largest([1, 2], 3)", raises("ValueError")), ("last", "kth_largest([2, 8, 5], 3)", 2)],
            "import heapq\n\ndef kth_largest(nums, k):\n    if not 1 <= k <= len(nums):\n"
            "        raise ValueError('k out of range')\n    return heapq.nlargest(k, nums)[-1]\n", "held-out"),
]}
