"""The console script's entry point: signals first, then the (slower) CLI import.

Ctrl-C, SIGTERM or SIGHUP while typer and the rest are still being imported
ends the command with one line, like an interruption anywhere later.
"""

from __future__ import annotations

import sys


def run() -> None:
    from scaffold import signals

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
