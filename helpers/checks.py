"""How every exercise check speaks, the same in all four notebooks.

One line per finding: ✓ when it is right, ✗ when it is still to do (the line says what to do), • for a
next step that is neither. Checks print and return a bool; they never raise.
"""


def say(ok: bool, text: str) -> bool:
    print(("✓ " if ok else "✗ ") + text)
    return ok


def hint(text: str) -> None:
    print("• " + text)


def report(items) -> bool:
    """(ok, text) pairs, one line each, then the verdict; True when every one is ok."""
    done = all([say(ok, text) for ok, text in items])  # a list, not a generator: print every line
    print("All done!" if done else "Not there yet: see the ✗ lines.")
    return done
