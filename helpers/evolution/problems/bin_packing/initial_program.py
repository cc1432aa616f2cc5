"""Online bin packing (FunSearch, Romera-Paredes et al., Nature 2024): items arrive one at a time and each goes
into the open bin whose priority is highest. The seed is best fit: the bin that the item leaves fullest."""


# EVOLVE-BLOCK-START
def priority(item, bins):
    """Priority of putting ``item`` into each bin; ``bins`` holds the remaining capacities of the bins the item
    fits in (a numpy array). The item goes into the bin with the highest priority."""
    return -(bins - item)
# EVOLVE-BLOCK-END
