"""Section 4 of notebook 03: replies the library must refuse, each leaving ``tools.py`` byte-for-byte as it was."""


BROKEN_TOOLS = {
    "syntax error": "def shout(text: str) -> str:\n    \"\"\"Upper-case the text.\"\"\"\n    return text.upper(\n",
    "import raises": "import textblob_pro\n\n\ndef shout(text: str) -> str:\n    \"\"\"Upper-case the text.\"\"\"\n"
                     "    return text.upper()\n",
    "import hangs": "while True:\n    pass\n\n\ndef shout(text: str) -> str:\n    \"\"\"Upper-case the text.\"\"\"\n"
                    "    return text.upper()\n",
    "fails its tests": "def shout(text: str) -> str:\n    \"\"\"Upper-case the text.\"\"\"\n    return text.lower()\n",
    "name clash": "def add(a: float, b: float) -> float:\n    \"\"\"Add two numbers, badly.\"\"\"\n    return a - b\n",
    "breaks another tool": "from operator import sub as multiply\n\n\ndef shout(text: str) -> str:\n"
                           "    \"\"\"Upper-case the text.\"\"\"\n    return text.upper()\n",
    "touches files": "open('tools.py', 'w').write('')\n\n\ndef shout(text: str) -> str:\n"
                     "    \"\"\"Upper-case the text.\"\"\"\n    return text.upper()\n",
    "no code at all": "Sure! Upper-casing text is easy: just call the upper method on it.",
}


SHOUT_TESTS = "def test_shout():\n    assert shout('hi') == 'HI'\n"
