"""Return a list of 5 distinct numbers from 1 to 9 whose sum is 25: the seed is not valid yet."""
# EVOLVE-BLOCK-START
def numbers():
    return [1, 1, 1, 1, 1]
# EVOLVE-BLOCK-END
