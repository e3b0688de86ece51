"""The console script's entry point: signals first, then the (slower) CLI import.

Ctrl-C, SIGTERM or SIGHUP while typer and the rest are still being imported
ends the command with one line, like an interruption anywhere later.
"""

from __future__ import annotations

import signal
import sys

_EARLY: list[int] = []


def _early(number: int, frame: object) -> None:
    _EARLY.append(number)
    raise KeyboardInterrupt


def run() -> None:
    # Before any other import: from here on, no signal ends the command with a traceback.
    for handled in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(handled, _early)
    try:
        from scaffold import signals
    except KeyboardInterrupt:
        number = _EARLY[-1] if _EARLY else int(signal.SIGINT)
        name = signal.Signals(number).name
        sys.stderr.write(
            f"lambda-new: error: interrupted ({name}); nothing was written or changed\n"
        )
        sys.exit(128 + number)
    signals.install()
    for stream in (sys.stdout, sys.stderr):
        # File names that are not UTF-8 are printed escaped, never as a traceback.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        from scaffold.cli import app

        app()
    except KeyboardInterrupt:
        sys.stderr.write(f"lambda-new: error: {signals.interrupted_message()}\n")
        sys.exit(signals.exit_code())
