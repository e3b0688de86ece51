"""Every git command lambda-new runs, and copier's, with nothing able to run a program.

A rendered tree is someone else's content (a team template, a recorded
`_src_path`), and git can be told to run programs by the repository it works
in: hooks, `core.fsmonitor`, filter and diff drivers in `.git/config`. Three
rules keep that shut:

- Nothing a template renders may be named `.git` (scaffold/safety.py refuses
  it), so a repository's `.git` is always git's own: made by `git init` here,
  or the user's.
- Every command runs with `core.hooksPath=/dev/null` (no hooks),
  `core.fsmonitor=false`, `GIT_OPTIONAL_LOCKS=0` (read-only commands never
  rewrite the index) and without the variables that point git at another
  repository (`GIT_DIR`, `GIT_WORK_TREE`, ...). copier's own git commands get
  the same settings through the environment (`GIT_CONFIG_COUNT`).
- Commands on a tree lambda-new rendered itself (a new repo, a scratch clone)
  are isolated: no system config, and a global config holding only the
  user's name, email and default branch. No config they read can name a
  program. Commands on the user's own repo (`update`'s checks and its final
  write) read the user's config as git always does (LFS filters, for
  instance), with hooks and fsmonitor off.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scaffold import signals

# Command-line configuration outranks every config file, the repository's included.
HARDENING = (("core.hooksPath", os.devnull), ("core.fsmonitor", "false"))
# Variables that would send git to another repository, or run an external diff.
REDIRECTING = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_EXTERNAL_DIFF",
    "GIT_CONFIG",
)
_QUIET = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
# What an isolated command keeps of the user's configuration.
IDENTITY_KEYS = ("user.name", "user.email")


def environment(isolated: Path | None = None) -> dict[str, str]:
    """The environment of a git command; `isolated`: the only global config it reads."""
    env = {key: value for key, value in os.environ.items() if key not in REDIRECTING}
    env.update(_QUIET)
    if isolated is not None:
        env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(isolated)})
    return env


HARDENING_ARGS = tuple(part for key, value in HARDENING for part in ("-c", f"{key}={value}"))


def _command(args: Sequence[str]) -> list[str]:
    return ["git", *HARDENING_ARGS, *args]


def run(
    cwd: Path, *args: str, isolated: Path | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run git in `cwd`; the caller reads returncode, stdout and stderr.

    The command runs in its own session, so a Ctrl-C meant for lambda-new
    reaches it only through lambda-new (which stops it, then cleans up).
    File names need not be UTF-8 (surrogateescape keeps them intact).
    """
    return subprocess.run(
        **_spawn(cwd, args, isolated), input=input, text=True, errors="surrogateescape"
    )


def run_bytes(
    cwd: Path, *args: str, isolated: Path | None = None, input: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`run` for binary output (blobs)."""
    return subprocess.run(**_spawn(cwd, args, isolated), input=input)


def _spawn(cwd: Path, args: Sequence[str], isolated: Path | None) -> dict[str, Any]:
    signals.checkpoint()
    return {
        "args": _command(args),
        "cwd": cwd,
        "env": environment(isolated),
        "capture_output": True,
        "check": False,
        "start_new_session": True,
    }


def isolated_config(folder: Path, identity_from: Path) -> Path:
    """A global config for isolated commands: the user's identity as git sees it in
    `identity_from` (includeIf rules apply), nothing else."""
    config = folder / "lambda-new.gitconfig"
    config.write_text("")
    for key in IDENTITY_KEYS:
        value = run(identity_from, "config", "--get", key).stdout.strip()
        if value:
            run(folder, "config", "--file", str(config), key, value, isolated=config)
    return config


def default_branch(cwd: Path) -> str:
    """The user's `init.defaultBranch`, else main."""
    return run(cwd, "config", "--get", "init.defaultBranch").stdout.strip() or "main"


@contextmanager
def for_copier(
    config: Sequence[tuple[str, str]] = (), env: dict[str, str] | None = None
) -> Iterator[None]:
    """While active, the git commands copier runs are hardened like ours.

    copier runs git through plumbum, whose environment is a copy taken at import,
    so the settings go to both it and os.environ. `config` adds command-line
    configuration (such as a URL redirect); `env` adds variables.
    """
    from plumbum import local

    pairs = [*HARDENING, *config]
    settings: dict[str, str] = {"GIT_CONFIG_COUNT": str(len(pairs)), **_QUIET, **(env or {})}
    for i, (key, value) in enumerate(pairs):
        settings[f"GIT_CONFIG_KEY_{i}"] = key
        settings[f"GIT_CONFIG_VALUE_{i}"] = value
    saved = {key: os.environ.get(key) for key in (*settings, *REDIRECTING)}
    for key in REDIRECTING:
        os.environ.pop(key, None)
    os.environ.update(settings)
    try:
        with local.env(**settings):
            for key in REDIRECTING:
                if key in local.env:
                    del local.env[key]
            yield
    finally:
        for key, previous in saved.items():
            if previous is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = previous
