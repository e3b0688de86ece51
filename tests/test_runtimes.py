"""The runtime seam and the template's own catalog.

Every runtime of the catalog has a language module (scaffold/runtimes/) and a
parts file (languages/<name>/parts.jinja): a repo of each renders only its own
files, and `invoke` and `package` resolve its handler. A team's fork may add
versions and triggers; `lambda-new new --template` checks choices against it.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from scaffold import catalog, runtimes
from scaffold.errors import LambdaNewError

from .conftest import REPO_ROOT, npm_languages, release, run_in, team_template

FACTS = catalog.load()


def _catalog_yml(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("runtime", list(FACTS.runtimes))
def test_every_catalog_runtime_renders_invokes_and_packages(cli, tmp_path, runtime):
    """What would have caught a runtime added to the catalog alone: a repo with no
    handler, another language's files, or `invoke` running it under the wrong client."""
    result = cli("fn", "--runtime", runtime, "--defaults", "--no-git")
    assert result.exit_code == 0, result.stderr
    repo = tmp_path / "fn"
    made = {p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()}

    # Its own files (catalog/runtimes.yml `files`), none of another runtime's.
    import pathspec

    def owned_by(name: str) -> pathspec.PathSpec:
        files = catalog.read_yaml("runtimes.yml")["runtimes"][name]["files"]
        return pathspec.PathSpec.from_lines("gitignore", files)

    assert any(owned_by(runtime).match_file(path) for path in made)
    for other in FACTS.runtimes:
        if other != runtime:
            theirs = {path for path in made if owned_by(other).match_file(path)}
            assert theirs <= {p for p in made if owned_by(runtime).match_file(p)}

    language = runtimes.get(runtime)
    from scaffold import repo as repos

    if language.needs_build(repos.find(repo).function()):  # with the repo's own esbuild
        run_in(repo, "make", "install")
    invoked = cli("invoke", "--path", str(repo))
    assert invoked.exit_code == 0, invoked.stderr
    assert invoked.stdout.strip()

    packaged = cli("package", "--path", str(repo))
    assert packaged.exit_code == 0, packaged.stderr
    handler = repos.find(repo).function().handler
    with zipfile.ZipFile(repo / "dist" / "fn.zip") as archive:
        assert set(language.handler_files(handler)) & set(archive.namelist())


def test_every_catalog_runtime_has_a_language_module_and_parts():
    for name in FACTS.runtimes:
        assert runtimes.get(name).name == name
        assert (REPO_ROOT / "languages" / name / "parts.jinja").is_file()


def test_a_catalog_runtime_without_a_language_module_is_refused(tmp_path):
    shutil.copytree(REPO_ROOT / "catalog", tmp_path / "catalog")
    runtimes_yml = tmp_path / "catalog" / "runtimes.yml"
    text = _catalog_yml(runtimes_yml).replace(
        "  node:\n",
        '  ruby:\n    label: Ruby\n    default: "3.4"\n    files: [/Gemfile]\n'
        '    versions:\n      "3.4": {identifier: ruby3.4, deprecation: "2028-03-31", os: al2023}\n'
        "  node:\n",
    )
    runtimes_yml.write_text(text, encoding="utf-8")

    with pytest.raises(LambdaNewError) as refused:
        catalog.load(tmp_path)

    message = str(refused.value)
    assert "runtime 'ruby' has no language module" in message
    assert "scaffold/runtimes/ruby.py" in message
    assert "\n" not in message


@pytest.fixture
def fork(tmp_path: Path) -> Path:
    """A team's fork of the template: release 2.0.0 adds Python 3.15 and a `cron`
    trigger (a copy of `schedule`), in its own catalog."""
    folder = team_template(tmp_path / "fork")
    runtimes_yml = folder / "catalog" / "runtimes.yml"
    runtimes_yml.write_text(
        _catalog_yml(runtimes_yml).replace(
            '      "3.14": {identifier: python3.14',
            '      "3.15": {identifier: python3.15, deprecation: "2030-10-31", os: al2023}\n'
            '      "3.14": {identifier: python3.14',
        ),
        encoding="utf-8",
    )
    triggers_yml = folder / "catalog" / "triggers.yml"
    triggers_yml.write_text(
        _catalog_yml(triggers_yml)
        + "  cron:\n    label: Cron job (the team's own)\n    events: [scheduler-invoke]\n",
        encoding="utf-8",
    )
    shutil.copytree(folder / "triggers" / "schedule", folder / "triggers" / "cron")
    release(folder, tag="2.0.0")
    return folder


def test_a_team_fork_may_add_a_runtime_version_and_a_trigger(cli, tmp_path, fork):
    result = cli(
        "fn", "--template", str(fork), "--runtime-version", "3.15", "-t", "cron", "--defaults"
    )

    assert result.exit_code == 0, result.stderr
    template = (tmp_path / "fn" / "template.yaml").read_text()
    assert "Runtime: python3.15" in template
    assert "Type: Schedule" in template
    answers = (tmp_path / "fn" / ".copier-answers.yml").read_text()
    assert "trigger: cron" in answers
    assert "_commit: 2.0.0" in answers

    # lambda-new runs and packages the version the fork added (its language knows the
    # identifier), though its own catalog does not list it.
    invoked = cli("invoke", "--path", str(tmp_path / "fn"))
    assert invoked.exit_code == 0, invoked.stderr
    packaged = cli("package", "--path", str(tmp_path / "fn"))
    assert packaged.exit_code == 0, packaged.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-t", "nope"], "unknown trigger 'nope'; choose one of: none, api, "),
        (["--runtime-version", "2.7"], "unknown Python version '2.7'; choose one of: 3.10, "),
        (["--arch", "sparc"], "unknown architecture 'sparc'; choose one of: x86_64, arm64"),
        (["--runtime", "java"], "unknown runtime 'java'; choose one of: python, node"),
    ],
)
def test_a_team_fork_checks_choices_against_its_own_catalog(cli, tmp_path, fork, args, message):
    result = cli("fn", "--template", str(fork), "--defaults", *args)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"lambda-new: error: {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    if "trigger" in message:
        assert result.stderr.rstrip().endswith("schedule, cron")
    if "Python version" in message:
        assert result.stderr.rstrip().endswith("3.14, 3.15")
    assert not (tmp_path / "fn").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["fork"]


def test_the_bundled_template_refuses_what_only_a_fork_offers(cli, tmp_path):
    result = cli("fn", "-t", "cron", "--defaults")

    assert result.exit_code == 2
    assert "unknown trigger 'cron'; choose one of: none, api" in result.stderr
    assert not (tmp_path / "fn").exists()


def test_an_error_that_is_not_a_refused_answer_keeps_its_traceback(cli, monkeypatch):
    """Only what copier's questions refuse becomes a one-line usage error; a ValueError
    from anywhere else is a bug, and must not be disguised as the user's mistake."""
    from scaffold import project

    def broken(*args: object) -> None:
        raise ValueError("a bug in lambda-new")

    monkeypatch.setattr(project, "_render", broken)

    with pytest.raises(ValueError, match="a bug in lambda-new"):
        cli("fn", "--defaults", "--no-git")


def test_every_language_fills_the_same_parts_of_the_shared_files():
    """The shared files call the same macros and read the same values of every language."""
    import re

    def names(language: str) -> set[str]:
        text = (REPO_ROOT / "languages" / language / "parts.jinja").read_text()
        return set(re.findall(r"\{%-? (?:macro|set) (\w+)", text))

    expected = names(FACTS.default_runtime)
    assert {"make_tools", "readme_test", "sam_code", "ident", "raises"} <= expected
    for name in FACTS.runtimes:
        assert names(name) == expected, name


def test_team_defaults_may_name_what_only_the_teams_fork_offers(cli, tmp_path, fork):
    """A team's config names its fork and that fork's own trigger and version: they are
    checked against the fork's catalog (by copier), not refused by the bundled one's."""
    config = tmp_path / "team.toml"
    config.write_text(
        f'template = "{fork}"\ntrigger = "cron"\npython_version = "3.15"\n', encoding="utf-8"
    )

    result = cli("fn", "--defaults", env={"LAMBDA_NEW_CONFIG": str(config)})

    assert result.exit_code == 0, result.stderr
    template = (tmp_path / "fn" / "template.yaml").read_text()
    assert "Runtime: python3.15" in template
    assert "Type: Schedule" in template

    config.write_text('trigger = "cron"\n', encoding="utf-8")  # no fork: the bundled catalog
    refused = cli("other", "--defaults", env={"LAMBDA_NEW_CONFIG": str(config)})
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"lambda-new: error: {config}: trigger = 'cron': use one of:")
    assert not (tmp_path / "other").exists()


@pytest.mark.parametrize(
    ("runtime", "version"),
    [(name, version) for name in npm_languages() for version in FACTS.runtimes[name].versions],
)
def test_every_node_version_ships_a_lock_that_matches_its_package_json(tmp_path, runtime, version):
    """npm ci refuses a lock whose root disagrees with package.json; tools/relock.py
    writes them. (Each version's lock is one a new repo gets: never empty, never stale.)"""
    import json

    from scaffold import project

    request = project.NewProject(
        name="lock-check", output_dir=tmp_path, runtime=runtime, runtime_version=version, git=False
    )
    repo = project.create(request).path
    manifest = json.loads((repo / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((repo / "package-lock.json").read_text(encoding="utf-8"))

    root = lock["packages"][""]
    assert lock["lockfileVersion"] == 3
    assert lock["name"] == root["name"] == manifest["name"] == "lock-check"
    assert root["version"] == manifest["version"]
    assert root.get("dependencies", {}) == manifest.get("dependencies", {})
    assert root["devDependencies"] == manifest["devDependencies"]
    assert root["engines"] == manifest["engines"]
    for name in manifest["devDependencies"]:
        assert f"node_modules/{name}" in lock["packages"], name


def test_a_typescript_repo_not_yet_installed_says_how_to_install(cli, tmp_path):
    assert cli("fn", "--runtime", "typescript", "--defaults", "--no-git").exit_code == 0

    for verb in ("invoke", "package"):
        result = cli(verb, "--path", str(tmp_path / "fn"))
        assert result.exit_code == 1
        assert "package.json lists but is not installed: run `make install`" in result.stderr
    assert not (tmp_path / "fn" / "dist").exists()


def test_a_typescript_zip_is_the_same_bytes_wherever_the_repo_is(cli, tmp_path):
    """esbuild names a source map's sources relative to the map (a scratch folder):
    the zip's map names src/handler.ts instead, so two checkouts give one zip."""
    assert cli("fn", "--runtime", "typescript", "--defaults", "--no-git").exit_code == 0
    first = tmp_path / "fn"
    second = tmp_path / "elsewhere" / "deeper" / "fn"
    shutil.copytree(first, second)
    zips = []
    for repo in (first, second):
        run_in(repo, "make", "install")
        assert cli("package", "--path", str(repo)).exit_code == 0
        zips.append((repo / "dist" / "fn.zip").read_bytes())

    assert zips[0] == zips[1]
    with zipfile.ZipFile(first / "dist" / "fn.zip") as archive:
        import json

        source_map = json.loads(archive.read("handler.mjs.map"))
    assert source_map["sources"] == ["src/handler.ts"]
    assert str(tmp_path) not in zips[0].decode("utf-8", "replace")


def test_build_properties_reach_esbuild_as_sam_passes_them_and_file_options_are_refused(
    cli, tmp_path
):
    """BuildProperties become esbuild options the way aws-lambda-builders converts them
    (KeepNames: true -> --keep-names, a list -> --banner:js=...); one that names a file
    (Metafile) is refused before esbuild runs: template.yaml is untrusted input."""
    assert cli("fn", "--runtime", "typescript", "--defaults", "--no-git").exit_code == 0
    repo = tmp_path / "fn"
    run_in(repo, "make", "install")
    template = repo / "template.yaml"
    original = template.read_text(encoding="utf-8")
    template.write_text(
        original.replace(
            "        Minify: false\n",
            "        Minify: true\n        KeepNames: true\n        Banner:\n"
            "          - js=// bundled for Lambda\n",
        ),
        encoding="utf-8",
    )
    assert cli("package", "--path", str(repo)).exit_code == 0
    with zipfile.ZipFile(repo / "dist" / "fn.zip") as archive:
        code = archive.read("handler.mjs").decode()
    assert code.startswith("// bundled for Lambda\n")
    assert ',"handler")' in code  # --keep-names: the minified handler keeps its name

    outside = tmp_path / "written-outside.json"
    template.write_text(
        original.replace("        Minify: false\n", f"        Metafile: {outside}\n"),
        encoding="utf-8",
    )
    refused = cli("package", "--path", str(repo))
    assert refused.exit_code == 1
    assert "BuildProperties Metafile is not an esbuild option lambda-new passes on" in (
        refused.stderr
    )
    assert not outside.exists()


@pytest.mark.parametrize(
    ("version", "name"),
    [(v, n) for v in FACTS.runtimes["python"].versions for n in ("a-fn", "pluggz", "zz-fn")],
)
def test_every_python_version_ships_the_uv_lock_uv_would_write(tmp_path, version, name):
    """`uv lock` keeps a new repo's uv.lock byte for byte, wherever the project's own entry
    sorts among the locked tools (tools/relock.py writes languages/python/locks/)."""
    from scaffold import project

    request = project.NewProject(
        name=name, output_dir=tmp_path, runtime="python", runtime_version=version, git=False
    )
    repo = project.create(request).path
    shipped = (repo / "uv.lock").read_bytes()

    run_in(repo, "uv", "lock", "--quiet", "--check", "--python", sys.executable)
    run_in(repo, "uv", "lock", "--quiet", "--python", sys.executable)
    assert (repo / "uv.lock").read_bytes() == shipped


@pytest.mark.parametrize("runtime", list(FACTS.runtimes))
def test_a_new_repo_has_no_empty_folder(tmp_path, runtime):
    """Another runtime's excluded files leave no folder behind (a Python repo once had an
    empty test/ beside tests/)."""
    from scaffold import project

    request = project.NewProject(name="fn", output_dir=tmp_path, runtime=runtime, git=False)
    repo = project.create(request).path

    empty = [p for p in repo.rglob("*") if p.is_dir() and not any(p.iterdir())]
    assert empty == []


def test_deprecation_dates_are_awss_as_cfn_lint_ships_them() -> None:
    """Every runtime's date is AWS's: cfn-lint carries the runtime page's data
    (LmbdRuntimeLifecycle.json); a date AWS moves fails here with the new one."""
    helpers = pytest.importorskip("cfnlint.helpers")
    from cfnlint.data import AdditionalSpecs

    lifecycle = helpers.load_resource(AdditionalSpecs, "LmbdRuntimeLifecycle.json")
    facts = catalog.load()
    checked = []
    for family in facts.runtimes.values():
        for version in family.versions.values():
            published = lifecycle.get(version.identifier, {}).get("deprecated")
            if published:
                checked.append(version.identifier)
                assert version.deprecation.isoformat() == published, version.identifier
    assert len(checked) >= 8
