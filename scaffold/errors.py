"""The one user-facing error type, and its exit codes.

Anything a user can fix (bad input, an occupied destination, a missing tool)
raises `LambdaNewError`; the CLI prints its message as one line on stderr and
exits with its code. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno

EXIT_FAILED = 1  # the operation failed
EXIT_USAGE = 2  # the command line (or an answer) was wrong
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class LambdaNewError(Exception):
    """An error the user can act on; `str(error)` is the whole message."""

    exit_code = EXIT_FAILED


class Interrupted(LambdaNewError):
    """Ctrl-C where lambda-new sees it as input (at a prompt), not as a signal."""

    exit_code = EXIT_INTERRUPTED


class UsageError(LambdaNewError):
    """Bad input: an unknown choice, an invalid name, a malformed value."""

    exit_code = EXIT_USAGE


def last_line(text: str) -> str:
    """The last non-blank line of a tool's output: usually the one that says what failed."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def first_error_line(text: str) -> str:
    """The first line of a tool's output that says what went wrong (git's real cause:
    `ssh: connect to host ...`, not the closing "and the repository exists.")."""
    progress = ("Cloning into", "remote:", "hint:")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    found = next((line for line in lines if not line.startswith(progress)), None)
    return found or "no output"


_OS_ADVICE = {
    errno.ENOSPC: "free some space and try again",
    errno.EDQUOT: "free some space (disk quota) and try again",
    errno.EROFS: "the file system is read-only; choose a writable place",
    errno.EACCES: "check the permissions",
    errno.EPERM: "check the permissions",
    errno.ENOTDIR: "a folder on that path is a file; rename or remove it",
    errno.EEXIST: "something is in the way; rename or remove it",
    errno.EISDIR: "a folder is where a file should be; rename or remove it",
    errno.ENAMETOOLONG: "use a shorter path",
}


def from_os_error(error: OSError, doing: str = "") -> LambdaNewError:
    """An environment problem (disk full, read-only, a file in the way) as one line."""
    where = f" ({error.filename})" if error.filename else ""
    advice = _OS_ADVICE.get(error.errno or 0, "")
    reason = error.strerror or str(error)
    text = f"{doing + ': ' if doing else ''}{reason}{where}"
    return LambdaNewError(f"{text}; {advice}" if advice else text)
