"""The console script's entry point: signals first, then the (slower) CLI import.

Ctrl-C, SIGTERM or SIGHUP while typer and the rest are still being imported
ends the command with one line, like an interruption anywhere later.

`lambda-new --version` alone is answered here, before typer is imported: it is
what scripts and bug reports run, and it needs nothing else.
"""

from __future__ import annotations

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
        if sys.argv[1:] == ["--version"]:  # what the CLI would print, without building it
            sys.stdout.write(version_line() + "\n")
            sys.stdout.flush()
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
