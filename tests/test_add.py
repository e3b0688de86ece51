"""`lambda-new add`: a repo of several functions, each with its own language, tested,
linted, packaged, invoked, served, validated and updated as one repo.

The service is made once per module: an HTTP API in Python (the repo `new` made), then
`add` puts in a Node.js SQS consumer (batch), a TypeScript SNS subscriber (notification)
and a Python function URL (HTTP) on arm64 and another Python version. Everything runs
for real: copier, git, uv, npm, node, cfn-lint and, when installed, the SAM CLI.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import (
    REPO_ROOT,
    TOOLS_PATH,
    files_of,
    git,
    run_in,
    run_steps,
    sam_cli,
    snapshot,
    team_template,
)
from tests.test_ci import WORKFLOW
from tests.test_signals import exists, interrupt

ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PATH": TOOLS_PATH}
# name -> (add's options, runtime, trigger, handler, code root)
ADDED = {
    "orders": (["--runtime", "node", "-t", "sqs"], "nodejs22.x", "sqs", "src/handler.handler"),
    "notify": (["-r", "typescript", "-t", "sns"], "nodejs22.x", "sns", "handler.handler"),
    "web": (
        ["-t", "function-url", "--arch", "arm64", "--runtime-version", "3.12"],
        "python3.12",
        "function-url",
        "web.handler.handler",
    ),
}


def lambda_new(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check:
        assert result.returncode == 0, f"lambda-new {' '.join(args)}:\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("service")
    lambda_new(base, "api", "--runtime", "python", "-t", "http-api", "--defaults")
    repo = base / "api"
    for name, (options, *_) in ADDED.items():
        added = lambda_new(repo, "add", name, *options)
        assert f"Added {name} " in added.stdout, added.stdout
        git(repo, "add", "--all")
        git(repo, "commit", "--quiet", "--message", f"Add {name}")
    return repo


def test_list_names_every_function(service):
    listed = lambda_new(service, "list").stdout.splitlines()
    assert listed[0].split() == ["NAME", "RUNTIME", "TRIGGER", "HANDLER", "CODE", "ROOT"]
    rows = {line.split()[0]: line.split()[1:] for line in listed[1:]}
    assert rows["api"] == ["python3.13", "http-api", "api.handler.handler", "src/"]
    for name, (_, runtime, trigger, handler) in ADDED.items():
        root = f"functions/{name}/" + ("src/" if runtime.startswith("python") else "")
        assert rows[name][:3] == [runtime, trigger, handler], rows[name]
        assert rows[name][3] == root, rows
    as_json = json.loads(lambda_new(service / "functions/orders", "functions", "--json").stdout)
    assert as_json == [
        {
            "name": "orders",
            "runtime": "nodejs22.x",
            "trigger": "sqs",
            "handler": "src/handler.handler",
            "code_root": "./",
        }
    ]


def test_each_function_keeps_its_own_runtime_and_architecture(service):
    for name, (_, runtime, *_) in ADDED.items():
        template = (service / f"functions/{name}/template.yaml").read_text()
        assert f"Runtime: {runtime}" in template
    web = (service / "functions/web/template.yaml").read_text()
    assert re.search(r"Architectures:\n\s+- arm64", web)
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert [entry["name"] for entry in answers["functions"]] == list(ADDED)
    for name in ADDED:
        member = yaml.safe_load((service / f"functions/{name}/.copier-answers.yml").read_text())
        assert member["part_of"] == "api"
        assert member["_commit"] == answers["_commit"]
        assert not (service / f"functions/{name}/samconfig.toml").exists()
        assert not (service / f"functions/{name}/.github").exists()


def test_the_repo_tests_lints_and_packages_every_function(service):
    tested = run_in(service, "make", "test").stdout
    # Each Node.js function's suite ran, and the root's pytest.
    assert tested.count("# fail 0") + tested.count("\u2139 fail 0") == 2, tested[-3000:]
    assert re.search(r"^=+ \d+ passed", tested, re.M), tested[-2000:]
    web = run_in(service / "functions/web", "make", "test").stdout
    assert re.search(r"^=+ \d+ passed", web, re.M), web
    run_in(service, "make", "lint")
    packaged = run_in(service, "make", "package").stdout
    for zip_file in ["dist/api.zip", *(f"functions/{name}/dist/{name}.zip" for name in ADDED)]:
        assert zip_file in packaged
        assert (service / zip_file).is_file()
    assert git(service, "status", "--porcelain") == "", "make left the tree dirty"


def test_invoke_runs_each_function(service):
    for name, event, expected in [
        ("api", "http-api-get", '"statusCode": 200'),
        ("orders", "sqs-receive", '{"batchItemFailures":[]}'),
        ("WebFunction", "function-url-get", '"statusCode": 200'),
    ]:
        invoked = lambda_new(service, "invoke", "--function", name, event)
        assert expected in invoked.stdout, invoked.stdout
    run_in(service / "functions/notify", "make", "install")
    notified = lambda_new(service, "invoke", "-f", "notify", "sns-notification")
    assert notified.stdout.startswith('{"processed":["'), notified.stdout
    unknown = lambda_new(service, "invoke", "--function", "nope", check=False)
    assert unknown.returncode == 2
    assert "the repo's functions: ApiFunction, orders, notify, web" in unknown.stderr


def test_templates_validate_and_build(service):
    templates = ["template.yaml", *(f"functions/{name}/template.yaml" for name in ADDED)]
    run_in(service, "cfn-lint", *templates)
    applications = dict(
        re.findall(
            r"^  (\w+):\n    Type: AWS::Serverless::Application\n    Properties:\n"
            r"      Location: (\S+)$",
            (service / "template.yaml").read_text(),
            re.M,
        )
    )
    assert applications == {
        f"{name.capitalize()}App": f"functions/{name}/template.yaml" for name in ADDED
    }
    samconfig = (service / "samconfig.toml").read_text()
    assert 'capabilities = "CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"' in samconfig
    sam = sam_cli()
    if sam is None:
        pytest.skip("the SAM CLI is not installed (.ci/run installs it in .venv-sam)")
    for template in templates:
        run_in(service, str(sam), "validate", "--lint", "--template", template)
    # make build: SAM bundles the TypeScript function with its own esbuild
    built = subprocess.run(
        ["make", "build"],
        cwd=service,
        env={**ENV, "PATH": f"{sam.parent}{os.pathsep}{ENV['PATH']}"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert "Build Succeeded" in built.stdout, built.stdout[-3000:]
    build = service / ".aws-sam/build"
    for name in ADDED:
        assert (build / f"{name.capitalize()}App/template.yaml").is_file()
    assert (build / "WebApp/WebFunction/web/handler.py").is_file()  # its Makefile's zip
    assert (build / "OrdersApp/OrdersFunction/src/handler.mjs").is_file()


def test_serve_serves_every_http_function(service):
    child = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "serve", "--port", "0", "--no-watch"],
        cwd=service,
        env=ENV,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        urls = {}
        deadline = time.monotonic() + 60
        while len(urls) < 2 and time.monotonic() < deadline:
            line = child.stderr.readline()
            if found := re.match(r"lambda-new: serving (\w+) \(.*?\) on (http://\S+)", line):
                urls[found[1]] = found[2]
        assert set(urls) == {"ApiFunction", "WebFunction"}, urls
        for url in urls.values():
            with urllib.request.urlopen(f"{url}/hello?name=Ada", timeout=30) as answer:
                assert json.load(answer) == {"message": "Hello, Ada!"}
    finally:
        os.killpg(child.pid, signal.SIGINT)
        child.wait(timeout=30)


def test_the_workflow_passes_its_audits_and_runs_every_function_in_a_fresh_clone(
    service, tmp_path, runner
):
    tools = Path(sys.executable).parent
    schema = [str(tools / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    run_in(service, *schema, WORKFLOW)
    audit = run_in(service, str(tools / "zizmor"), "--offline", "--persona", "auditor", WORKFLOW)
    assert "No findings" in audit.stdout, audit.stdout
    workflow = yaml.safe_load((service / WORKFLOW).read_text())
    steps = workflow["jobs"]["check"]["steps"]
    node = [step for step in steps if "setup-node" in step.get("uses", "")]
    assert [step["with"]["cache-dependency-path"] for step in node] == [
        "functions/orders/package-lock.json"
    ]
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(service), str(clone))
    ran = run_steps(steps, clone, runner)
    assert "make package" in ran
    validated = [run for run in ran if run.startswith("sam validate")]
    if sam_cli() is not None:
        assert validated[0].count("sam validate --lint") == 1 + len(ADDED), validated
    assert (clone / "functions/web/dist/web.zip").is_file()
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""


def test_triggers_with_parameters_add_to_a_repo_and_every_template_lints(tmp_path):
    """An ALB API (parameters of its own) gains a second ALB, a schedule and a queue
    consumer: the root template declares each added trigger's parameters once (the ALBs
    share VpcId and SubnetIds) and passes them down; cfn-lint is clean. (Each trigger's
    own template is the one tests/test_triggers.py lints; the root's parameters are what
    `add` adds, and only ALB and schedule have any.)"""
    lambda_new(tmp_path, "edge", "-r", "node", "-t", "alb", "--defaults")
    repo = tmp_path / "edge"
    triggers = {"alb": "python", "schedule": "typescript", "sqs": "node"}
    for trigger, runtime in triggers.items():
        lambda_new(repo, "add", f"fn-{trigger}", "-t", trigger, "-r", runtime)
        git(repo, "add", "--all")
        git(repo, "commit", "--quiet", "--message", f"Add fn-{trigger}")
    templates = [
        "template.yaml",
        *(f"functions/fn-{trigger}/template.yaml" for trigger in triggers),
    ]
    run_in(repo, "cfn-lint", *templates)
    root = (repo / "template.yaml").read_text()
    assert root.count("\n  VpcId:\n") == 1  # declared once, for both load balancers
    assert 'SubnetIds: !Join [",", !Ref SubnetIds]' in root
    assert "FnAlbAllowedCidr: !Ref FnAlbAllowedCidr" in root
    assert "FnScheduleScheduleState: !Ref FnScheduleScheduleState" in root
    listed = lambda_new(repo, "list").stdout.splitlines()
    assert len(listed) == 2 + len(triggers)


# ---- refusals: nothing written -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("api", "the repo has a function of that name"),
        ("ORDERS", "the repo has a function of that name"),
        ("orders_", "would collide with"),  # OrdersApp again
        ("bad.name", "use 1 to 64 letters"),
        ("a/b", "use 1 to 64 letters"),
    ],
)
def test_a_name_or_id_the_repo_has_is_refused_untouched(service, name, why):
    before = snapshot(service)
    refused = lambda_new(service, "add", name, "-t", "sqs", check=False)
    assert refused.returncode == 2, refused.stderr
    assert why in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert snapshot(service) == before


def test_a_dirty_tree_or_a_function_folder_is_refused_untouched(service):
    (service / "notes.txt").write_text("wip\n")
    try:
        before = snapshot(service)
        refused = lambda_new(service, "add", "later", check=False)
        assert refused.returncode == 1
        assert "uncommitted changes (notes.txt)" in refused.stderr
        assert snapshot(service) == before
    finally:
        (service / "notes.txt").unlink()
    inner = lambda_new(service / "functions/orders", "add", "later", check=False)
    assert inner.returncode == 2 and "run `lambda-new add` there" in inner.stderr


def test_an_unknown_choice_is_refused_before_anything_runs(service):
    refused = lambda_new(service, "add", "later", "--trigger", "smoke-signal", check=False)
    assert refused.returncode == 2
    assert "smoke-signal" in refused.stderr and "sqs" in refused.stderr


ADD_POINTS = {
    "member": "lambda-new-*/member/template.yaml",
    "clone": "lambda-new-*/clone/.git/index",
}


@pytest.mark.parametrize(
    ("number", "group", "point"),
    [
        (signal.SIGINT, True, "member"),
        (signal.SIGTERM, False, "clone"),
        (signal.SIGHUP, True, "applying"),
    ],
)
def test_an_interrupted_add_leaves_the_repo_byte_identical_or_complete(
    tmp_path, number, group, point
):
    lambda_new(tmp_path, "api", "-t", "http-api", "--defaults")
    repo = tmp_path / "api"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    before = snapshot(repo)
    trigger = (
        exists(repo, "functions/jobs/*")
        if point == "applying"
        else exists(scratch, ADD_POINTS[point])
    )
    result, sent = interrupt(
        ["add", "jobs", "-t", "sqs"], repo, trigger, number, group, env={"TMPDIR": str(scratch)}
    )
    assert sent, result.stderr
    assert "Traceback" not in result.stderr
    if (repo / "functions/jobs/template.yaml").exists():  # the signal came while writing
        assert "JobsApp:" in (repo / "template.yaml").read_text()
        assert (repo / "functions/jobs/.copier-answers.yml").is_file()
    else:
        assert result.returncode == 128 + number, result.stderr
        assert "nothing was written or changed" in result.stderr
        assert snapshot(repo) == before
    assert list(scratch.iterdir()) == [], "temporary files left behind"


# ---- new, old repos, update ---------------------------------------------------------------


def test_new_still_makes_a_one_function_repo(tmp_path):
    lambda_new(tmp_path, "solo", "-t", "sqs", "--defaults")
    answers = yaml.safe_load((tmp_path / "solo/.copier-answers.yml").read_text())
    assert "functions" not in answers and "part_of" not in answers
    assert "Serverless::Application" not in (tmp_path / "solo/template.yaml").read_text()
    assert not (tmp_path / "solo/functions").exists()
    assert lambda_new(tmp_path / "solo", "list").stdout.splitlines()[1].split()[:3] == [
        "solo",
        "python3.13",
        "sqs",
    ]


def test_a_repo_from_an_earlier_release_adds_after_update(tmp_path):
    lambda_new(tmp_path, "old", "--vcs-ref", "0.8.0", "--defaults")
    repo = tmp_path / "old"
    before = snapshot(repo)
    refused = lambda_new(repo, "add", "jobs", check=False)
    assert refused.returncode == 1
    assert "run `lambda-new update` first" in refused.stderr
    assert snapshot(repo) == before
    lambda_new(repo, "update")
    git(repo, "commit", "--quiet", "--all", "--message", "Update")
    lambda_new(repo, "add", "jobs", "-t", "schedule")
    root = (repo / "template.yaml").read_text()
    assert "JobsApp:" in root and "JobsScheduleExpression: !Ref JobsScheduleExpression" in root


@pytest.fixture
def team_service(tmp_path) -> tuple[Path, Path]:
    """A repo from a team template at 1.0.0 with two added functions, each function's
    handler edited by its owner and committed; the template then releases 2.0.0."""
    template = team_template(tmp_path / "template")
    lambda_new(tmp_path, "api", "--template", str(template), "-t", "http-api", "--defaults")
    repo = tmp_path / "api"
    lambda_new(repo, "add", "orders", "-r", "node", "-t", "sqs")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "Add orders")
    lambda_new(repo, "add", "tick", "-t", "schedule")
    for path, comment in [
        ("src/api/handler.py", "#"),
        ("functions/orders/src/handler.mjs", "//"),
        ("functions/tick/src/tick/handler.py", "#"),
    ]:
        (repo / path).write_text(f"{(repo / path).read_text()}\n{comment} owner: keep me\n")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "Add tick; owners' edits")
    for part, comment in [
        ("sqs/handler.mjs", "//"),
        ("schedule/handler.py", "#"),
    ]:
        path = template / "triggers" / part
        path.write_text(f"{comment} template 2.0.0\n{path.read_text()}")
    makefile = template / "templates/Makefile.jinja"
    makefile.write_text(makefile.read_text() + "\n# team 2.0.0\n")
    git(template, "add", "--all")
    git(template, "commit", "--quiet", "--message", "2.0.0")
    git(template, "tag", "2.0.0")
    return repo, template


def test_update_reaches_every_function_and_keeps_each_owners_edit(team_service):
    repo, _ = team_service
    updated = lambda_new(repo, "update")
    assert "1.0.0 to 2.0.0: 8 changed" in updated.stdout, updated.stdout
    for answers in [".", "functions/orders", "functions/tick"]:
        recorded = yaml.safe_load((repo / answers / ".copier-answers.yml").read_text())
        assert recorded["_commit"] == "2.0.0", answers
    orders = (repo / "functions/orders/src/handler.mjs").read_text()
    assert orders.startswith("// template 2.0.0") and "// owner: keep me" in orders
    tick = (repo / "functions/tick/src/tick/handler.py").read_text()
    assert tick.startswith("# template 2.0.0") and "# owner: keep me" in tick
    for makefile in ["Makefile", "functions/orders/Makefile", "functions/tick/Makefile"]:
        assert (repo / makefile).read_text().endswith("# team 2.0.0\n"), makefile
    assert "# owner: keep me" in (repo / "src/api/handler.py").read_text()
    assert "functions/orders/src/handler.mjs" in updated.stdout
    run_in(repo, "make", "test")


def test_plain_copier_updates_the_root_alone(team_service):
    repo, _ = team_service
    copier = str(Path(sys.executable).parent / "copier")
    run_in(repo, copier, "update", "--defaults", "--skip-answered")
    assert (repo / "Makefile").read_text().endswith("# team 2.0.0\n")
    changed = git(repo, "status", "--porcelain").split()[1::2]
    assert changed == [".copier-answers.yml", "Makefile"], changed


def test_plain_copier_updates_one_function(team_service):
    repo, _ = team_service
    copier = str(Path(sys.executable).parent / "copier")
    run_in(repo, copier, "update", "--defaults", "--skip-answered", "functions/orders")
    orders = (repo / "functions/orders/src/handler.mjs").read_text()
    assert orders.startswith("// template 2.0.0") and "// owner: keep me" in orders
    assert yaml.safe_load((repo / ".copier-answers.yml").read_text())["_commit"] == "1.0.0"
    changed = git(repo, "status", "--porcelain").split()
    assert all(path.startswith("functions/orders/") for path in changed[1::2]), changed
    assert files_of(repo / "functions/tick")  # untouched, still there
