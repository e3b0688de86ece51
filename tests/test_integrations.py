"""scaffold/integrations.py: HTTP requests to the events of API Gateway (REST, HTTP API),
function URLs and ALBs, and handler results to the responses those integrations give.

Events are checked against Powertools' models (as the sample-event catalog is) and against
the catalog's own samples; behaviour against recordings of real AWS (see the module's
docstring): live captures of one request through each integration, LocalStack's
AWS-validated snapshots of REST and function URL results.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from scaffold import catalog, events, project, repo
from scaffold import integrations as I
from scaffold.integrations import Gateway, HttpRequest, HttpResponse, Match, Route

REGION = "us-west-2"
ACCOUNT = "123456789012"
REQUEST_ID = "7c2af7db-31f3-42b5-8a6d-9ffc74e3b9e0"
NOW_MS = 1796383176318  # 2026-12-04 11:19:36.318 UTC
HTTP_TRIGGERS: tuple[I.Integration, ...] = ("api", "http-api", "function-url", "alb")
MODEL = {
    "api": "APIGatewayProxyEventModel",
    "http-api": "APIGatewayProxyEventV2Model",
    "function-url": "LambdaFunctionUrlModel",
    "alb": "AlbModel",
}

REST = Gateway(
    "api", (Route("ANY", "/hello"),), function_name="fn", api_id=I.REST_API_ID, stage="prod"
)
HTTP_API = Gateway("http-api", (Route("ANY", "/hello"),), function_name="fn", api_id=I.HTTP_API_ID)
URL = Gateway("function-url", (Route("ANY", "/*"),), function_name="fn", api_id=I.FUNCTION_URL_ID)
URL_IAM = Gateway(
    "function-url",
    (Route("ANY", "/*"),),
    function_name="fn",
    api_id=I.FUNCTION_URL_ID,
    auth_type="AWS_IAM",
)
ALB = Gateway(
    "alb", (Route("ANY", "/*"),), function_name="fn", target_group="tg", scheme="http", port=80
)
ALB_MULTI = Gateway(
    "alb",
    (Route("ANY", "/*"),),
    multi_value_headers=True,
    function_name="fn",
    target_group="tg",
    scheme="http",
    port=80,
)


def request(
    method: str = "GET",
    target: str = "/hello",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> HttpRequest:
    sent = [("Host", "localhost:3000"), ("User-Agent", "curl/8.5.0"), ("Accept", "*/*")]
    return HttpRequest(method, target, sent + (headers or []), body, source_ip="203.0.113.24")


def event_of(gw: Gateway, req: HttpRequest, **options: Any) -> dict[str, Any]:
    found = I.match(gw, req)
    assert isinstance(found, Match), found
    return I.to_event(
        gw,
        found,
        req,
        region=REGION,
        account=ACCOUNT,
        request_id=REQUEST_ID,
        now_ms=NOW_MS,
        **options,
    )


def validate(integration: str, event: dict[str, Any]) -> None:
    """Powertools' pydantic model and event data class accept the event."""
    from aws_lambda_powertools.utilities import data_classes
    from aws_lambda_powertools.utilities.parser import models

    getattr(models, MODEL[integration]).model_validate(event)
    data_class = {
        "api": data_classes.APIGatewayProxyEvent,
        "http-api": data_classes.APIGatewayProxyEventV2,
        "function-url": data_classes.LambdaFunctionUrlEvent,
        "alb": data_classes.ALBEvent,
    }[integration](event)
    # What handlers read (Powertools' HTTP resolvers among them) reads without raising.
    method = event.get("httpMethod") or event["requestContext"]["http"]["method"]
    assert data_class.http_method == method
    assert data_class.path
    assert isinstance(data_class.resolved_headers_field, dict)
    assert isinstance(data_class.resolved_query_string_parameters, dict)
    if data_class.body:
        assert isinstance(data_class.decoded_body, str)


def shape(value: Any, headers: bool = False) -> Any:
    """The keys of `value`, recursively (lists by their first item; header names in
    lower case: clients send them in either)."""
    if isinstance(value, dict):
        return {
            key.lower() if headers else key: shape(item, key in ("headers", "multiValueHeaders"))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return "value"  # the models check types; null or text is the request's business


# --------------------------------------------------------------------------- generated repos


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One new Python repo per HTTP trigger, as `lambda-new NAME --trigger T` makes it."""
    root = tmp_path_factory.mktemp("integrations")
    repos = {}
    for trigger in HTTP_TRIGGERS:
        created = project.create(
            project.NewProject(
                name=f"hello-{trigger}",
                output_dir=root,
                runtime="python",
                trigger=trigger,
                region=REGION,
                ci="none",
                git=False,
            )
        )
        repos[trigger] = created.path
    return repos


def gateway_of(root: Path) -> tuple[repo.Repo, repo.Function, Gateway]:
    found = repo.read(root)
    function = found.function()
    gw = I.gateway(found, function)
    assert gw is not None
    return found, function, gw


def test_gateway_finds_the_generated_templates_routes(generated: dict[str, Path]) -> None:
    _, _, api = gateway_of(generated["api"])
    assert (api.integration, api.routes, api.stage) == (
        "api",
        (Route("ANY", "/hello", "Events.Hello"),),
        "prod",
    )
    assert api.binary_media_types == () and api.api_id == I.REST_API_ID

    _, _, http = gateway_of(generated["http-api"])
    assert (http.integration, http.routes, http.stage) == (
        "http-api",
        (Route("ANY", "/hello", "Events.Hello"),),
        "$default",
    )

    _, _, url = gateway_of(generated["function-url"])
    assert (url.integration, url.auth_type, url.streaming) == ("function-url", "AWS_IAM", False)
    assert [route.key for route in url.routes] == ["ANY /*"]

    _, _, alb = gateway_of(generated["alb"])
    # Without a CertificateArn (its default), the HTTP listener on port 80 forwards
    # everything to the target group; the HTTPS listener does not exist.
    assert (alb.integration, alb.multi_value_headers, alb.scheme, alb.port) == (
        "alb",
        False,
        "http",
        80,
    )
    assert alb.routes == (Route("ANY", "/*", "HelloAlbListener"),)
    assert alb.target_group == f"helloalb-{I.STACK_ID_PART}"


def test_the_catalogs_sample_ids_are_the_ones_events_carry() -> None:
    context = {"function_name": "fn", "region": REGION, "account": ACCOUNT}
    assert events.defaults(events.get("api-get"), context)["api_id"] == I.REST_API_ID
    assert events.defaults(events.get("http-api-get"), context)["api_id"] == I.HTTP_API_ID
    assert events.defaults(events.get("function-url-get"), context)["url_id"] == I.FUNCTION_URL_ID
    host = events.defaults(events.get("alb-get"), context)["host"]
    assert host == ALB.domain(REGION)
    alb_event = json.loads(events.render(events.get("alb-get"), context, {}))
    assert alb_event["requestContext"]["elb"]["targetGroupArn"].endswith(f"/{I.TARGET_GROUP_ID}")


@pytest.mark.parametrize("trigger", HTTP_TRIGGERS)
@pytest.mark.parametrize("kind", ["get", "post"])
def test_events_have_the_catalog_samples_fields(
    generated: dict[str, Path], trigger: str, kind: str
) -> None:
    found, _, gw = gateway_of(generated[trigger])
    body = b'{"name": "Grace Hopper"}'
    if kind == "get":
        req = request("GET", "/hello?name=Ada%20Lovelace")
    else:
        sent = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        req = request("POST", "/hello", sent, body)
    event = event_of(gw, req)
    context = events.context_of(found.answers)
    sample = json.loads(events.render(events.get(f"{trigger}-{kind}"), context, {}))

    assert shape(event) == shape(sample)
    assert event["requestContext"].get("domainName", "") == sample["requestContext"].get(
        "domainName", ""
    )
    validate(trigger, event)


def _handler(code_root: Path, package: str) -> Any:
    """The generated handler module, imported in this process."""
    sys.path.insert(0, str(code_root))
    try:
        spec = importlib.util.find_spec(f"{package}.handler")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(code_root))


@pytest.mark.parametrize("trigger", HTTP_TRIGGERS)
def test_the_generated_handler_answers_through_its_integration(
    generated: dict[str, Path], trigger: str
) -> None:
    _, function, gw = gateway_of(generated[trigger])
    handler = _handler(function.code_root, f"hello_{trigger.replace('-', '_')}").handler

    def call(req: HttpRequest) -> HttpResponse:
        found = I.match(gw, req)
        if isinstance(found, HttpResponse):
            return found
        event = I.to_event(
            gw, found, req, region=REGION, account=ACCOUNT, request_id=REQUEST_ID, now_ms=NOW_MS
        )
        result = handler(json.loads(json.dumps(event)), None)
        # What the Python runtime returns: compact JSON.
        payload = json.dumps(result, separators=(",", ":")).encode()
        return I.to_response(gw, payload, request=req)

    hello = call(request("GET", "/hello?name=Ada%20Lovelace"))
    assert (hello.status, json.loads(hello.body)) == (200, {"message": "Hello, Ada Lovelace!"})
    posted = call(
        request("POST", "/hello", [("Content-Type", "application/json")], b'{"name":"Grace"}')
    )
    assert json.loads(posted.body) == {"message": "Hello, Grace!"}
    binary = call(
        request("POST", "/hello", [("Content-Type", "application/octet-stream")], b'{"name":"Ed"}')
    )
    assert json.loads(binary.body) == {"message": "Hello, Ed!"}  # base64 where AWS encodes it
    put = call(request("PUT", "/hello"))
    assert (put.status, put.header("Allow")) == (405, "GET, POST")
    missing = call(request("GET", "/nope"))
    if trigger == "api":
        assert (missing.status, missing.body) == (
            403,
            b'{"message":"Missing Authentication Token"}',
        )
    elif trigger == "http-api":
        assert (missing.status, missing.body) == (404, b'{"message":"Not Found"}')
    else:  # the function itself answers every path
        assert missing.status == 404 and b"Not found" in missing.body
    if trigger == "alb":
        assert hello.reason == "OK"


# --------------------------------------------------------------------------- templates


def _repo_with(tmp_path: Path, generated: dict[str, Path], template: str) -> Path:
    root = tmp_path / "custom"
    root.mkdir()
    shutil.copy(generated["api"] / ".copier-answers.yml", root)
    (root / "template.yaml").write_text(template)
    return root


FUNCTION = """
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      CodeUri: src/
"""


def test_gateway_reads_rest_resources_stage_and_binary_types(tmp_path, generated) -> None:
    template = f"""
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {{Type: String, Default: v1}}
Globals:
  Api:
    BinaryMediaTypes: ["image~1png"]
Resources:{FUNCTION}      Events:
        Root: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /, Method: get}}}}
        Item: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: "/items/{{id}}", Method: put}}}}
        Rest: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: "/{{proxy+}}", Method: any}}}}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      BinaryMediaTypes: ["application~1octet-stream"]
"""
    _, _, gw = gateway_of(_repo_with(tmp_path, generated, template))
    assert [route.key for route in gw.routes] == ["GET /", "PUT /items/{id}", "ANY /{proxy+}"]
    assert gw.stage == "v1"
    assert gw.binary_media_types == ("application/octet-stream",)  # the API's own list wins


def test_gateway_reads_http_api_default_route_and_url_streaming(tmp_path, generated) -> None:
    template = f"""
Transform: AWS::Serverless-2016-10-31
Resources:{FUNCTION}      FunctionUrlConfig:
        AuthType: NONE
        InvokeMode: RESPONSE_STREAM
      Events:
        Everything: {{Type: HttpApi}}
"""
    found = repo.read(_repo_with(tmp_path, generated, template))
    function = found.function()
    http = I.gateway(found, function)
    assert http is not None and http.routes == (Route("ANY", "$default", "Events.Everything"),)
    url = I.gateway(found, function, "function-url")
    assert url is not None and (url.streaming, url.auth_type) == (True, "NONE")
    assert I.gateway(found, function, "alb") is None


def test_gateway_reads_alb_rules_attributes_and_https(tmp_path, generated) -> None:
    template = f"""
Transform: AWS::Serverless-2016-10-31
Parameters:
  Cert: {{Type: String, Default: "arn:aws:acm:us-west-2:123456789012:certificate/abc"}}
Conditions:
  Https: !Not [!Equals [!Ref Cert, ""]]
Resources:{FUNCTION}
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Name: api-targets
      TargetType: lambda
      Targets: [{{Id: !GetAtt Fn.Arn}}]
      TargetGroupAttributes:
        - {{Key: lambda.multi_value_headers.enabled, Value: "true"}}
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - !If
          - Https
          - {{Type: redirect, RedirectConfig: {{Protocol: HTTPS}}}}
          - {{Type: forward, TargetGroupArn: !Ref Group}}
  Secure:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Condition: Https
    Properties:
      Port: 443
      Protocol: HTTPS
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig:
            {{StatusCode: "404", ContentType: text/plain, MessageBody: nothing here}}
  Api:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      Priority: 10
      ListenerArn: !Ref Secure
      Conditions:
        - {{Field: path-pattern, PathPatternConfig: {{Values: ["/api/*"]}}}}
        - {{Field: http-request-method, HttpRequestMethodConfig: {{Values: [GET, POST]}}}}
      Actions: [{{Type: forward, TargetGroupArn: !Ref Group}}]
"""
    _, _, gw = gateway_of(_repo_with(tmp_path, generated, template))
    assert gw.multi_value_headers and gw.target_group == "api-targets"
    assert [route.key for route in gw.routes] == ["GET /api/*", "POST /api/*"]
    assert gw.fallback == HttpResponse(404, [("Content-Type", "text/plain")], b"nothing here")
    assert isinstance(I.match(gw, request("GET", "/api/v1/x")), Match)
    assert I.match(gw, request("PUT", "/api/v1/x")) == gw.fallback
    assert I.match(gw, request("GET", "/API/v1")) == gw.fallback  # case-sensitive patterns


def test_a_function_without_an_http_front_door_has_no_gateway(tmp_path, generated) -> None:
    template = f"Transform: AWS::Serverless-2016-10-31\nResources:{FUNCTION}"
    found = repo.read(_repo_with(tmp_path, generated, template))
    assert I.gateway(found, found.function()) is None


# --------------------------------------------------------------------------- routing


RESOURCES = Gateway(
    "api",
    (
        Route("ANY", "/hello"),
        Route("GET", "/hello/{name}"),
        Route("GET", "/items"),
        Route("ANY", "/files/{proxy+}"),
        Route("POST", "/{proxy+}"),
    ),
    api_id=I.REST_API_ID,
    stage="prod",
)


@pytest.mark.parametrize(
    ("method", "target", "resource", "parameters"),
    [
        ("GET", "/hello", "/hello", None),
        ("HEAD", "/hello", "/hello", None),
        ("GET", "/hello/", "/hello", None),  # a trailing slash is ignored
        ("GET", "/hello/Ada", "/hello/{name}", {"name": "Ada"}),
        ("GET", "/hello/a%20b", "/hello/{name}", {"name": "a%20b"}),  # as sent (live capture)
        ("GET", "/files/a/b//c.txt", "/files/{proxy+}", {"proxy": "a/b//c.txt"}),
        ("GET", "/files/a/", "/files/{proxy+}", {"proxy": "a"}),
        ("POST", "/items", "/{proxy+}", {"proxy": "items"}),  # the resource with the method
        ("POST", "/hello/Ada", "/{proxy+}", {"proxy": "hello/Ada"}),
        ("GET", "//hello", "/hello", None),
        ("GET", "/items", "/items", None),
        ("DELETE", "/items", None, None),
        ("GET", "/", None, None),
        ("GET", "/files", None, None),  # {proxy+} needs at least one segment
        ("GET", "/Hello", None, None),  # case-sensitive
        ("TRACE", "/hello", None, None),  # not one of ANY's seven methods
    ],
)
def test_rest_routing(method, target, resource, parameters) -> None:
    found = I.match(RESOURCES, request(method, target))
    if resource is None:
        assert found == I.match(RESOURCES, request("GET", "/nowhere"))
        assert isinstance(found, HttpResponse)
        assert (found.status, found.body) == (403, b'{"message":"Missing Authentication Token"}')
        assert found.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"
        return
    assert isinstance(found, Match)
    assert found.route.path == resource
    event = I.to_event(
        RESOURCES,
        found,
        request(method, target),
        region=REGION,
        account=ACCOUNT,
        request_id=REQUEST_ID,
        now_ms=NOW_MS,
    )
    assert event["resource"] == resource and event["pathParameters"] == parameters
    if method in ("GET", "POST", "HEAD", "DELETE"):
        validate("api", event)


ROUTES = Gateway(
    "http-api",
    (
        Route("GET", "/pets/dog/1"),
        Route("GET", "/pets/dog/{id}"),
        Route("GET", "/pets/{proxy+}"),
        Route("ANY", "/{proxy+}"),
        Route("ANY", "$default"),
    ),
    api_id=I.HTTP_API_ID,
)


@pytest.mark.parametrize(
    ("method", "target", "route_key", "parameters"),
    [
        # The example of "Routing API requests" in the HTTP API developer guide.
        ("GET", "/pets/dog/1", "GET /pets/dog/1", None),
        ("GET", "/pets/dog/2", "GET /pets/dog/{id}", {"id": "2"}),
        ("GET", "/pets/cat/1", "GET /pets/{proxy+}", {"proxy": "cat/1"}),
        ("POST", "/pets/dog/1", "ANY /{proxy+}", {"proxy": "pets/dog/1"}),
        ("GET", "/", "$default", None),
        ("GET", "/pets/dog/a%20b", "GET /pets/dog/{id}", {"id": "a b"}),  # decoded
    ],
)
def test_http_api_routing(method, target, route_key, parameters) -> None:
    event = event_of(ROUTES, request(method, target))
    assert event["routeKey"] == event["requestContext"]["routeKey"] == route_key
    assert event.get("pathParameters") == parameters
    validate("http-api", event)


def test_http_api_without_a_matching_route_is_not_found() -> None:
    found = I.match(HTTP_API, request("GET", "/hello/"), request_id=REQUEST_ID)
    assert isinstance(found, HttpResponse)
    assert (found.status, found.body) == (404, b'{"message":"Not Found"}')
    assert found.headers == [
        ("Content-Type", "application/json"),
        ("apigw-requestid", I._apigw_id(REQUEST_ID)),
    ]


def test_function_urls_and_albs_route_everything() -> None:
    for gw in (URL, ALB):
        for method, target in [("GET", "/"), ("PATCH", "/a/b?c"), ("OPTIONS", "*")]:
            assert isinstance(I.match(gw, request(method, target)), Match)


# --------------------------------------------------------------------------- events


# The request the live captures (hotsock/voker vokerhttp/testdata, July 2026) were made of.
CAPTURED_TARGET = (
    "/capture/space%20value?repeat=one&repeat=two&redirect=https%3A%2F%2Fexample.com%2Fa%2Fb"
    "&literalPlus=a+b&encodedPlus=a%2Bb&empty="
)
CAPTURED_BODY = '{"message":"hello from the public internet","unicode":"lambda-λ"}'.encode()
CAPTURED = request(
    "POST",
    CAPTURED_TARGET,
    [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(CAPTURED_BODY))),
        ("Cookie", "session=abc123; theme=dark"),
        ("X-Voker-Probe", "first"),
        ("X-Voker-Probe", "second"),
    ],
    CAPTURED_BODY,
)
DECODED = {
    "empty": "",
    "encodedPlus": "a+b",
    "literalPlus": "a b",
    "redirect": "https://example.com/a/b",
}


def test_rest_event_is_the_live_capture() -> None:
    gw = Gateway("api", (Route("ANY", "/{proxy+}"),), api_id=I.REST_API_ID, stage="live")
    event = event_of(gw, CAPTURED)
    assert (event["resource"], event["path"]) == ("/{proxy+}", "/capture/space%20value")
    assert event["pathParameters"] == {"proxy": "capture/space%20value"}
    assert event["requestContext"]["path"] == "/live/capture/space%20value"
    assert event["queryStringParameters"] == {**DECODED, "repeat": "two"}
    assert event["multiValueQueryStringParameters"] == {
        **{key: [value] for key, value in DECODED.items()},
        "repeat": ["one", "two"],
    }
    assert event["headers"]["X-Voker-Probe"] == "second"
    assert event["multiValueHeaders"]["X-Voker-Probe"] == ["first", "second"]
    assert event["headers"]["Cookie"] == "session=abc123; theme=dark"
    assert "Content-Length" not in event["headers"]  # REST drops it
    assert {"Host", "User-Agent", "X-Amzn-Trace-Id", "X-Forwarded-For"} <= set(event["headers"])
    assert event["body"] == CAPTURED_BODY.decode() and event["isBase64Encoded"] is False
    assert event["requestContext"]["requestTime"] == "04/Dec/2026:11:19:36 +0000"
    assert event["requestContext"]["requestTimeEpoch"] == NOW_MS
    assert event["requestContext"]["identity"]["sourceIp"] == "203.0.113.24"
    validate("api", event)


def test_rest_event_behind_a_custom_domain_has_no_stage_in_its_path() -> None:
    event = event_of(REST, request("GET", "/hello"), domain="api.example.com")
    assert event["requestContext"]["path"] == "/hello"
    assert event["headers"]["Host"] == event["requestContext"]["domainName"] == "api.example.com"


def test_http_api_event_is_the_live_capture() -> None:
    event = event_of(
        Gateway("http-api", (Route("ANY", "$default"),), api_id=I.HTTP_API_ID), CAPTURED
    )
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/capture/space value"
    assert event["rawQueryString"] == CAPTURED_TARGET.partition("?")[2]
    assert event["cookies"] == ["session=abc123", "theme=dark"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-voker-probe"] == "first,second"
    assert event["headers"]["content-length"] == "66"
    assert event["queryStringParameters"] == {**DECODED, "repeat": "one,two"}
    assert "pathParameters" not in event and "stageVariables" not in event
    assert event["requestContext"]["time"] == "04/Dec/2026:11:19:36 +0000"
    assert len(event["requestContext"]["requestId"]) == 16
    validate("http-api", event)


@pytest.mark.parametrize("gw", [URL, URL_IAM], ids=["NONE", "AWS_IAM"])
def test_function_url_event_is_the_live_capture(gw: Gateway) -> None:
    event = event_of(gw, CAPTURED)
    assert event["rawPath"] == "/capture/space%20value"
    assert event["requestContext"]["http"]["path"] == "/capture/space value"
    assert event["cookies"] == ["session=abc123", "theme=dark"]
    assert event["headers"]["cookie"] == "session=abc123; theme=dark"  # kept, unlike HTTP APIs
    assert event["headers"]["x-voker-probe"] == "first,second"
    assert event["queryStringParameters"] == {**DECODED, "repeat": "one,two"}
    assert (
        event["requestContext"]["domainName"] == f"{I.FUNCTION_URL_ID}.lambda-url.{REGION}.on.aws"
    )
    assert event["requestContext"]["requestId"] == REQUEST_ID
    if gw.auth_type == "NONE":
        assert "authorizer" not in event["requestContext"]
        assert event["requestContext"]["accountId"] == "anonymous"
    else:
        assert event["requestContext"]["authorizer"]["iam"]["accountId"] == ACCOUNT
    validate("function-url", event)


def test_function_url_iam_caller_is_the_signers_access_key() -> None:
    signed = request(
        headers=[
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261204/us-west-2/lambda/aws4_request,"
                " SignedHeaders=host, Signature=00",
            )
        ]
    )
    assert (
        event_of(URL_IAM, signed)["requestContext"]["authorizer"]["iam"]["accessKey"]
        == "AKIAEXAMPLE"
    )


@pytest.mark.parametrize("gw", [ALB, ALB_MULTI], ids=["single", "multi-value"])
def test_alb_event_is_the_live_capture(gw: Gateway) -> None:
    event = event_of(gw, CAPTURED)
    assert event["path"] == "/capture/space%20value"
    raw = {
        "empty": [""],
        "encodedPlus": ["a%2Bb"],
        "literalPlus": ["a+b"],
        "redirect": ["https%3A%2F%2Fexample.com%2Fa%2Fb"],
        "repeat": ["one", "two"],
    }
    if gw.multi_value_headers:
        assert event["multiValueQueryStringParameters"] == raw
        assert event["multiValueHeaders"]["x-voker-probe"] == ["first", "second"]
        assert event["multiValueHeaders"]["content-length"] == ["66"]
        assert "headers" not in event and "queryStringParameters" not in event
        from aws_lambda_powertools.utilities.data_classes import ALBEvent

        assert ALBEvent(event).multi_value_headers["cookie"] == ["session=abc123; theme=dark"]
    else:
        assert event["queryStringParameters"] == {key: values[-1] for key, values in raw.items()}
        assert event["headers"]["x-voker-probe"] == "second"
        assert event["headers"]["x-forwarded-port"] == "80"
        validate("alb", event)
    assert event["requestContext"]["elb"]["targetGroupArn"] == (
        f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg/{I.TARGET_GROUP_ID}"
    )
    assert event["body"] == CAPTURED_BODY.decode() and event["isBase64Encoded"] is False


def test_no_query_string_and_no_body() -> None:
    rest = event_of(REST, request("GET", "/hello?"))
    assert rest["queryStringParameters"] is rest["multiValueQueryStringParameters"] is None
    assert rest["body"] is None and rest["isBase64Encoded"] is False
    for gw in (HTTP_API, URL):
        v2 = event_of(gw, request("GET", "/hello"))
        assert "queryStringParameters" not in v2 and "body" not in v2 and "cookies" not in v2
        assert v2["rawQueryString"] == "" and v2["isBase64Encoded"] is False
    alb = event_of(ALB, request("GET", "/hello"))
    assert (alb["queryStringParameters"], alb["body"], alb["isBase64Encoded"]) == ({}, "", False)
    assert event_of(ALB_MULTI, request())["multiValueQueryStringParameters"] == {}


BINARY = bytes(range(256))


@pytest.mark.parametrize(
    ("gw", "content_type", "encoded"),
    [
        (REST, "application/octet-stream", False),  # no binary media types: passed as text
        (REST, "image/png", False),
        (HTTP_API, "application/json", False),
        (HTTP_API, "text/plain; charset=utf-8", False),
        (HTTP_API, "application/octet-stream", True),
        (HTTP_API, "multipart/form-data; boundary=x", True),
        (HTTP_API, "application/x-www-form-urlencoded", True),
        (URL, "application/vnd.api+json", False),
        (URL, "image/png", True),
        (URL, None, True),
        (ALB, "text/csv", False),
        (ALB, "application/javascript", False),
        (ALB, "application/xml", False),
        (ALB, "application/x-www-form-urlencoded", True),
        (ALB, "application/vnd.api+json", True),  # not in the ALB's documented list
    ],
)
def test_body_encoding(gw: Gateway, content_type: str | None, encoded: bool) -> None:
    headers = [("Content-Type", content_type)] if content_type else []
    event = event_of(gw, request("POST", "/hello", headers, BINARY))
    assert event["isBase64Encoded"] is encoded
    if encoded:
        assert base64.b64decode(event["body"]) == BINARY
    else:
        assert event["body"] == BINARY.decode("utf-8", errors="replace")


def test_rest_binary_media_types_base64_encode_matching_bodies() -> None:
    gw = Gateway(
        "api",
        (Route("ANY", "/hello"),),
        api_id=I.REST_API_ID,
        stage="prod",
        binary_media_types=("image/*",),
    )
    event = event_of(gw, request("POST", "/hello", [("Content-Type", "image/png")], BINARY))
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == BINARY
    text = event_of(gw, request("POST", "/hello", [("Content-Type", "text/plain")], b"hi"))
    assert (text["body"], text["isBase64Encoded"]) == ("hi", False)


def test_forwarded_for_and_trace_headers() -> None:
    sent = request(
        headers=[("X-Forwarded-For", "198.51.100.7"), ("X-Amzn-Trace-Id", "Root=1-abc-def")]
    )
    rest = event_of(REST, sent)
    assert rest["headers"]["X-Forwarded-For"] == "198.51.100.7, 203.0.113.24"
    assert rest["headers"]["X-Amzn-Trace-Id"] == "Root=1-abc-def"
    fresh = event_of(HTTP_API, request())["headers"]["x-amzn-trace-id"]
    assert fresh.startswith(f"Root=1-{NOW_MS // 1000:08x}-") and len(fresh) == 40
    assert (
        event_of(REST, request(headers=[("Connection", "keep-alive")]))["headers"].get("Connection")
        is None
    )


def test_hosts_are_the_integrations_own() -> None:
    assert (
        event_of(REST, request())["headers"]["Host"]
        == f"{I.REST_API_ID}.execute-api.{REGION}.amazonaws.com"
    )
    assert (
        event_of(HTTP_API, request())["headers"]["host"]
        == f"{I.HTTP_API_ID}.execute-api.{REGION}.amazonaws.com"
    )
    assert (
        event_of(ALB, request())["headers"]["host"]
        == f"fn-alb-{I.ALB_DNS_ID}.{REGION}.elb.amazonaws.com"
    )


# --------------------------------------------------------------------------- responses


def respond(gw: Gateway, result: Any, **options: Any) -> HttpResponse:
    payload = result if isinstance(result, bytes) else json.dumps(result).encode()
    return I.to_response(gw, payload, **options)


REST_502 = (502, b'{"message": "Internal server error"}')


@pytest.mark.parametrize(
    ("result", "status", "headers", "body"),
    [
        # LocalStack's AWS-validated snapshot (test_aws_proxy_response_payload_format_validation)
        ({"statusCode": 200}, 200, [("Content-Type", "application/json")], b""),
        (
            {"statusCode": 200, "headers": {"test-header": "value", "header-bool": True}},
            200,
            [
                ("test-header", "value"),
                ("header-bool", "true"),
                ("Content-Type", "application/json"),
            ],
            b"",
        ),
        ({"statusCode": 200, "headers": None}, 200, [("Content-Type", "application/json")], b""),
        ({"statusCode": 200, "wrongValue": "value"}, *REST_502[:1], None, REST_502[1]),
        ({"statusCode": "test"}, *REST_502[:1], None, REST_502[1]),
        ({"statusCode": "201"}, 201, [("Content-Type", "application/json")], b""),
        ("justAString", *REST_502[:1], None, REST_502[1]),
        (
            {"headers": {"test-header": "value"}},
            200,
            [("test-header", "value"), ("Content-Type", "application/json")],
            b"",
        ),
        (
            {"statusCode": 200, "multiValueHeaders": {"test-multi": ["value1", "value2"]}},
            200,
            [
                ("test-multi", "value1"),
                ("test-multi", "value2"),
                ("Content-Type", "application/json"),
            ],
            b"",
        ),
        (
            {
                "statusCode": 200,
                "multiValueHeaders": {"tesT-Multi": ["value-multi"]},
                "headers": {"test-multi": "value-solo"},
            },
            200,
            [
                ("tesT-Multi", "value-multi"),
                ("tesT-Multi", "value-solo"),
                ("Content-Type", "application/json"),
            ],
            b"",
        ),
        (
            {"statusCode": 200, "multiValueHeaders": {"test-multi-invalid": "value1"}},
            *REST_502[:1],
            None,
            REST_502[1],
        ),
        (
            {"statusCode": 200, "body": "dGVzdC1kYXRh", "isBase64Encoded": True},
            200,
            [("Content-Type", "application/json")],
            b"dGVzdC1kYXRh",  # not decoded: the API has no binary media types
        ),
        # The AWS documentation and SAM CLI's start-api
        (
            {"statusCode": 200, "multiValueHeaders": {"a": ["1"]}, "headers": {"a": "1"}},
            200,
            [("a", "1"), ("Content-Type", "application/json")],
            b"",
        ),
        ({"statusCode": 404, "headers": {"Content-Type": None}, "body": "x"}, 404, [], b"x"),
        ({"statusCode": 200, "body": {"a": 1}}, *REST_502[:1], None, REST_502[1]),
        ({"statusCode": 200, "cookies": ["a=1"]}, *REST_502[:1], None, REST_502[1]),
        ({"statusCode": 200, "isBase64Encoded": "yes"}, *REST_502[:1], None, REST_502[1]),
        ({"statusCode": 99}, *REST_502[:1], None, REST_502[1]),
        ([], *REST_502[:1], None, REST_502[1]),
        (None, *REST_502[:1], None, REST_502[1]),
        (b"not json", *REST_502[:1], None, REST_502[1]),
        ({"errorMessage": "boom", "errorType": "Exception"}, *REST_502[:1], None, REST_502[1]),
        (
            {
                "statusCode": 201,
                "headers": {
                    "Content-Type": "text/plain",
                    "Content-Length": "9",
                    "Connection": "close",
                },
                "body": "créé",
            },
            201,
            [("Content-Type", "text/plain")],
            "créé".encode(),
        ),
    ],
)
def test_rest_results(
    result: Any, status: int, headers: list[tuple[str, str]] | None, body: bytes
) -> None:
    response = respond(REST, result)
    assert (response.status, response.body) == (status, body)
    if headers is not None:
        assert response.headers == headers
    else:
        assert response.headers == [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "InternalServerErrorException"),
        ]


def test_rest_decodes_base64_for_binary_media_types_the_client_accepts() -> None:
    gw = Gateway(
        "api", (Route("ANY", "/hello"),), api_id=I.REST_API_ID, binary_media_types=("image/png",)
    )
    result = {
        "statusCode": 200,
        "headers": {"Content-Type": "image/png"},
        "body": base64.b64encode(BINARY).decode(),
        "isBase64Encoded": True,
    }
    accepts = request(headers=[("Accept", "image/png,*/*;q=0.8")])
    assert respond(gw, result, request=accepts).body == BINARY
    assert respond(gw, result, request=request()).body == result["body"].encode()  # Accept */*
    assert (
        respond(gw, {**result, "base64Encoded": False}, request=accepts).body
        == result["body"].encode()
    )


@pytest.mark.parametrize("gw", [HTTP_API, URL], ids=["http-api", "function-url"])
@pytest.mark.parametrize(
    ("payload", "status", "body"),
    [
        # LocalStack's AWS-validated snapshot (TestLambdaURL::test_lambda_url_invocation)
        (b'{"hello":"world"}', 200, b'{"hello":"world"}'),
        (b'{"statusCode":200,"body":"body123"}', 200, b"body123"),
        (b'{"statusCode": 200, "body": "{\\"hello\\": \\"world\\"}"}', 200, b'{"hello": "world"}'),
        (b'["hello",3,true]', 200, b'["hello",3,true]'),
        (b'"hello"', 200, b"hello"),
        (b"3", 200, b"3"),
        (b"3.1", 200, b"3.1"),
        (b"true", 200, b"true"),
        (b'{"statusCode":"418","body":"i\'m a teapot"}', 418, b"i'm a teapot"),
        # The developer guides' format 2.0 examples
        (b'{"message":"Hello from Lambda!"}', 200, b'{"message":"Hello from Lambda!"}'),
        (b'{"body":"not a response"}', 200, b'{"body":"not a response"}'),  # no statusCode
        (b'{"statusCode":204}', 204, b""),
        (b'{"statusCode":200,"body":"aGk=","isBase64Encoded":true}', 200, b"hi"),
        (b'{"statusCode":200,"body":{"a":[1,2]}}', 200, b'{"a":[1,2]}'),
        (b'{"statusCode":200,"multiValueHeaders":{"x":["1"]}}', 200, b""),  # ignored field
    ],
)
def test_v2_results(gw: Gateway, payload: bytes, status: int, body: bytes) -> None:
    response = I.to_response(gw, payload)
    assert (response.status, response.body) == (status, body)
    assert response.header("Content-Type") == "application/json"
    assert response.header("x") is None


def test_v2_headers_and_cookies() -> None:
    result = {
        "statusCode": 201,
        "headers": {
            "Content-Type": "text/html",
            "My-Custom-Header": "Custom Value",
            "X-Count": 3,
            "X-Flag": False,
        },
        "cookies": [
            "Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT",
            "Cookie_2=Value2; Max-Age=78000",
        ],
        "body": "<p>hi</p>",
    }
    response = respond(URL, result)
    assert response.status == 201
    assert response.headers == [
        ("Content-Type", "text/html"),
        ("My-Custom-Header", "Custom Value"),
        ("X-Count", "3"),
        ("X-Flag", "false"),
        ("Set-Cookie", "Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT"),
        ("Set-Cookie", "Cookie_2=Value2; Max-Age=78000"),
    ]


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b'{"statusCode":"teapot"}',
        b'{"statusCode":200,"body":"%%%","isBase64Encoded":true}',
        b'{"statusCode":200,"headers":[]}',
    ],
)
def test_v2_results_the_integration_refuses(payload: bytes) -> None:
    assert (I.to_response(HTTP_API, payload).status, I.to_response(HTTP_API, payload).body) == (
        500,
        b'{"message":"Internal Server Error"}',
    )
    refused = I.to_response(URL, payload)
    assert (refused.status, refused.body) == (502, b"Internal Server Error")


def test_streaming_function_url_results() -> None:
    gw = Gateway("function-url", (Route("ANY", "/*"),), streaming=True, api_id=I.FUNCTION_URL_ID)
    prelude = json.dumps(
        {"statusCode": 201, "headers": {"Content-Type": "text/plain"}, "cookies": ["a=1"]}
    )
    streamed = I.to_response(
        gw,
        prelude.encode() + I.STREAM_DELIMITER + b"Hello, world!",
        content_type=I.STREAM_PRELUDE_TYPE,
    )
    assert (streamed.status, streamed.body) == (201, b"Hello, world!")
    assert streamed.headers == [("Content-Type", "text/plain"), ("Set-Cookie", "a=1")]
    # A handler that does not stream: its whole result is the body (LocalStack's
    # AWS-validated test_lambda_url_echo_invoke[RESPONSE_STREAM]).
    plain = I.to_response(gw, b'{"statusCode":200,"body":"x"}', content_type="application/json")
    assert (plain.status, plain.body, plain.header("Content-Type")) == (
        200,
        b'{"statusCode":200,"body":"x"}',
        "application/json",
    )
    assert I.to_response(gw, b"raw").header("Content-Type") == "application/octet-stream"


ALB_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


@pytest.mark.parametrize(
    ("result", "status", "reason", "headers", "body"),
    [
        (
            {
                "isBase64Encoded": False,
                "statusCode": 200,
                "statusDescription": "200 OK",
                "headers": {"Set-cookie": "cookies", "Content-Type": "application/json"},
                "body": "Hello from Lambda (optional)",
            },
            200,
            "OK",
            [("Set-cookie", "cookies"), ("Content-Type", "application/json")],
            b"Hello from Lambda (optional)",
        ),
        ({"statusCode": 200}, 200, None, [("Content-Type", "application/octet-stream")], b""),
        (
            {"statusCode": 418, "statusDescription": "418 Short and stout"},
            418,
            "Short and stout",
            None,
            b"",
        ),
        ({"statusCode": 200, "body": "aGk=", "isBase64Encoded": True}, 200, None, None, b"hi"),
        (
            {"statusCode": 200, "multiValueHeaders": {"x": ["1"]}},
            200,
            None,
            [("Content-Type", "application/octet-stream")],
            b"",
        ),
        # Each of these is a LambdaInvalidResponse, a 502 (issues cited in the module)
        ({"statusCode": 200, "body": None}, 502, "Bad Gateway", None, ALB_PAGE),
        ({"statusCode": 301, "statusDescription": None}, 502, "Bad Gateway", None, ALB_PAGE),
        ({"statusCode": 200, "headers": None}, 502, "Bad Gateway", None, ALB_PAGE),
        (
            {"statusCode": 200, "headers": {"Access-Control-Allow-Credentials": True}},
            502,
            "Bad Gateway",
            None,
            ALB_PAGE,
        ),
        ({"body": "no status"}, 502, "Bad Gateway", None, ALB_PAGE),
        ({"statusCode": 200, "isBase64Encoded": "false"}, 502, "Bad Gateway", None, ALB_PAGE),
        ("a string", 502, "Bad Gateway", None, ALB_PAGE),
        (b"not json", 502, "Bad Gateway", None, ALB_PAGE),
    ],
)
def test_alb_results(
    result: Any, status: int, reason: str | None, headers: list[tuple[str, str]] | None, body: bytes
) -> None:
    response = respond(ALB, result)
    assert (response.status, response.reason, response.body) == (status, reason, body)
    if headers is not None:
        assert response.headers == headers
    if status == 502:
        assert response.headers == [("Server", "awselb/2.0"), ("Content-Type", "text/html")]
        assert len(response.body) == 122  # what ALB's 502 pages measure


def test_alb_multi_value_results() -> None:
    result = {
        "statusCode": 200,
        "statusDescription": "200 OK",
        "headers": {"Ignored": "yes"},
        "multiValueHeaders": {
            "Set-cookie": ["a=1;Secure", "b=2"],
            "Content-Type": ["application/json"],
        },
        "body": "{}",
        "isBase64Encoded": False,
    }
    response = respond(ALB_MULTI, result)
    assert response.headers == [
        ("Set-cookie", "a=1;Secure"),
        ("Set-cookie", "b=2"),
        ("Content-Type", "application/json"),
    ]
    assert respond(ALB, result).headers == [
        ("Ignored", "yes"),
        ("Content-Type", "application/octet-stream"),
    ]
    assert respond(ALB_MULTI, {"statusCode": 200, "multiValueHeaders": {"x": "1"}}).status == 502
    # Only the header field in use may not be null (Go's response type sends the other one
    # as null).
    assert respond(ALB, {"statusCode": 200, "headers": {}, "multiValueHeaders": None}).status == 200
    assert respond(ALB_MULTI, {"statusCode": 200, "headers": None}).status == 200
    assert respond(ALB_MULTI, {"statusCode": 200, "multiValueHeaders": None}).status == 502


def test_alb_refuses_results_over_one_megabyte() -> None:
    big = {"statusCode": 200, "body": "x" * (1024 * 1024)}
    assert respond(ALB, big).status == 502
    assert respond(ALB, {"statusCode": 200, "body": "x" * 1000}).status == 200


def test_function_errors() -> None:
    rest = I.function_error(REST, request_id=REQUEST_ID)
    assert (rest.status, rest.body) == REST_502
    assert rest.headers == [
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", "InternalServerErrorException"),
        ("x-amzn-RequestId", REQUEST_ID),
        ("x-amz-apigw-id", I._apigw_id(REQUEST_ID)),
    ]
    http = I.function_error(HTTP_API)
    assert (http.status, http.body) == (500, b'{"message":"Internal Server Error"}')
    url = I.function_error(URL)
    assert (url.status, url.body) == (502, b"Internal Server Error")
    alb = I.function_error(ALB)
    assert (alb.status, alb.reason, alb.body) == (502, "Bad Gateway", ALB_PAGE)


def test_integration_timeouts() -> None:
    rest = I.timed_out(REST)
    assert rest is not None and (rest.status, rest.body) == (
        504,
        b'{"message": "Endpoint request timed out"}',
    )
    http = I.timed_out(HTTP_API)
    assert http is not None and (http.status, http.body) == (
        503,
        b'{"message":"Service Unavailable"}',
    )
    assert I.timed_out(URL) is None and I.timed_out(ALB) is None


def test_service_headers_carry_the_request_id() -> None:
    ok = b'{"statusCode":200,"body":"x"}'
    rest = I.to_response(REST, ok, request_id=REQUEST_ID, now_ms=NOW_MS)
    assert rest.header("x-amzn-RequestId") == REQUEST_ID
    assert (
        rest.header("x-amz-apigw-id")
        == event_of(REST, request())["requestContext"]["extendedRequestId"]
    )
    assert rest.header("X-Amzn-Trace-Id") == event_of(REST, request())["headers"]["X-Amzn-Trace-Id"]
    http = I.to_response(HTTP_API, ok, request_id=REQUEST_ID)
    assert (
        http.header("apigw-requestid")
        == event_of(HTTP_API, request())["requestContext"]["requestId"]
    )
    url = I.to_response(URL, ok, request_id=REQUEST_ID)
    assert url.header("x-amzn-requestid") == REQUEST_ID
    assert I.to_response(ALB, ok, request_id=REQUEST_ID).headers == [
        ("Content-Type", "application/octet-stream")
    ]
    assert I.to_response(REST, ok).headers == [("Content-Type", "application/json")]


def test_request_time_is_in_english_whatever_the_month() -> None:
    for month, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    ):
        from datetime import UTC, datetime

        stamp = int(datetime(2026, month, 3, 4, 5, 6, tzinfo=UTC).timestamp() * 1000)
        assert I._clf_time(stamp) == f"03/{name}/2026:04:05:06 +0000"


def test_events_take_the_region_they_are_given() -> None:
    # The events take the region they are given, not the catalog's default.
    assert catalog.load().default_region != REGION
    assert REGION in event_of(URL, request())["requestContext"]["domainName"]
