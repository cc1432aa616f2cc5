"""Notebook 03, the toolmaker: an agent (``agent``) that picks tools from a plain-module library
(``library``, checked with ``source``) and writes, verifies and hot-reloads the ones it lacks."""

from .acceptance import Request, acceptance_tests, one_assert_per_test
from .agent import Toolmaker, fix_prompt, tool_prompt
from .broken import BROKEN_TOOLS, SHOUT_TESTS
from .checks import check_broken, check_own_tool, check_reuse
from .choose import choose_tool, stated_signature
from .library import ToolLibrary, ToolNotFoundError
from .plots import plot_tool_builds
from .report import tool_report
from .source import split_reply
from .store import LibraryWriteError

__all__ = [
    "ToolLibrary", "ToolNotFoundError", "Toolmaker", "Request", "acceptance_tests", "one_assert_per_test", "choose_tool", "stated_signature", "tool_prompt",
    "fix_prompt", "split_reply", "BROKEN_TOOLS", "SHOUT_TESTS", "plot_tool_builds", "tool_report",
    "check_own_tool", "check_reuse", "check_broken", "LibraryWriteError",
]
