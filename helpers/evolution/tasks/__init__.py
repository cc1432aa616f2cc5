"""Notebook 02's tasks on the engine: passwords (part 1: ``passwords``, ``emoji``, and the fair comparison of
LLM, blind and best-of-N arms in ``compare``) and the 20 Newsgroups classifier (part 2: ``newsgroups``, a folder
on notebook 05's ``Problem``, with its data in ``newsgroups_data`` and ``tidy`` for a winner's junk), and the
exercise checks of notebook 02 (``checks``). Notebooks import these names from ``helpers.evolution``."""
