"""OpenEvolve's markers: ``# EVOLVE-BLOCK-START`` / ``# EVOLVE-BLOCK-END`` mark the part of a program that evolves;
the rest stays fixed. Without them the whole program evolves."""

from .error import ProblemError

START, END = "# EVOLVE-BLOCK-START", "# EVOLVE-BLOCK-END"


def split_blocks(program: str) -> tuple[str, str, str]:
    """(before, block, after): the program around and inside its EVOLVE-BLOCK markers (no markers: all of it
    is the block). Raises ``ProblemError`` for markers that do not pair up."""
    starts, ends = program.count(START), program.count(END)
    if (starts, ends) == (0, 0):
        return "", program, ""
    if starts != 1 or ends != 1 or program.index(START) > program.index(END):
        raise ProblemError(f"the seed has {starts} '{START}' and {ends} '{END}' line(s): mark the part to evolve "
                           f"with one pair, START above END (or with none, to evolve the whole program)")
    head, rest = program.split(START, 1)
    block, tail = rest.split(END, 1)
    return head + START + "\n", block.strip("\n") + "\n", END + tail
