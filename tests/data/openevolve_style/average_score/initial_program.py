"""Pick three numbers in [0, 1]: the evaluator rewards their mean and their spread."""
# EVOLVE-BLOCK-START
def pick():
    return [0.2, 0.5, 0.8]
# EVOLVE-BLOCK-END
