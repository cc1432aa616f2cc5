"""``show_source``: print a helper's code in the notebook, so the loop you read is the loop that runs."""

import inspect
import textwrap


def show_source(obj) -> None:
    """Print the source of a function, method or class, as it is defined in ``helpers``."""
    print(textwrap.dedent(inspect.getsource(obj)).rstrip())
