"""A slow function to make faster without changing its answers."""


# EVOLVE-BLOCK-START
def count_pairs(numbers, target):
    """How many pairs i < j have numbers[i] + numbers[j] == target."""
    count = 0
    for i in range(len(numbers)):
        for j in range(i + 1, len(numbers)):
            if numbers[i] + numbers[j] == target:
                count += 1
    return count
# EVOLVE-BLOCK-END
