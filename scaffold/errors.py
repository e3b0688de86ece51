"""The one user-facing error type, and its exit codes.

Anything a user can fix (bad input, an occupied destination, a missing tool)
raises `LambdaNewError`; the CLI prints its message as one line on stderr and
exits with its code. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

EXIT_FAILED = 1  # the operation failed
EXIT_USAGE = 2  # the command line (or an answer) was wrong
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class LambdaNewError(Exception):
    """An error the user can act on; `str(error)` is the whole message."""

    exit_code = EXIT_FAILED


class UsageError(LambdaNewError):
    """Bad input: an unknown choice, an invalid name, a malformed value."""

    exit_code = EXIT_USAGE


def last_line(text: str) -> str:
    """The last non-blank line of a tool's output: usually the one that says what failed."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
