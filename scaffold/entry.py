"""The console script's entry point: signals first, then the (slower) CLI import.

Ctrl-C, SIGTERM or SIGHUP while typer and the rest are still being imported
ends the command with one line, like an interruption anywhere later.

`lambda-new --version` alone is answered here, before typer is imported: it is
what scripts and bug reports run, and it needs nothing else.
"""

from __future__ import annotations

import os
import signal
import sys

PROG = "lambda-new"

_EARLY: list[int] = []


def version_line() -> str:
    from scaffold import __version__

    return f"{PROG} {__version__}"


def _early(number: int, frame: object) -> None:
    _EARLY.append(number)
    if len(_EARLY) == 1:  # a repeat must not cut the one-line exit short
        raise KeyboardInterrupt


def run() -> None:
    # Before any other import: from here on, no signal ends the command with a traceback.
    for handled in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(handled, _early)
    try:
        if sys.argv[1:] == ["--version"]:  # what the CLI prints, without building it
            _print_version()
            return
        from scaffold import signals

        signals.install()
        for stream in (sys.stdout, sys.stderr):
            # File names that are not UTF-8 are printed escaped, never as a traceback.
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")
        from scaffold.cli import app

        app()
    except KeyboardInterrupt:
        _interrupted()


def _print_version() -> None:
    """The version on stdout; a failure ends the command as it would in the CLI."""
    if sys.stdout is None:  # stdout closed: nothing printed, exit 0 (typer's echo)
        return
    try:
        sys.stdout.write(version_line() + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader is gone: exit 1 quietly (typer's main)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        sys.exit(1)
    except OSError as error:  # a full disk...: one line (cli.py's main)
        from scaffold.errors import EXIT_FAILED, from_os_error

        sys.stderr.write(f"{PROG}: error: {from_os_error(error)}\n")
        sys.exit(EXIT_FAILED)


def _interrupted() -> None:
    """The one line for an interruption that reached the entry point."""
    module = sys.modules.get("scaffold.signals")
    if module is not None and module.received() is not None:
        text, code = module.interrupted_message(), module.exit_code()
    else:
        number = _EARLY[0] if _EARLY else int(signal.SIGINT)
        name = signal.Signals(number).name
        text, code = f"interrupted ({name}); nothing was written or changed", 128 + number
    sys.stderr.write(f"lambda-new: error: {text}\n")
    sys.exit(code)
