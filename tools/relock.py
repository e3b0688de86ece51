"""Refresh the package-lock.json files new Node.js and TypeScript repos start with.

Run: python tools/relock.py (after changing a languages/<runtime>/package.json.jinja,
or to move the dev tools to their newest versions within its ranges). For every
catalog runtime that has a package.json.jinja and every version of it, this renders
a repo through lambda-new, lets npm resolve its package.json (`npm install
--package-lock-only`: nothing is installed, no install scripts run), and stores the
lock as languages/<runtime>/locks/<version>.json with the function's name left to
the template. A new repo's `make test` runs `npm ci` from it, which fails if the
lock and package.json disagree; tests/test_triggers.py runs it for every runtime.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scaffold import catalog, project  # noqa: E402

NAME = "relock-placeholder"  # a valid npm name; becomes {{ dist_name }}


def main() -> None:
    for runtime, family in catalog.load().runtimes.items():
        if not (ROOT / "languages" / runtime / "package.json.jinja").is_file():
            continue
        for version in family.versions:
            with tempfile.TemporaryDirectory() as scratch:
                request = project.NewProject(
                    name=NAME,
                    output_dir=Path(scratch),
                    runtime=runtime,
                    runtime_version=version,
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
            target = ROOT / "languages" / runtime / "locks" / f"{version}.json"
            text = json.dumps(lock, indent=2, ensure_ascii=False) + "\n"  # as npm writes it
            target.write_text(text, encoding="utf-8")
            print(f"{target.relative_to(ROOT)}: {len(lock['packages']) - 1} packages")


if __name__ == "__main__":
    main()
