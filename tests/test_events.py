"""The sample-event catalog: every event renders, matches AWS's shape, and obeys --set."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from scaffold import catalog, events
from tests import fidelity

EVENTS = events.load()
NAMES = list(EVENTS)
CONTEXT = {"function_name": "orders", "region": "eu-west-3", "account": "210987654321"}
# Sources for which an upstream schema does not exist (checked: Powertools 3.x,
# @types/aws-lambda 8.10.x). An event of a source in both sets (Alexa, WorkMail, Cognito
# Sync, Ground Truth, Step Functions' state input, DocumentDB) is checked by rendering and
# the parameter tests only: the README's table says which.
NO_TYPESCRIPT_TYPE = {
    "config",
    "alexa-skills-kit",
    "alexa-smart-home",
    "workmail",
    "bedrock-agent",
    "appsync-events",
    "codedeploy",
    "s3-object-lambda",
    "cognito-sync",
    "sagemaker-ground-truth",
    "stepfunctions",
    "vpc-lattice",
    "mq",
    "documentdb",
}
# Sources Powertools has neither a parser model nor an event data class for.
NO_POWERTOOLS_SCHEMA = {
    "cloudfront",
    "alexa-skills-kit",
    "alexa-smart-home",
    "lex",
    "lex-v2",
    "workmail",
    "iot",
    "codecommit",
    "cognito-sync",
    "sagemaker-ground-truth",
    "stepfunctions",
    "documentdb",
}


def payload(event_name: str, /, **settings: str) -> Any:
    return json.loads(events.render(EVENTS[event_name], CONTEXT, settings))


@pytest.fixture(scope="session")
def typecheck_failures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One tsc run over every event, and over variants with one required key removed."""
    cases: dict[str, tuple[str, Any]] = {}
    for name, event in EVENTS.items():
        ts_type = fidelity.typescript_type(event)
        if ts_type is None:
            continue
        body = payload(name)
        cases[name] = (ts_type, body)
        for path in fidelity.removable_keys(body):
            cases[f"{name} without {path}"] = (ts_type, fidelity.without(body, path))
    return fidelity.typecheck(cases, tmp_path_factory.mktemp("tsc"))


def test_catalog_has_at_least_80_events_over_40_sources() -> None:
    assert len(EVENTS) >= 80
    assert len({event.source for event in EVENTS.values()}) >= 40


def test_every_trigger_ships_events_from_the_catalog() -> None:
    for trigger in catalog.load().triggers.values():
        assert set(trigger.events) <= set(EVENTS), trigger.name
        if trigger.name != "none":
            assert trigger.events, trigger.name


@pytest.mark.parametrize("name", NAMES)
def test_event_renders_as_indented_json(name: str) -> None:
    text = events.render(EVENTS[name], CONTEXT, {})

    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(json.loads(text), indent=2) + "\n", "indent by 2, no trailing space"


@pytest.mark.parametrize("name", NAMES)
def test_event_matches_powertools_model_and_data_class(name: str) -> None:
    event = EVENTS[name]
    if event.source in NO_POWERTOOLS_SCHEMA:
        assert not (event.schemas.get("pydantic") or event.schemas.get("dataclass"))
        pytest.skip(f"Powertools has no model or data class for {event.source} events")
    assert event.schemas.get("pydantic") or event.schemas.get("dataclass"), "no schema named"

    fidelity.validate_pydantic(event, payload(name))
    fidelity.read_dataclass(event, payload(name))


@pytest.mark.parametrize("name", NAMES)
def test_event_type_checks_against_aws_lambda_types(
    name: str, typecheck_failures: dict[str, str]
) -> None:
    event = EVENTS[name]
    if event.source in NO_TYPESCRIPT_TYPE:
        assert fidelity.typescript_type(event) is None
        pytest.skip(f"@types/aws-lambda has no type for {event.source} events")
    assert fidelity.typescript_type(event), "no TypeScript type named"

    assert name not in typecheck_failures, typecheck_failures.get(name)


@pytest.mark.parametrize("name", [n for n in NAMES if EVENTS[n].schemas.get("pydantic")])
def test_powertools_check_fails_without_a_required_field(name: str) -> None:
    from aws_lambda_powertools.utilities.parser import models

    model = getattr(models, EVENTS[name].schemas["pydantic"])
    body = payload(name)
    required = [
        field.alias or key
        for key, field in model.model_fields.items()
        if field.is_required() and (field.alias or key) in body
    ]
    assert required, "the model requires none of the event's fields"
    for key in required:
        with pytest.raises(ValidationError):
            model.model_validate(fidelity.without(body, (key,)))


@pytest.mark.parametrize("name", [n for n in NAMES if fidelity.typescript_type(EVENTS[n])])
def test_typescript_check_fails_without_a_required_field(
    name: str, typecheck_failures: dict[str, str]
) -> None:
    body = payload(name)
    variants = [f"{name} without {path}" for path in fidelity.removable_keys(body)]

    assert any(variant in typecheck_failures for variant in variants)


@pytest.mark.parametrize(
    ("name", "param"), [(n, p) for n in NAMES for p in EVENTS[n].params], ids=str
)
def test_every_parameter_changes_the_event(name: str, param: str) -> None:
    event = EVENTS[name]
    default = events.defaults(event, CONTEXT)[param]
    try:
        parsed = json.loads(default)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        probe = json.dumps({**parsed, "probe": "lambda-new"})
    elif isinstance(parsed, int) and not isinstance(parsed, bool):
        probe = str(parsed + 7)
    else:  # a change the parameter's rule (catalog/params.yml) allows
        candidates = [default + "x", default + "1", default[:-1] + "0", default[:-1] + "1", "POST"]
        probe = next(
            c
            for c in candidates
            if c != default and catalog.problem(param, c, event.source) is None
        )

    assert payload(name, **{param: probe}) != payload(name)


def test_common_parameters_build_the_arns() -> None:
    text = events.render(EVENTS["sqs-receive"], CONTEXT, {"queue": "jobs"})

    assert "arn:aws:sqs:eu-west-3:210987654321:jobs" in text
    assert "my-function" not in text


def test_sqs_md5_of_body_follows_the_body() -> None:
    record = payload("sqs-receive", body='{"orderId": "42"}')["Records"][0]

    assert record["body"] == '{"orderId": "42"}'
    assert record["md5OfBody"] == hashlib.md5(b'{"orderId": "42"}').hexdigest()


def test_kinesis_data_is_the_base64_of_the_payload() -> None:
    param = next(p for p in EVENTS["kinesis-records"].params if p in {"payload", "data", "body"})
    record = payload("kinesis-records", **{param: '{"reading": 7}'})["Records"][0]

    assert base64.b64decode(record["kinesis"]["data"]) == b'{"reading": 7}'


def test_s3_keys_are_url_encoded_as_s3_sends_them() -> None:
    record = payload("s3-put", key="photos/Ada Lovelace+1 (copy).jpg")["Records"][0]

    assert record["s3"]["object"]["key"] == "photos/Ada+Lovelace%2B1+%28copy%29.jpg"


def test_values_with_quotes_and_newlines_stay_valid_json() -> None:
    body = 'line "one"\nline \\two\\ é'

    assert payload("sqs-receive", body=body)["Records"][0]["body"] == body


def test_unknown_parameter_is_a_usage_error_listing_the_parameters() -> None:
    with pytest.raises(events.UsageError, match=r"no parameter 'colour'.*queue"):
        events.render(EVENTS["sqs-receive"], CONTEXT, {"colour": "red"})


def test_unknown_event_is_a_usage_error_with_a_suggestion() -> None:
    with pytest.raises(events.UsageError, match=r"unknown event 'sqs-recieve'.*sqs-receive"):
        events.get("sqs-recieve")


def test_repo_context_comes_from_the_answers_file(tmp_path: Path) -> None:
    (tmp_path / ".copier-answers.yml").write_text(
        yaml.safe_dump({"function_name": "billing", "region": "ap-south-1"})
    )
    (tmp_path / "src").mkdir()

    context = events.repo_context(tmp_path / "src")

    assert context["function_name"] == "billing"
    assert context["region"] == "ap-south-1"


def test_outside_a_repo_the_context_is_the_sample_one(tmp_path: Path) -> None:
    context = events.repo_context(tmp_path)

    assert context["function_name"] == events.SAMPLE_FUNCTION_NAME
    assert context["region"] == catalog.load().default_region


def test_events_list_filters_by_source(cli: Any) -> None:
    sqs = cli("events", "list", "--source", "sqs", "--json")
    assert sqs.exit_code == 0, sqs.stderr
    assert {row["source"] for row in json.loads(sqs.stdout)} == {"sqs"}
    family = json.loads(cli("events", "list", "--source", "apigateway", "--json").stdout)
    assert {row["source"] for row in family} >= {"apigateway-rest", "apigateway-http"}
    unknown = cli("events", "list", "--source", "nope")
    assert unknown.exit_code == 2 and "sqs" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_events_show_as_yaml_and_into_a_file(cli: Any, tmp_path: Path) -> None:
    as_json = json.loads(cli("events", "show", "sqs-receive").stdout)
    as_yaml = cli("events", "show", "sqs-receive", "--format", "yaml")
    assert as_yaml.exit_code == 0, as_yaml.stderr
    assert yaml.safe_load(as_yaml.stdout) == as_json
    target = tmp_path / "event.json"
    written = cli("events", "show", "sqs-receive", "--set", "queue=jobs", "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    assert json.loads(target.read_text())["Records"][0]["eventSourceARN"].endswith(":jobs")
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left
    for bad in (["--format", "xml"], ["-o", str(tmp_path)], ["-o", str(tmp_path / "no/e.json")]):
        refused = cli("events", "show", "sqs-receive", *bad)
        assert refused.exit_code == 2, bad


def test_the_readme_table_lists_every_event_and_its_schemas() -> None:
    """README's table is the catalog's (tools/readme_events.py writes it)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "readme_events", Path(__file__).resolve().parent.parent / "tools" / "readme_events.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.README.read_text(encoding="utf-8")
    assert module.rewritten(text) == text, "run: python tools/readme_events.py"
