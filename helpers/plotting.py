"""The plot conventions every lesson's plots follow: ``ax=None`` in, the axes out; whole-number count axes;
legends below the axes. Each lesson keeps its own plots in its package's ``plots.py``."""

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator


def ensure_axes(ax=None, figsize=(6, 3.5)):
    """``ax`` itself, or new axes of ``figsize``: the convention every plot in helpers follows."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def count_axis(ax, top):
    """A y axis of whole numbers (no 0.5 ticks for counts) with room above the tallest bar for its label."""
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(top, 1) * 1.2 + 0.5)


def legend_below(ax, ncol=3):
    """A legend under the axes, where it can hide neither lines nor value labels."""
    ax.legend(fontsize=8, ncol=ncol, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
