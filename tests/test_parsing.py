"""extract_code and parse_items on messy replies, several of them real replies of the local model
(Qwen2.5-Coder-1.5B-Instruct, captured 2026-11-22)."""

import pytest

from helpers import extract_code, parse_items

# real reply of the local model to "fix this function" (prose around a fenced block)
QWEN_FIX = """The issue with the function is that when `xs` is an empty list, the length of `xs` will be 0, and attempting to divide any number by zero results in a `ZeroDivisionError`. To fix this, we need to add a check to see if the list `xs` is empty before calculating the mean.

Here's the fixed function:

```python
def mean(xs):
    if not xs:
        raise ValueError("The input list cannot be empty.")
    return sum(xs) / len(xs)
```

With this modification, when the input list `xs` is empty, the function will raise a `ValueError`, as required in the tests."""


def test_real_reply_with_prose_around_a_fence():
    code = extract_code(QWEN_FIX)
    assert code.startswith("def mean(xs):") and "raise ValueError" in code and "modification" not in code


def test_fence_without_language_tag_and_other_languages_skipped():
    reply = "Run this:\n```bash\npip install x\n```\nthen\n```\nx = 1\nprint(x)\n```"
    assert extract_code(reply) == "x = 1\nprint(x)\n"


def test_several_blocks_are_joined_in_order():
    reply = "```python\nimport math\n```\nand\n```py\ndef f():\n    return math.pi\n```"
    assert extract_code(reply) == "import math\n\ndef f():\n    return math.pi\n"


def test_named_function_picks_its_block():
    reply = "```python\ndef helper():\n    pass\n```\n```python\ndef solve():\n    return 2\n```\n```python\nprint(solve())\n```"
    assert extract_code(reply, name="solve") == "def solve():\n    return 2\n"


def test_unfenced_code_with_prose_before_and_after():
    reply = "Sure! Here is the corrected code.\ndef add(a, b):\n    return a + b\n\nprint(add(1, 2))\nThis prints 3."
    assert extract_code(reply) == "def add(a, b):\n    return a + b\n\nprint(add(1, 2))\n"


def test_cut_off_reply_with_an_unterminated_fence():
    assert extract_code("Here:\n```python\ndef f():\n    return 1\n") == "def f():\n    return 1\n"


@pytest.mark.parametrize("reply", ["", "I cannot help with that.", "The answer is 42.", "Hello world"])
def test_no_code_is_empty(reply):
    assert extract_code(reply) == ""


def test_numbering_is_stripped_but_never_the_item():
    reply = ("Here are 6 passwords:\n1. Ab3*xyz9Q✨\n2) `Cd4!yy8R⭐`\n3. \"Ef5#zz7T⚡\"\n- **Gh6$uu9P🫶**\n"
             "* *Ij7&vv8Q❤️\n10. 1a2B!c3d4E5f🎉")
    assert parse_items(reply) == ["Ab3*xyz9Q✨", "Cd4!yy8R⭐", "Ef5#zz7T⚡", "Gh6$uu9P🫶", "*Ij7&vv8Q❤️",
                                  "1a2B!c3d4E5f🎉"]


def test_items_that_start_like_markers_keep_their_characters():
    assert parse_items("*Star9!\n1)abc\n-dash") == ["*Star9!", "1)abc", "-dash"]


def test_real_single_line_reply_of_the_local_model():
    # the local model answered a 5-password request with one line (captured 2026-11-22)
    assert parse_items("ABc1234567890 emojis!@#$%^&*") == ["ABc1234567890 emojis!@#$%^&*"]


def test_fences_and_blank_lines_are_ignored_and_limit_applies():
    assert parse_items("```\nx1\n\ny2\nz3\n```", limit=2) == ["x1", "y2"]


def test_keycap_numbering_of_the_local_model_is_stripped():
    # the local model numbered a password list with keycap emoji, glued to the items (captured 2026-11-22)
    reply = "1️⃣!@#$%^&*1234567890\n2️⃣abcdEFGH!@#$%^&*\n3️⃣1234!@#$%^&*ABCD"
    assert parse_items(reply) == ["!@#$%^&*1234567890", "abcdEFGH!@#$%^&*", "1234!@#$%^&*ABCD"]
    assert parse_items("1️⃣ Ab3!xy\n2️⃣ Cd4!zz") == ["Ab3!xy", "Cd4!zz"]


def test_a_keycap_that_is_not_numbering_stays():
    assert parse_items("7️⃣Lucky!Pass12") == ["7️⃣Lucky!Pass12"]
    assert parse_items("3️⃣abc\n5️⃣def") == ["3️⃣abc", "5️⃣def"]
