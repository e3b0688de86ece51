"""SIGINT, SIGTERM and SIGHUP: all three stop a command the way Ctrl-C does.

Every verb is written so that an interruption anywhere leaves the user's files
as they were (a staging folder, a scratch clone, a temporary zip: removed on the
way out) or complete. `install()` makes the three signals raise
KeyboardInterrupt, so the same clean-up runs whichever arrives. The one step
that makes a verb's work visible (the rename of a new repo, the final zip, the
files an update writes) runs inside `committing()`: a signal there is held
until the step is done, and the message then says the work is complete instead
of claiming nothing was written.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# After one signal has started the unwinding, repeats within this many seconds
# are ignored, so that a second Ctrl-C cannot cut the clean-up short.
REPEAT_GRACE_S = 2.0


class _State:
    received: int | None = None  # the last signal that arrived
    lost = False  # its KeyboardInterrupt was raised inside a finalizer, which drops it
    raised_at: float | None = None
    holding = 0  # > 0: inside deferred() (a commit step, a clean-up); signals wait
    held: int | None = None
    completed: str | None = None  # what is already done, once committing() ended


_state = _State()


def install() -> None:
    """Make SIGINT, SIGTERM and SIGHUP interrupt the command like Ctrl-C."""
    for number in HANDLED:
        signal.signal(number, _handle)
    sys.unraisablehook = _unraisable


def _unraisable(report: Any) -> None:
    """A KeyboardInterrupt raised inside a finalizer (`__del__`) cannot propagate: Python
    prints it as "Exception ignored" and goes on. Keep it quiet, and remember it, so that
    the next `checkpoint()` raises it where it can unwind."""
    if isinstance(report.exc_value, KeyboardInterrupt) and _state.received is not None:
        _state.lost = True
        _state.raised_at = None
        return
    sys.__unraisablehook__(report)


def checkpoint() -> None:
    """Raise an interruption that a finalizer swallowed (called before each git or tool
    command, and before the step that completes a verb)."""
    if _state.lost and not _state.holding:
        _state.lost = False
        raise KeyboardInterrupt


def poll() -> None:
    """Inside `deferred()`: act on a held signal now, at a point where that is safe."""
    if _state.held is not None or _state.lost:
        _state.held = None
        _state.lost = False
        raise KeyboardInterrupt


def _handle(number: int, frame: FrameType | None) -> None:
    _state.received = number
    if _state.holding:
        _state.held = number
        return
    now = time.monotonic()
    if _state.raised_at is not None and now - _state.raised_at < REPEAT_GRACE_S:
        return
    _state.raised_at = now
    raise KeyboardInterrupt


@contextmanager
def deferred() -> Iterator[None]:
    """Hold signals while the block runs (a clean-up, a final rename); then act on them."""
    _state.holding += 1
    try:
        yield
    finally:
        _release()


@contextmanager
def committing(done: str) -> Iterator[None]:
    """Run the step that completes a verb; a signal meanwhile waits until it ends.

    `done` says what exists once the step finished ("my-func was created"); an
    interruption after it reports that instead of "nothing was written".
    """
    checkpoint()
    with deferred():
        yield
        _state.completed = done


@contextmanager
def created(make: Callable[[], T], remove: Callable[[T], object]) -> Iterator[T]:
    """`make()` a temporary thing and always `remove()` it, even when a signal arrives
    right after it was made: signals are held from before `make` until it is guarded."""
    checkpoint()
    _state.holding += 1
    try:
        thing = make()
    except BaseException:
        _release()
        raise
    try:
        _release()
        yield thing
    finally:
        with deferred():
            remove(thing)


def _release() -> None:
    _state.holding -= 1
    if _state.held is not None and not _state.holding:
        _state.held = None
        raise KeyboardInterrupt


@contextmanager
def scratch(prefix: str, where: Path | None = None) -> Iterator[Path]:
    """A temporary folder, removed on the way out whenever a signal arrives."""
    import shutil
    import tempfile

    def make() -> Path:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=where))

    with created(make, lambda folder: shutil.rmtree(folder, ignore_errors=True)) as folder:
        yield folder


def exit_code() -> int:
    """128 + the signal's number, as shells report a command a signal stopped."""
    return 128 + (_state.received or signal.SIGINT)


def received_name() -> str:
    """The name of the signal that interrupted the command (SIGINT when none was handled:
    a KeyboardInterrupt of Python's own)."""
    return signal.Signals(_state.received or signal.SIGINT).name


def interrupted_message() -> str:
    name = received_name()
    if _state.completed:
        return f"interrupted ({name}) after the work was complete: {_state.completed}"
    return f"interrupted ({name}); nothing was written or changed"


def received() -> int | None:
    """The last handled signal that arrived, if any."""
    return _state.received


def lost() -> bool:
    """A signal arrived whose interruption never unwound (see `_unraisable`)."""
    return _state.lost


def reset() -> None:
    """Forget earlier signals and completed steps (tests run the CLI many times a process)."""
    global _state
    _state = _State()
