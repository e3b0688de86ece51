"""Operational defaults of every trigger's template.yaml: log retention, failure queues,
alarms, retained data, tags, least privilege, the ALB's HTTPS; cfn-lint's informational
checks find nothing and checkov finds only what the README explains.

The templates are read as CloudFormation reads them (cfn-lint's decoder), and where SAM's
own translation matters (the role SAM would make), transformed by SAM's translator from the
SAM CLI's environment (.ci/run installs it in .venv-sam).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.decode import decode
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from scaffold import catalog, project, questions

from .conftest import REPO_ROOT, run_in

pytestmark = pytest.mark.e2e

FACTS = catalog.load()
TRIGGERS = list(FACTS.triggers)
CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")
TAGS = {"owner": "payments", "team": "checkout"}
POLLERS = {"sqs", "dynamodb", "kinesis"}
# Triggers whose events Lambda queues (catalog/triggers.yml `async_by`).
ASYNC = {
    name
    for name, info in yaml.safe_load((REPO_ROOT / "catalog" / "triggers.yml").read_text())[
        "triggers"
    ].items()
    if info.get("async_by")
}
SAM_TYPES_WITH_TAG_MAPS = {
    "AWS::Serverless::Function",
    "AWS::Serverless::Api",
    "AWS::Serverless::HttpApi",
}


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("operations")
    return {
        trigger: project.create(
            project.NewProject(
                name=f"ops-{trigger}", output_dir=root, trigger=trigger, git=False, **TAGS
            )
        ).path
        for trigger in TRIGGERS
    }


def template(repo: Path) -> dict[str, Any]:
    decoded, problems = decode(str(repo / "template.yaml"))
    assert not problems and decoded is not None, problems
    return decoded


def resources_of(repo: Path, kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template(repo)["Resources"].items() if v["Type"] == kind}


def function_of(repo: Path) -> dict[str, Any]:
    (function,) = resources_of(repo, "AWS::Serverless::Function").values()
    return function["Properties"]


def test_cfn_lint_with_its_informational_checks_finds_nothing(repos):
    """I3011 (data resources without DeletionPolicy/UpdateReplacePolicy), I3013 (no explicit
    retention), and every error and warning."""
    run_in(
        REPO_ROOT,
        CFN_LINT,
        "--include-checks",
        "I",
        "--",
        *(str(r / "template.yaml") for r in repos.values()),
    )


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_the_function_logs_to_its_own_log_group_kept_log_retention_days(repos, trigger):
    repo = repos[trigger]
    decoded = template(repo)
    (group_id, group), *others = resources_of(repo, "AWS::Logs::LogGroup").items()

    assert function_of(repo)["LoggingConfig"]["LogGroup"] == {"Ref": group_id}
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert group["DeletionPolicy"] == group["UpdateReplacePolicy"] == "Retain"
    assert decoded["Parameters"]["LogRetentionDays"]["Default"] == 30
    assert 30 in decoded["Parameters"]["LogRetentionDays"]["AllowedValues"]
    assert all(o[1]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"} for o in others)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_alarms_watch_errors_throttles_and_every_queue_of_failures(repos, trigger):
    repo = repos[trigger]
    alarms = resources_of(repo, "AWS::CloudWatch::Alarm").values()
    watched = {
        (a["Properties"]["MetricName"], json.dumps(a["Properties"]["Dimensions"][0]["Value"]))
        for a in alarms
    }
    queues = [
        name
        for name in resources_of(repo, "AWS::SQS::Queue")
        if "DeadLetter" in name or "Failed" in name
    ]

    assert {metric for metric, _ in watched} >= {"Errors", "Throttles"}
    for queue in queues:
        value = json.dumps({"Fn::GetAtt": [queue, "QueueName"]})
        assert ("ApproximateNumberOfMessagesVisible", value) in watched, queue
    for alarm in alarms:
        assert alarm["Condition"] == "AlarmsOn"  # Alarms=off removes them
        assert alarm["Properties"]["AlarmActions"] == {
            "Fn::If": ["AlarmsNotify", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
        }


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_asynchronous_triggers_keep_a_failed_event_in_a_queue(repos, trigger):
    repo = repos[trigger]
    config = function_of(repo).get("EventInvokeConfig")

    if trigger in ASYNC:
        on_failure = config["DestinationConfig"]["OnFailure"]
        assert on_failure["Type"] == "SQS"
        queue = on_failure["Destination"]["Fn::GetAtt"][0]
        assert queue in resources_of(repo, "AWS::SQS::Queue")
        assert config["MaximumRetryAttempts"] == 2
    else:
        assert config is None  # synchronous (HTTP) or polled: the caller or the queue retries


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_every_taggable_resource_carries_the_owner_and_team_tags(repos, trigger):
    repo = repos[trigger]
    untagged = []
    for name, resource in template(repo)["Resources"].items():
        kind = resource["Type"]
        tags = (resource.get("Properties") or {}).get("Tags")
        if kind in SAM_TYPES_WITH_TAG_MAPS:
            ok = tags == TAGS
        else:
            schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", kind).schema
            if not schema.get("tagging", {}).get("taggable"):
                continue
            ok = isinstance(tags, list) and {t["Key"]: t["Value"] for t in tags} == TAGS
        if not ok:
            untagged.append(f"{name} ({kind})")

    assert untagged == []
    deploy = tomllib.loads((repo / "samconfig.toml").read_text())["default"]["deploy"]
    assert deploy["parameters"]["tags"] == 'owner="payments" team="checkout"'  # the stack's


@pytest.mark.parametrize("trigger", sorted(POLLERS))
def test_pollers_have_a_role_that_reaches_their_own_source_only(repos, trigger):
    repo = repos[trigger]
    function = function_of(repo)
    ((role_id, role),) = resources_of(repo, "AWS::IAM::Role").items()

    assert function["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert "Policies" not in function  # SAM ignores them beside a Role
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = [
        s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
    ]
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert "*" not in json.dumps(statement["Action"])
        resource = json.dumps(statement["Resource"])
        assert resource != '"*"' and ("GetAtt" in resource or "Sub" in resource), statement


def sam_translator_python() -> Path | None:
    python = REPO_ROOT / ".venv-sam" / "bin" / "python"
    if python.is_file():
        return python
    if os.environ.get("CI"):
        pytest.fail("the SAM CLI's environment is missing: .ci/run installs it in .venv-sam")
    return None


TRANSFORM = """
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

class NoManagedPolicies:
    def load(self):
        return {}

template = yaml_parse(open(sys.argv[1]).read())
for resource in template["Resources"].values():
    if resource["Type"] == "AWS::Serverless::Function":
        resource["Properties"]["CodeUri"] = "s3://bucket/key"  # what sam deploy uploads
print(json.dumps(transform(template, {"AWS::Region": "us-east-1"}, NoManagedPolicies())))
"""


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_no_role_gets_an_account_wide_event_source_policy_from_sam(repos, trigger):
    """SAM adds AWSLambdaSQSQueueExecutionRole (and its DynamoDB, Kinesis kin) to a role it
    makes for a function with such an event: they read every queue or stream of the
    account. Checked on SAM's own translation of the template."""
    python = sam_translator_python()
    if python is None:
        pytest.skip("SAM's translator is not installed (.venv-sam)")
    result = subprocess.run(
        [str(python), "-c", TRANSFORM, str(repos[trigger] / "template.yaml")],
        capture_output=True, text=True, check=True,
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"},
    )  # fmt: skip
    transformed = json.loads(result.stdout)

    for resource in transformed["Resources"].values():
        if resource["Type"] == "AWS::IAM::Role":
            managed = resource["Properties"].get("ManagedPolicyArns", [])
            assert not [arn for arn in managed if "ExecutionRole" in arn and "Basic" not in arn]


def test_alb_admits_only_the_range_its_deployer_names_and_serves_https_with_a_certificate(repos):
    repo = repos["alb"]
    decoded = template(repo)
    prefix = questions.logical_id_prefix("ops-alb")
    listeners = resources_of(repo, "AWS::ElasticLoadBalancingV2::Listener")

    assert "Default" not in decoded["Parameters"][f"{prefix}AllowedCidr"]
    assert decoded["Parameters"][f"{prefix}CertificateArn"]["Default"] == ""
    https = listeners[f"{prefix}HttpsListener"]
    assert https["Condition"] == f"{prefix}Https"
    assert https["Properties"]["Protocol"] == "HTTPS"
    assert https["Properties"]["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    redirect = listeners[f"{prefix}Listener"]["Properties"]["DefaultActions"][0]["Fn::If"]
    assert redirect[1]["Type"] == "redirect" and redirect[2]["Type"] == "forward"


def checkov() -> Path | None:
    found = shutil.which("checkov")
    local = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
    if found:
        return Path(found)
    if local.is_file():
        return local
    if os.environ.get("CI"):
        pytest.fail("checkov is missing: .ci/run installs it in .venv-checkov")
    return None


def documented_findings() -> set[str]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Operational defaults", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"CKV2?_AWS_\d+", section))


def test_checkov_finds_only_what_the_readme_explains(repos):
    tool = checkov()
    if tool is None:
        pytest.skip("checkov is not installed (.venv-checkov)")
    found: dict[str, set[str]] = {}
    for trigger, repo in repos.items():
        result = subprocess.run(
            [str(tool), "-f", str(repo / "template.yaml"), "--framework", "cloudformation",
             "--output", "json", "--quiet", "--skip-download"],
            capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
        report = json.loads(result.stdout or "{}")
        for check in (report.get("results") or {}).get("failed_checks", []):
            found.setdefault(check["check_id"], set()).add(trigger)

    explained = documented_findings()
    assert found, "checkov reported nothing: did it read the templates?"
    assert {check: triggers for check, triggers in found.items() if check not in explained} == {}
    assert explained - set(found) == set()  # the README lists no finding that is gone
