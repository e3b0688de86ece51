"""`lambda-new package` ships the repo and only the repo.

Links that lead out of it, special files, dependency strings that pip would
read as options: each is refused with one line, and no zip is written.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, read_only, snapshot, tmpfs


@pytest.fixture
def python_repo(cli, tmp_path: Path) -> Path:
    result = cli("fn", "--defaults", "--no-git")
    assert result.exit_code == 0, result.stderr
    return tmp_path / "fn"


@pytest.fixture
def node_repo(cli, tmp_path: Path) -> Path:
    result = cli("nfn", "--runtime", "node", "--defaults", "--no-git")
    assert result.exit_code == 0, result.stderr
    return tmp_path / "nfn"


def package(repo: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child process: a hang shows as a timeout, not a stuck suite."""
    return subprocess.run(
        [sys.executable, "-m", "scaffold", "package", "--path", str(repo)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_no_zip(result: subprocess.CompletedProcess[str], repo: Path, *fragments: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert not (repo / "dist").exists() or list((repo / "dist").iterdir()) == []


def test_a_link_to_a_file_outside_the_repo_is_refused(python_repo, tmp_path):
    outside = tmp_path / "passwd"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (python_repo / "src/fn/passwd").symlink_to(outside)

    result = package(python_repo)

    assert_no_zip(result, python_repo, "fn/passwd is a link to", "outside the repo")
    assert "root:x:0" not in result.stdout + result.stderr


def test_a_link_to_a_folder_outside_the_repo_is_refused(python_repo, tmp_path):
    keys = tmp_path / "home/.ssh"
    keys.mkdir(parents=True)
    (keys / "id_ed25519").write_text("PRIVATE KEY\n")
    (python_repo / "src/fn/ssh").symlink_to(keys)

    result = package(python_repo)

    assert_no_zip(result, python_repo, "fn/ssh is a link to", "outside the repo")


def test_links_inside_the_repo_ship_their_content(python_repo):
    (python_repo / "src/fn/samples").symlink_to(python_repo / "events")
    (python_repo / "src/fn/copy.py").symlink_to("handler.py")

    result = package(python_repo)

    assert result.returncode == 0, result.stderr
    names = zipfile.ZipFile(python_repo / "dist/fn.zip").namelist()
    assert "fn/copy.py" in names and "fn/samples/invoke.json" in names


def test_a_link_loop_is_refused(python_repo):
    (python_repo / "src/fn/loop").symlink_to("..")

    result = package(python_repo)

    assert_no_zip(result, python_repo, "a link to a folder that contains it")


@pytest.mark.parametrize("runtime", ["python", "node"])
def test_a_fifo_in_the_code_root_is_refused_not_waited_on(request, runtime):
    repo = request.getfixturevalue(f"{runtime}_repo")
    code = repo / ("src/fn" if runtime == "python" else "src")
    os.mkfifo(code / "pipe")

    result = package(repo, timeout=60)

    assert_no_zip(result, repo, "pipe is a named pipe (FIFO)")


@pytest.mark.parametrize(
    "dependency",
    ["--index-url=http://127.0.0.1:9/simple", "-r/etc/passwd", "six\n-e .", "six; --pre"],
)
def test_dependencies_can_never_be_pip_options(python_repo, dependency):
    pyproject = python_repo / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace("dependencies = []", f"dependencies = [{dependency!r}]"))
    assert repr(dependency) in pyproject.read_text()

    result = package(python_repo)

    assert_no_zip(result, python_repo, "is not a PEP 508 requirement")
    assert "root:" not in result.stderr


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_the_zip_is_readable_as_zip_and_sam_make_it(python_repo, umask, mode):
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "package", "--path", str(python_repo)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: os.umask(umask),
    )

    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((python_repo / "dist/fn.zip").stat().st_mode) == mode


def test_dist_being_a_file_is_one_line(python_repo):
    (python_repo / "dist").write_text("not a folder\n")

    result = package(python_repo)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "cannot write dist/fn.zip" in result.stderr
    assert (python_repo / "dist").read_text() == "not a folder\n"


@pytest.fixture
def small_disk(tmp_path: Path):
    with tmpfs(tmp_path / "disk", "2m") as mount:
        yield mount


def test_a_full_disk_leaves_no_zip_and_keeps_the_old_one(python_repo, small_disk):
    repo = small_disk / "fn"
    subprocess.run(["cp", "-a", str(python_repo), str(repo)], check=True)
    first = package(repo)
    assert first.returncode == 0, first.stderr
    old = (repo / "dist/fn.zip").read_bytes()
    (repo / "src/fn/big.bin").write_bytes(os.urandom(1_600_000))  # does not compress
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (2 * 1024 * 1024 - 1_700_000 - len(old) * 2))

    result = package(repo)

    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert "No space left on device" in result.stderr and "the earlier zip is kept" in result.stderr
    assert sorted(p.name for p in (repo / "dist").iterdir()) == ["fn.zip"]
    assert (repo / "dist/fn.zip").read_bytes() == old


def test_a_read_only_dist_is_one_line(python_repo, small_disk):
    repo = small_disk / "fn"
    subprocess.run(["cp", "-a", str(python_repo), str(repo)], check=True)
    (repo / "dist").mkdir()
    read_only(small_disk)
    before = snapshot(repo)

    result = package(repo)

    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Read-only file system" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(repo) == before
