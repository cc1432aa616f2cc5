"""Guess the whole number that the evaluator hides (7), close is better."""


# EVOLVE-BLOCK-START
def guess():
    return 6
# EVOLVE-BLOCK-END
