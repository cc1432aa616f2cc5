"""Online bin packing (FunSearch, Romera-Paredes et al., Nature 2024): items arrive one at a time and each goes
into the open bin whose priority is highest. The seed is best fit: the bin that the item leaves fullest."""
import numpy as np  # noqa: F401 (the seed does not use it; evolved priorities do)


# EVOLVE-BLOCK-START
def priority(item, bins):
    """One priority per bin: bins holds the remaining capacities of the bins the item fits in."""
    return -(bins - item)
# EVOLVE-BLOCK-END
