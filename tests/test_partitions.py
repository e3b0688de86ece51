"""Partitions and browser paths.

Every ARN and AWS hostname lambda-new writes follows the region's partition
(catalog/partitions.yml, botocore's table): the sample events, the function ARN of
`invoke`, serve's events. And an HTTP event's `path` is what a browser sends for it,
mapped as scaffold/integrations.py maps live requests.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from scaffold import catalog, events, invoker, partitions, project
from scaffold import integrations as I
from scaffold.integrations import Gateway, HttpRequest, Match, Route
from tests import fidelity
from tests.conftest import REPO_ROOT
from tests.test_integrations import URL_IAM

EVENTS = events.load()
NAMES = list(EVENTS)
ACCOUNT = "210987654321"
# One region of each kind of partition: China, GovCloud (amazonaws.com, its own ARNs),
# the European Sovereign Cloud, an ISO region.
REGIONS = ("cn-north-1", "us-gov-west-1", "eusc-de-east-1", "us-iso-east-1")


def context(region: str) -> dict[str, str]:
    return {"function_name": "orders", "region": region, "account": ACCOUNT}


def rendered(name: str, region: str = "us-east-1", /, **settings: str) -> str:
    return events.render(EVENTS[name], context(region), settings)


def template(name: str, region: str = "us-east-1", /, **settings: str) -> Any:
    """The event rendered straight from its template: values the --set rules refuse
    (a path with a space) reach it too."""
    data = {"partitions": [events._partitions()], **context(region), **settings}
    return json.loads(events._environment().get_template(EVENTS[name].template).render(data))


# --------------------------------------------------------------------------- the table


def test_a_region_is_in_the_partition_that_lists_or_matches_it() -> None:
    expected = {
        "us-east-1": ("aws", "amazonaws.com"),
        "cn-northwest-1": ("aws-cn", "amazonaws.com.cn"),
        "us-gov-east-1": ("aws-us-gov", "amazonaws.com"),
        "eusc-de-east-1": ("aws-eusc", "amazonaws.eu"),
        "us-iso-east-1": ("aws-iso", "c2s.ic.gov"),
        "us-isob-east-1": ("aws-iso-b", "sc2s.sgov.gov"),
        "us-isof-south-1": ("aws-iso-f", "csp.hci.ic.gov"),
        "eu-isoe-west-1": ("aws-iso-e", "cloud.adc-e.uk"),
        "ap-future-9": ("aws", "amazonaws.com"),  # not listed yet: the pattern decides
        "cn-future-9": ("aws-cn", "amazonaws.com.cn"),
    }
    for region, (partition, suffix) in expected.items():
        found = partitions.of(region)
        assert found is not None, region
        assert (found.id, found.dns_suffix) == (partition, suffix), region
    assert partitions.of("zz-east-1") is None
    assert partitions.arn("cn-north-1", "s3:::b") == "arn:aws-cn:s3:::b"


def test_every_listed_region_fits_its_partitions_pattern() -> None:
    """The refusal message names each partition's pattern: the listed regions fit it."""
    for partition in partitions.table():
        for region in partition.regions:
            assert re.search(partition.region_regex, region), (partition.id, region)
            assert catalog.problem("region", region) is None, region


def botocores_partitions() -> Path:
    """botocore's partitions.json: from this environment's botocore, else from the SAM
    CLI's environment (.ci/run installs it in .venv-sam; CI must have one of them)."""
    try:
        import botocore  # type: ignore[import-not-found]
    except ImportError:
        found = sorted(
            (REPO_ROOT / ".venv-sam" / "lib").glob(
                "python*/site-packages/botocore/data/partitions.json"
            )
        )
        if found:
            return found[0]
        if os.environ.get("CI"):
            pytest.fail("botocore is missing: .ci/run installs it with the SAM CLI in .venv-sam")
        pytest.skip("botocore is not installed here nor in .venv-sam")
    return Path(botocore.__file__).parent / "data" / "partitions.json"


def test_the_table_is_botocores() -> None:
    data = json.loads(botocores_partitions().read_text())
    theirs = [
        (
            p["id"],
            p["outputs"]["dnsSuffix"],
            p["regionRegex"],
            tuple(sorted(r for r in p["regions"] if not r.endswith("-global"))),
        )
        for p in data["partitions"]
    ]
    ours = [(p.id, p.dns_suffix, p.region_regex, p.regions) for p in partitions.table()]
    assert ours == theirs, "run: python tools/partitions.py"


# --------------------------------------------------------------------------- regions


@pytest.mark.parametrize("region", ["zz-east-1", "eusc-fr-east-1", "us-foo-bar-1"])
def test_a_region_no_partition_has_is_refused(cli: Any, region: str) -> None:
    result = cli("events", "show", "sqs-receive", "--set", f"region={region}")

    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "use a region of an AWS partition: aws " in result.stderr
    assert (
        "aws-cn cn-<name>-<n>" in result.stderr and "aws-us-gov us-gov-<name>-<n>" in result.stderr
    )


def test_a_region_no_partition_has_is_refused_from_the_environment(cli: Any) -> None:
    result = cli("config", "show", env={"LAMBDA_NEW_REGION": "zz-east-1"})

    assert result.exit_code == 2
    assert "use a region of an AWS partition" in result.stderr


@pytest.mark.parametrize("region", REGIONS)
def test_every_partitions_regions_are_accepted(cli: Any, region: str) -> None:
    result = cli("events", "show", "sqs-receive", "--set", f"region={region}")

    assert result.exit_code == 0, result.stderr
    partition = partitions.arn_partition(region)
    assert f'"arn:{partition}:sqs:{region}:' in result.stdout


def test_new_refuses_a_region_no_partition_has(cli: Any) -> None:
    result = cli("fn", "--region", "zz-east-1", "--defaults", "--no-git")

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "use a region of an AWS partition" in result.stderr


# --------------------------------------------------------------------------- events


def hosts_outside_the_partition(text: str, region: str) -> list[str]:
    """Hosts in `text` that are in `region` but not under its partition's DNS suffix, and,
    where the suffix is not amazonaws.com, any host under amazonaws.com.

    Not hosts, and left alone: service principals (`config.amazonaws.com` in a role path:
    one label, never after ://), which AWS writes the same in every partition. Function URL
    hosts (<id>.lambda-url.<region>.on.aws) have that one form wherever they exist.
    """
    suffix = partitions.dns_suffix(region)
    wrong = []
    label = r"[A-Za-z0-9-]+"
    under_suffix = re.compile(rf"(?:{label}\.)*{re.escape(suffix)}(?![A-Za-z0-9.])")
    for found in re.finditer(rf"(?:{label}\.)+{re.escape(region)}\.({label}(?:\.{label})*)", text):
        # A host in the region: under the suffix (a MQ message id goes on with -<n>), or
        # a function URL's.
        if not (under_suffix.match(found[1]) or found[1] == "on.aws"):
            wrong.append(found[0])
    if suffix != "amazonaws.com":
        for found in re.finditer(r"(?<![\w.-])((?:[\w-]+\.)+)amazonaws\.com(?![\w.-])", text):
            principal = found[1].count(".") == 1 and text[: found.start()][-3:] != "://"
            if not principal:
                wrong.append(found[0])
    return sorted(set(wrong))


def test_the_host_check_finds_what_it_should() -> None:
    text = (
        '"https://sns.cn-north-1.amazonaws.com/x.pem" "fn-alb-1.cn-north-1.elb.amazonaws.com" '
        '"https://s3.amazonaws.com/b" "role/aws-service-role/config.amazonaws.com/R" '
        '"u.lambda-url.cn-north-1.on.aws" "b-1.c.kafka.cn-north-1.amazonaws.com.cn:9098"'
    )
    assert hosts_outside_the_partition(text, "cn-north-1") == [
        "fn-alb-1.cn-north-1.elb.amazonaws.com",
        "s3.amazonaws.com",
        "sns.cn-north-1.amazonaws.com",
    ]
    assert hosts_outside_the_partition(
        text.replace("cn-north-1", "us-gov-west-1"), "us-gov-west-1"
    ) == ["b-1.c.kafka.us-gov-west-1.amazonaws.com.cn"]


@pytest.mark.parametrize(("name", "region"), [(n, r) for n in NAMES for r in REGIONS], ids=str)
def test_every_event_follows_the_partition(name: str, region: str) -> None:
    text = rendered(name, region)
    partition = partitions.arn_partition(region)

    assert "arn:aws:" not in text or partition == "aws"
    assert not re.findall(rf"arn:(?!{re.escape(partition)}:)[\w-]+:", text)
    assert hosts_outside_the_partition(text, region) == []


@pytest.mark.parametrize(("name", "region"), [(n, r) for n in NAMES for r in REGIONS], ids=str)
def test_every_event_still_fits_powertools_in_every_partition(name: str, region: str) -> None:
    payload = json.loads(rendered(name, region))

    fidelity.validate_pydantic(EVENTS[name], payload)
    fidelity.read_dataclass(EVENTS[name], payload)


# --------------------------------------------------------------------------- a new repo


@pytest.fixture(scope="module")
def china_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    created = project.create(
        project.NewProject(
            name="cn-func",
            output_dir=tmp_path_factory.mktemp("cn"),
            runtime="python",
            trigger="s3",
            region="cn-north-1",
            git=False,
        )
    )
    repo = created.path
    # `invoke` runs the repo's .venv/bin/python: this interpreter stands in for it.
    venv_python = repo / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    venv_python.chmod(0o755)
    return repo


def test_a_repo_in_china_has_china_arns_in_its_events(china_repo: Path) -> None:
    samples = sorted((china_repo / "events").glob("*.json"))
    texts = {path.name: path.read_text() for path in samples if not path.name.startswith("invoke")}

    assert texts, "the s3 trigger ships sample events"
    for name, text in texts.items():
        assert "arn:aws-cn:s3:::" in text, name
        assert "arn:aws:" not in text, name
        assert hosts_outside_the_partition(text, "cn-north-1") == [], name
    assert 'f"arn:aws-cn:lambda:{REGION}' in (china_repo / "tests" / "conftest.py").read_text()


def test_invoke_names_the_function_in_its_partition(china_repo: Path) -> None:
    plan = invoker.prepare(invoker.Request(path=china_repo))

    assert (
        plan.arn == f"arn:aws-cn:lambda:cn-north-1:{catalog.load().sample_account}:function:cn-func"
    )
    assert b"arn:aws-cn:s3:::" in plan.event


def test_template_pseudo_parameters_follow_the_partition(china_repo: Path) -> None:
    from scaffold import repo

    found = repo.find(china_repo)
    context = repo._Context({}, found.region, ACCOUNT, found.answers)
    assert context.ref("AWS::Partition") == "aws-cn"
    assert context.ref("AWS::URLSuffix") == "amazonaws.com.cn"


# --------------------------------------------------------------------------- serve


REQUEST_ID = "7c2af7db-31f3-42b5-8a6d-9ffc74e3b9e0"
NOW_MS = 1796383176318
REST = Gateway(
    "api", (Route("ANY", "/{proxy+}"),), function_name="fn", api_id=I.REST_API_ID, stage="prod"
)
HTTP_API = Gateway(
    "http-api", (Route("ANY", "$default"),), function_name="fn", api_id=I.HTTP_API_ID
)
URL = URL_IAM  # an IAM caller: its user ARN is in the partition too
ALB = Gateway(
    "alb",
    (Route("ANY", "/*"),),
    function_name="fn",
    target_group="hello-6f1d2c8a",
    scheme="http",
    port=80,
)
GATEWAYS = {"api": REST, "http-api": HTTP_API, "function-url": URL, "alb": ALB}


def served(
    gw: Gateway, target: str, region: str, method: str = "GET", **options: Any
) -> dict[str, Any]:
    request = HttpRequest(method, target, [("User-Agent", "curl/8.5.0")], b"")
    found = I.match(gw, request)
    assert isinstance(found, Match), found
    return I.to_event(
        gw,
        found,
        request,
        region=region,
        account=ACCOUNT,
        request_id=REQUEST_ID,
        now_ms=NOW_MS,
        **options,
    )


@pytest.mark.parametrize("region", REGIONS)
def test_serves_events_follow_the_partition(region: str) -> None:
    suffix = partitions.dns_suffix(region)
    partition = partitions.arn_partition(region)
    for name, gw in GATEWAYS.items():
        text = json.dumps(served(gw, "/hello", region))
        assert "arn:aws:" not in text, name
        assert hosts_outside_the_partition(text, region) == [], name
    rest = served(REST, "/hello", region)
    assert rest["requestContext"]["domainName"] == f"{I.REST_API_ID}.execute-api.{region}.{suffix}"
    assert rest["requestContext"]["path"] == "/prod/hello"  # AWS's own host: the stage is in it
    behind = served(REST, "/hello", region, domain="api.example.com")
    assert behind["requestContext"]["path"] == "/hello"
    alb = served(ALB, "/hello", region)
    assert alb["requestContext"]["elb"]["targetGroupArn"].startswith(
        f"arn:{partition}:elasticloadbalancing:{region}:{ACCOUNT}:targetgroup/hello-6f1d2c8a/"
    )
    assert alb["headers"]["host"] == f"fn-alb-{I.ALB_DNS_ID}.{region}.elb.{suffix}"
    url = served(URL, "/hello", region)
    assert url["requestContext"]["authorizer"]["iam"]["userArn"].startswith(
        f"arn:{partition}:iam::"
    )
    assert url["requestContext"]["domainName"] == f"{I.FUNCTION_URL_ID}.lambda-url.{region}.on.aws"


@pytest.mark.parametrize("integration", list(GATEWAYS))
def test_serve_and_the_catalog_agree_on_hosts_in_every_partition(integration: str) -> None:
    name = {
        "api": "api-get",
        "http-api": "http-api-get",
        "function-url": "function-url-get",
        "alb": "alb-get",
    }[integration]
    for region in REGIONS:
        sample = json.loads(rendered(name, region))
        event = served(GATEWAYS[integration], "/hello?name=Ada%20Lovelace", region)
        if integration == "alb":
            assert event["requestContext"] == sample["requestContext"]
            assert event["headers"]["host"] == sample["headers"]["host"].replace("orders", "fn")
        else:
            assert event["requestContext"]["domainName"] == sample["requestContext"]["domainName"]


# --------------------------------------------------------------------------- browser paths


def browser(typed: str) -> str:
    """The request-target a browser sends for `typed` after the host (WHATWG URL parser:
    the path percent-encode set, the special-query percent-encode set)."""

    def encode(text: str, also: str) -> str:
        return "".join(quote(c, safe="") if c <= " " or c > "~" or c in also else c for c in text)

    typed = re.sub(r"[\t\n\r]", "", typed).strip("".join(map(chr, range(33))))
    path, mark, query = typed.partition("#")[0].partition("?")
    return encode(path.replace("\\", "/"), '"#<>?^`{}') + mark + encode(query, "\"#<>'")


TYPED = [
    "/hello",
    "/hello/a b",
    "/hello/café/日本",
    "/hello?x=1&x=2&y=a b&z=a+b&w=a%2Bb&q=é",
    "/hello/a%20b?redirect=https%3A%2F%2Fexample.com%2Fa&empty=&flag",
    '/a"b<c>d`e{f}g^h|i',
    "/hello/%zz/%E2%82/%41",
    "/hello/a%3Fb?c=d",
    "/hello#fragment?not=query",
    "//double//slashes/",
    "/back\\slash",
    "/hello?",
    '/q?it\'s="quoted"',
]


def http() -> Any:
    return events._environment().get_template("catalog/events/_http.jinja").make_module({})


@pytest.mark.parametrize("typed", TYPED)
def test_the_browser_target_is_a_browsers(typed: str) -> None:
    path, query = json.loads(str(http().target(typed)))
    expected = browser(typed)

    assert path + ("" if query is None else "?" + query) == expected


def test_unquote_and_pairs_are_serves() -> None:
    module = http()
    rng = random.Random(7)
    pieces = [*"%%%aAfF09zZ+ é/?=&", "%C3", "%A9", "%E2", "%82", "%AC", "%F0", "%9F", "%80", "%ED"]
    pieces += ["%BF", "%C0", "%FF", "%90", "%F4", "%8F", "%E0", "%A0", "%2B", "%26", "%3D"]
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert str(module.unquote(text)) == I._unquote(text), text
        for decode in (True, False):
            ours = [tuple(pair) for pair in json.loads(str(module.pairs(text, decode)))]
            assert ours == I._query_pairs(text, decode=decode), (text, decode)


FAMILIES = {
    "api": ("api-get", "api-post"),
    "http-api": ("http-api-get", "http-api-post"),
    "function-url": ("function-url-get", "function-url-post"),
    "alb": ("alb-get", "alb-post"),
}
FIELDS = {
    "api": lambda e: (
        e["path"],
        e["requestContext"]["path"],
        e["queryStringParameters"],
        e["multiValueQueryStringParameters"],
    ),
    "http-api": lambda e: (
        e["rawPath"],
        e["rawQueryString"],
        e.get("queryStringParameters"),
        e["requestContext"]["http"]["path"],
    ),
    "function-url": lambda e: (
        e["rawPath"],
        e["rawQueryString"],
        e.get("queryStringParameters"),
        e["requestContext"]["http"]["path"],
    ),
    "alb": lambda e: (e["path"], e["queryStringParameters"]),
}


@pytest.mark.parametrize("integration", list(FAMILIES))
@pytest.mark.parametrize("typed", TYPED)
def test_a_typed_path_gives_the_event_serve_gives(integration: str, typed: str) -> None:
    """The sample event for a path typed in a browser holds what lambda-new serve puts in
    the event of that browser's request: path, query string and parameters."""
    gw = GATEWAYS[integration]
    for name in FAMILIES[integration]:
        method = "POST" if name.endswith("post") else "GET"
        settings = {"path": typed} if method == "POST" else {"path": typed, "name": ""}
        sample = template(name, "eu-west-3", **settings)
        event = served(gw, browser(typed), "eu-west-3", method)
        assert FIELDS[integration](sample) == FIELDS[integration](event), name
        fidelity.validate_pydantic(EVENTS[name], sample)
        fidelity.read_dataclass(EVENTS[name], sample)


def test_a_query_in_path_goes_to_the_query_string(cli: Any) -> None:
    result = cli("events", "show", "http-api-get", "--set", "path=/hello?x=1&x=2&city=S%C3%A3o")
    assert result.exit_code == 0, result.stderr
    event = json.loads(result.stdout)
    assert (event["rawPath"], event["routeKey"]) == ("/hello", "ANY /hello")
    assert event["rawQueryString"] == "x=1&x=2&city=S%C3%A3o"
    assert event["queryStringParameters"] == {"x": "1,2", "city": "São"}

    rest = json.loads(cli("events", "show", "api-get", "--set", "path=/hello?x=1&x=2").stdout)
    assert (rest["path"], rest["requestContext"]["path"]) == ("/hello", "/prod/hello")
    assert rest["queryStringParameters"] == {"x": "2"}
    assert rest["multiValueQueryStringParameters"] == {"x": ["1", "2"]}

    named = json.loads(
        cli("events", "show", "alb-get", "--set", "path=/hello?x=a+b", "--set", "name=Bo b").stdout
    )
    assert named["queryStringParameters"] == {"x": "a+b", "name": "Bo%20b"}


def test_a_path_is_percent_encoded_as_a_browser_sends_it(cli: Any) -> None:
    url = json.loads(cli("events", "show", "function-url-get", "--set", 'path=/café/"x"').stdout)
    assert url["rawPath"] == "/caf%C3%A9/%22x%22"
    assert url["requestContext"]["http"]["path"] == '/café/"x"'
    http_api = json.loads(cli("events", "show", "http-api-get", "--set", "path=/caf%C3%A9").stdout)
    assert http_api["rawPath"] == http_api["requestContext"]["http"]["path"] == "/café"
    alb = template("alb-get", path="/hello/a b")
    assert alb["path"] == "/hello/a%20b"
    spaced = cli("events", "show", "function-url-get", "--set", "path=/hello/a b?q=x y")
    assert spaced.exit_code == 0, spaced.stderr
    event = json.loads(spaced.stdout)
    assert (event["rawPath"], event["rawQueryString"]) == ("/hello/a%20b", "q=x%20y")
    assert event["requestContext"]["http"]["path"] == "/hello/a b"
    assert event["queryStringParameters"] == {"q": "x y"}
    assert cli("events", "show", "http-api-get", "--set", "path=/a\x01b").exit_code == 2


def test_without_a_query_in_path_the_name_default_stays(cli: Any) -> None:
    event = json.loads(cli("events", "show", "api-get", "--set", "path=/hello/x").stdout)
    assert event["queryStringParameters"] == {"name": "Ada Lovelace"}
    params = cli("events", "show", "api-get", "--params", "--set", "path=/hello?x=1")
    assert params.exit_code == 0, params.stderr
