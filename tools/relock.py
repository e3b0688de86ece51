"""Refresh the lockfiles new repos start with: package-lock.json and uv.lock.

Run: python tools/relock.py (after changing a languages/<runtime>/package.json.jinja,
or to move the dev tools to their newest versions within its ranges). For every
catalog runtime that has a package.json.jinja and every version of it, this renders
a repo through lambda-new, lets npm resolve its package.json (`npm install
--package-lock-only`: nothing is installed, no install scripts run), and stores the
lock as languages/<runtime>/locks/<version>.json with the function's name left to
the template. A new repo's `make test` runs `npm ci` from it, which fails if the
lock and package.json disagree; tests/test_triggers.py runs it for every runtime.

Python repos start with a uv.lock of their dev tools, one per oldest Python the
repo's tests may run on (`requires_python` in languages/python/facts.jinja): this
renders a repo for it, runs `uv lock` (uv resolves from metadata; nothing is built
or installed), and stores it as languages/python/locks/<requires-python>.lock, a
template that puts the project's own entry where uv sorts it (by name).

Each lock has a --powertools twin (`<version>-powertools.json`, `<floor>-powertools.lock`):
those repos depend on Powertools for AWS Lambda.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scaffold import catalog, project  # noqa: E402

NAME = "relock-placeholder"  # a valid npm name; becomes {{ dist_name }}


def main() -> None:
    relock_npm()
    relock_uv()


def relock_npm() -> None:
    for runtime, family in catalog.load().runtimes.items():
        if not (ROOT / "languages" / runtime / "package.json.jinja").is_file():
            continue
        for version, powertools in itertools.product(family.versions, (False, True)):
            with tempfile.TemporaryDirectory() as scratch:
                request = project.NewProject(
                    name=NAME,
                    output_dir=Path(scratch),
                    runtime=runtime,
                    runtime_version=version,
                    powertools=powertools,
                    git=False,
                )
                repo = project.create(request).path
                (repo / "package-lock.json").unlink(missing_ok=True)
                subprocess.run(
                    [
                        "npm",
                        "install",
                        "--package-lock-only",
                        "--ignore-scripts",
                        "--no-audit",
                        "--no-fund",
                    ],
                    cwd=repo,
                    check=True,
                    capture_output=True,
                )
                lock = json.loads((repo / "package-lock.json").read_text(encoding="utf-8"))
            lock["name"] = lock["packages"][""]["name"] = "{{ dist_name }}"
            suffix = "-powertools" if powertools else ""
            target = ROOT / "languages" / runtime / "locks" / f"{version}{suffix}.json"
            text = json.dumps(lock, indent=2, ensure_ascii=False) + "\n"  # as npm writes it
            target.write_text(text, encoding="utf-8")
            print(f"{target.relative_to(ROOT)}: {len(lock['packages']) - 1} packages")


def relock_uv() -> None:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    locks = ROOT / "languages" / "python" / "locks"
    floors: dict[str, str] = {}  # requires-python -> a version whose repo has it
    for version in catalog.load().runtimes["python"].versions:
        floor = version if tuple(map(int, version.split("."))) < (3, 11) else "3.11"
        floors.setdefault(floor, version)
    for (floor, version), powertools in itertools.product(sorted(floors.items()), (False, True)):
        target = locks / f"{floor}{'-powertools' if powertools else ''}.lock"
        if not target.exists():
            target.write_text("", encoding="utf-8")  # the template includes it
        with tempfile.TemporaryDirectory() as scratch:
            request = project.NewProject(
                name=NAME,
                output_dir=Path(scratch),
                runtime="python",
                runtime_version=version,
                powertools=powertools,
                git=False,
            )
            repo = project.create(request).path
            (repo / "uv.lock").unlink()
            lock = [uv, "lock", "--quiet", "--python", sys.executable]
            subprocess.run(lock, cwd=repo, check=True)
            text = (repo / "uv.lock").read_text(encoding="utf-8")
        target.write_text(lock_template(text), encoding="utf-8")
        print(f"{target.relative_to(ROOT)}: {text.count('[[package]]') - 1} packages")


def lock_template(text: str) -> str:
    """uv.lock as a template: the project's entry, under its name, where uv sorts it."""
    header, *blocks = re.split(r"(?m)^(?=\[\[package\]\]$)", text)
    names = [re.search(r'(?m)^name = "(.*)"$', block)[1] for block in blocks]  # type: ignore[index]
    own = names.index(NAME)
    project_block = blocks.pop(own).replace(f'"{NAME}"', '"{{ dist_name }}"')
    names.pop(own)
    out = [
        "{#- uv.lock of a new repo, written by tools/relock.py: do not edit. The project's own\n"
        "    entry goes where uv sorts it, among the others by name. -#}\n",
        f"{{%- set names = {json.dumps(names)} %}}\n",
        "{%- set at = names | select('lt', dist_name) | list | length %}\n",
        "{%- set project %}" + project_block + "{% endset %}\n",
        "{%- raw %}" + header + "{% endraw %}",
    ]
    for index, block in enumerate([*blocks, ""]):
        out.append(f"{{% if at == {index} %}}{{{{ project }}}}{{% endif %}}")
        out.append("{% raw %}" + block + "{% endraw %}" if block else "")
    return "".join(out)


if __name__ == "__main__":
    main()
