"""Team defaults: config file < LAMBDA_NEW_* environment < command line, and `config show`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scaffold import catalog, config, history
from tests.conftest import git, run_in
from tests.test_update import MAKEFILE_LINE, _release

FACTS = catalog.load()


def _write_config(tmp_path: Path, text: str) -> dict[str, str]:
    file = tmp_path / "team.toml"
    file.write_text(text)
    return {config.CONFIG_VARIABLE: str(file)}


def _answers(repo: Path) -> dict[str, object]:
    return yaml.safe_load((repo / ".copier-answers.yml").read_text())


def test_command_line_beats_environment_beats_config_file(cli, tmp_path):
    env = _write_config(
        tmp_path,
        'runtime = "node"\narch = "arm64"\nregion = "eu-west-1"\ntrigger = "sqs"\n'
        'owner = "payments"\nnode_version = "24"\n',
    )
    env |= {"LAMBDA_NEW_ARCH": "x86_64", "LAMBDA_NEW_REGION": "eu-west-3"}

    result = cli("fn", "--defaults", "--no-git", "--region", "eu-central-1", env=env)

    assert result.exit_code == 0, result.stderr
    answers = _answers(tmp_path / "fn")
    assert answers["runtime"] == "node"  # config file
    assert answers["runtime_version"] == "24"  # config file, for the runtime in use
    assert answers["trigger"] == "sqs"  # config file
    assert answers["architecture"] == "x86_64"  # environment over config file
    assert answers["region"] == "eu-central-1"  # command line over both
    assert answers["owner"] == "payments"


def test_config_show_prints_each_value_and_its_source(cli, tmp_path):
    env = _write_config(tmp_path, 'runtime = "node"\nteam = "platform"\n')
    env |= {"LAMBDA_NEW_TEAM": "checkout", "LAMBDA_NEW_TRUST": "1"}

    result = cli("config", "show", env=env)

    assert result.exit_code == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[3:]}
    assert result.stdout.splitlines()[0] == f"config file: {tmp_path / 'team.toml'}"
    assert rows["runtime"] == ["node", "config", "file"]
    assert rows["team"] == ["checkout", "LAMBDA_NEW_TEAM"]
    assert rows["trust"] == ["true", "LAMBDA_NEW_TRUST"]
    assert rows["region"] == [FACTS.default_region, "built-in"]
    assert rows["python_version"] == [FACTS.runtimes["python"].default_version, "built-in"]
    assert set(rows) == set(config.keys())


def test_config_show_says_when_there_is_no_config_file(cli, tmp_path):
    result = cli("config", "show")
    assert result.exit_code == 0
    assert "(not found)" in result.stdout.splitlines()[0]


def test_the_config_file_defaults_to_xdg_config_home(tmp_path):
    assert config.path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "lambda-new/config.toml"
    assert config.path({}) == Path.home() / ".config/lambda-new/config.toml"
    assert config.path({config.CONFIG_VARIABLE: "~/team.toml"}) == Path.home() / "team.toml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('runtime = "rust"\n', "runtime = 'rust': use one of: python, node"),
        ('colour = "blue"\n', "unknown key 'colour'; the keys are: template, vcs_ref"),
        ("runtime = \n", "not valid TOML"),
        ("trust = 1\n", "trust = 1: use true or false"),
        ("arch = 64\n", "arch = 64: use a string"),
        ('python_version = "2.7"\n', "python_version = '2.7': use one of: "),
        ('region = "Europe"\n', "use an AWS region code"),
        ('owner = "a\\"b"\n', "AWS tag values"),
    ],
)
def test_a_bad_config_file_exits_2_naming_file_key_and_allowed_values(
    cli, tmp_path, text, expected
):
    env = _write_config(tmp_path, text)

    for args in (("fn", "--defaults"), ("config", "show")):
        result = cli(*args, env=env)
        assert result.exit_code == 2
        assert str(tmp_path / "team.toml") in result.stderr
        assert expected in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "fn").exists()


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LAMBDA_NEW_ARCH", "x86", "LAMBDA_NEW_ARCH='x86': use one of: x86_64, arm64"),
        ("LAMBDA_NEW_TRUST", "maybe", "LAMBDA_NEW_TRUST='maybe': use 1 or 0"),
        ("LAMBDA_NEW_NODE_VERSION", "12", "LAMBDA_NEW_NODE_VERSION='12': use one of: "),
    ],
)
def test_a_bad_environment_variable_exits_2_naming_it(cli, tmp_path, variable, value, expected):
    result = cli("fn", "--defaults", env={variable: value})
    assert result.exit_code == 2
    assert expected in result.stderr
    assert not (tmp_path / "fn").exists()


def test_a_version_default_applies_to_its_own_runtime_only(cli, tmp_path):
    env = _write_config(tmp_path, 'python_version = "3.12"\n')

    node = cli("fnode", "--defaults", "--no-git", "--runtime", "node", env=env)
    python = cli("fpy", "--defaults", "--no-git", env=env)

    assert node.exit_code == 0 and python.exit_code == 0, node.stderr + python.stderr
    assert _answers(tmp_path / "fnode")["runtime_version"] == FACTS.runtimes["node"].default_version
    assert _answers(tmp_path / "fpy")["runtime_version"] == "3.12"


def test_a_config_file_can_name_the_team_template(cli, tmp_path):

    template = history.stage_template(tmp_path / "team")
    git(template, "init", "--quiet")
    _release(template, "1.0.0")
    makefile = template / "templates/Makefile.jinja"
    makefile.write_text(makefile.read_text() + f"\n{MAKEFILE_LINE}\n")
    _release(template, "2.0.0")
    env = _write_config(tmp_path, f'template = "{template}"\nvcs_ref = "1.0.0"\n')

    result = cli("fn", "--defaults", env=env)

    assert result.exit_code == 0, result.stderr
    assert _answers(tmp_path / "fn")["_src_path"] == str(template)
    assert _answers(tmp_path / "fn")["_commit"] == "1.0.0"
    assert MAKEFILE_LINE not in (tmp_path / "fn/Makefile").read_text()


@pytest.mark.e2e
@pytest.mark.parametrize("runtime", list(FACTS.runtimes))
def test_owner_and_team_tags_reach_the_function(cli, tmp_path, runtime):
    result = cli(
        "fn", "--defaults", "--runtime", runtime, "--trigger", "sqs",
        "--owner", "payments", "--team", "Checkout Platform",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    repo = tmp_path / "fn"
    text = (repo / "template.yaml").read_text()
    assert '        owner: "payments"\n        team: "Checkout Platform"\n' in text
    assert "PropagateTags: true" in text
    run_in(repo, "cfn-lint", "template.yaml")


def test_a_bad_tag_value_is_refused(cli, tmp_path):
    result = cli("fn", "--defaults", "--owner", 'a"b')
    assert result.exit_code == 2
    assert "invalid --owner 'a\"b'" in result.stderr
    assert not (tmp_path / "fn").exists()
