"""Approximate pi with a sum: more terms of a better series, closer to pi."""
# EVOLVE-BLOCK-START
def estimate():
    return 4 * sum((-1) ** k / (2 * k + 1) for k in range(1000))
# EVOLVE-BLOCK-END
