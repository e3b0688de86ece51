"""A function's HTTP front door, as AWS runs it: requests to events, results to responses.

Four AWS integrations put a Lambda function behind HTTP, each with its own event, its
own reading of the function's result and its own answers when something is wrong:

- ``api``: API Gateway REST API, Lambda proxy integration (payload format 1.0);
- ``http-api``: API Gateway HTTP API, payload format 2.0;
- ``function-url``: a Lambda function URL (payload format 2.0, its own details);
- ``alb``: an Application Load Balancer target group of type ``lambda``.

This module is the mapping layer of ``lambda-new serve``: :func:`gateway` reads what
template.yaml says about a function's front door (routes, stage, binary media types,
invoke mode, target group attributes); :func:`match` picks the route a request reaches,
or answers as the integration answers a request it routes nowhere; :func:`to_event`
builds the event; :func:`to_response` turns the handler's payload (the raw bytes Lambda
returned) into the HTTP response; :func:`function_error` is the answer when the function
failed or timed out. No sockets, no processes, no files: plain data in, plain data out.

What the HTTP server does itself is left to it: ``Date``, ``Content-Length`` and
``Connection`` on responses, no body for ``HEAD``, the reason phrase when
:attr:`HttpResponse.reason` is None.

Not emulated: authentication (a function URL's AWS_IAM signature is not checked, its
event names a fixed local caller; API authorizers), CORS configurations (the function URL's
``Cors``, the HTTP API's ``CorsConfiguration``: preflights reach the function), throttling
and usage plans, request size limits, the REST API's renaming of some response headers to
``x-amzn-Remapped-*``, HTTP API routes with payload format 1.0, API mapping templates.

Sources for the behaviour (AWS documentation, and recordings of real AWS responses):

- REST events and results: LocalStack's AWS-validated snapshots
  (tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json:
  ``test_lambda_aws_proxy_integration``, ``test_aws_proxy_response_payload_format_validation``),
  live captures in hotsock/voker ``vokerhttp/testdata/*-request.json`` (July 2026),
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
- HTTP API: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html,
  https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html,
  the voker capture.
- Function URLs: https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html and
  LocalStack's AWS-validated snapshots (tests/aws/services/lambda_/test_lambda.snapshot.json,
  ``TestLambdaURL``), the voker capture.
- ALB: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html,
  .../load-balancer-troubleshooting.html, the voker capture.

Ids the events carry (API id, function URL id, target group) are the sample-event
catalog's defaults (catalog/events/), so ``lambda-new events show`` and a served request
describe the same API.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args
from urllib.parse import unquote

from scaffold import catalog, partitions, repo

Integration = Literal["api", "http-api", "function-url", "alb"]
INTEGRATIONS: tuple[Integration, ...] = get_args(Integration)

# The catalog's sample ids (catalog/events/*.json.jinja defaults; a test keeps them equal).
REST_API_ID = "k7x2p9qd4m"
HTTP_API_ID = "r4t8w2zq6n"
FUNCTION_URL_ID = "p3xk7qmv2dw9ahc4ne6tzr5bj8yfsg1u"
ALB_DNS_ID = "1483927605"  # <name>-alb-<id>.<region>.elb.<DNS suffix>
TARGET_GROUP_ID = "9c3e7a1f5b2d8e40"  # the last part of a target group ARN
STACK_ID_PART = "6f1d2c8a"  # what `!Select [0, !Split ["-", <stack uuid>]]` gives locally

# A fixed caller for function URLs with AuthType AWS_IAM: serve does not check SigV4
# signatures, so there is no real principal to report (the access key is the signer's,
# when the request carries a SigV4 Authorization header).
LOCAL_CALLER_ID = "AIDALAMBDANEWLOCAL1"
LOCAL_ACCESS_KEY = "ASIALAMBDANEWLOCAL1"

# REST API's ANY: these seven methods (API Gateway's HttpMethod values).
REST_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
# Headers the HTTP layer owns: dropped from what the function returns (the server sets
# its own Content-Length and connection handling) and from what it receives.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# ALB: "The maximum size of the response JSON that the Lambda function can send is 1 MB."
ALB_MAX_RESPONSE = 1024 * 1024
# Response streaming: the content type of a stream that starts with a JSON prelude and
# eight NUL bytes (awslambda.HttpResponseStream of the Node.js runtime client).
STREAM_PRELUDE_TYPE = "application/vnd.awslambda.http-integration-response"
STREAM_DELIMITER = b"\0" * 8
# Integration timeouts (seconds): API Gateway stops waiting, whatever the function's Timeout.
INTEGRATION_TIMEOUT = {"api": 29.0, "http-api": 30.0}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PARAM = re.compile(r"^\{([^{}+]+)\}$")
_GREEDY = re.compile(r"^\{([^{}+]+)\+\}$")


@dataclass(frozen=True)
class Route:
    """One route the integration serves, from template.yaml.

    ``path`` is the REST resource (``/hello/{name}``, ``/{proxy+}``), the HTTP API route
    path or ``$default``, or an ALB path pattern (``/*``, ``/api/v?/*``): a function URL
    serves everything, as ``ANY /*``.
    """

    method: str  # "GET", ... or "ANY"
    path: str
    source: str = ""  # where template.yaml says it: "Events.Hello", "FunctionUrlConfig", ...

    @property
    def key(self) -> str:
        """The HTTP API route key: ``GET /items/{id}``, or ``$default``."""
        return self.path if self.path == "$default" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class Gateway:
    """Everything serve needs about one function's HTTP front door."""

    integration: Integration
    routes: tuple[Route, ...]
    streaming: bool = False  # function URL with InvokeMode: RESPONSE_STREAM
    multi_value_headers: bool = False  # ALB target group attribute
    function_name: str = ""
    api_id: str = ""  # REST or HTTP API id, function URL id; "" for ALB
    stage: str = "$default"  # REST API StageName; HTTP API stage
    binary_media_types: tuple[str, ...] = ()  # REST API BinaryMediaTypes ("image/png", "*/*")
    auth_type: str = "NONE"  # function URL AuthType: NONE or AWS_IAM
    target_group: str = ""  # ALB: the target group's name (its ARN is built per region)
    scheme: str = "https"  # what X-Forwarded-Proto says
    port: int = 443  # what X-Forwarded-Port says
    # ALB: the answer of the listener's default action when it is a fixed-response.
    fallback: HttpResponse | None = None

    def domain(self, region: str) -> str:
        """The host AWS serves this front door at, in the region's partition (function
        URLs have one form, ``.on.aws``, in every partition that has them)."""
        if self.integration == "function-url":
            return f"{self.api_id}.lambda-url.{region}.on.aws"
        suffix = partitions.dns_suffix(region)
        if self.integration == "alb":
            return f"{self.function_name[:20]}-alb-{ALB_DNS_ID}.{region}.elb.{suffix}"
        return f"{self.api_id}.execute-api.{region}.{suffix}"

    def target_group_arn(self, region: str, account: str) -> str:
        name = self.target_group or "lambda-targets"
        return partitions.arn(
            region,
            f"elasticloadbalancing:{region}:{account}:targetgroup/{name}/{TARGET_GROUP_ID}",
        )


@dataclass(frozen=True)
class HttpRequest:
    """One request as the client sent it. `host` (its Host header) does not reach the
    event: AWS sets Host to its own domain (see :func:`to_event`'s `domain`)."""

    method: str
    target: str  # exactly the request-target the client sent: "/a%20b/c?x=1&x=2"
    headers: list[tuple[str, str]]  # in order, names as sent, repeats kept
    body: bytes
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"
    host: str = "localhost:3000"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]  # repeats allowed (Set-Cookie, multi-value)
    body: bytes
    reason: str | None = None  # ALB statusDescription's phrase; None: the standard one

    def header(self, name: str) -> str | None:
        """The last value of header `name` (any case), or None."""
        found = [value for key, value in self.headers if key.lower() == name.lower()]
        return found[-1] if found else None


@dataclass(frozen=True)
class Match:
    """The route a request reached, and its path parameters (as the event carries them)."""

    route: Route
    path_parameters: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- template


def gateway(
    found: repo.Repo, function: repo.Function, integration: Integration | None = None
) -> Gateway | None:
    """The HTTP front door template.yaml gives `function`; None when it has none.

    Looks for, in this order (or only for `integration`): ``Api`` events (REST API),
    ``HttpApi`` events, ``FunctionUrlConfig``, and an ELBv2 target group of type
    ``lambda`` whose target is the function. Values are resolved as a local run can
    (parameter defaults, pseudo parameters, conditions on them).
    """
    template = function.template
    resources = template.get("Resources") or {}
    resource = resources.get(function.logical_id)
    if not isinstance(resource, dict):
        return None
    ctx = _context(found, template)
    properties = resource.get("Properties") or {}
    wanted = [integration] if integration else list(INTEGRATIONS)
    for kind in wanted:
        built: Gateway | None
        if kind == "api":
            built = _rest_gateway(ctx, function, properties)
        elif kind == "http-api":
            built = _http_api_gateway(ctx, function, properties)
        elif kind == "function-url":
            built = _url_gateway(ctx, function, properties)
        else:
            built = _alb_gateway(ctx, function)
        if built is not None:
            return built
    return None


def _context(found: repo.Repo, template: dict[str, Any]) -> repo._Context:
    return repo._Context(template, found.region, catalog.load().sample_account, found.answers)


def _events(properties: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    events = properties.get("Events") or {}
    out = []
    for name, event in events.items() if isinstance(events, dict) else ():
        if isinstance(event, dict) and event.get("Type") == kind:
            out.append((str(name), event.get("Properties") or {}))
    return out


def _globals(ctx: repo._Context, section: str) -> dict[str, Any]:
    value = (ctx.template.get("Globals") or {}).get(section)
    return value if isinstance(value, dict) else {}


def _api_resource(
    ctx: repo._Context, reference: Any, kind: str, implicit: str
) -> tuple[str, dict[str, Any]]:
    """The logical id and properties (Globals merged) of the API an event names."""
    resources = ctx.template.get("Resources") or {}
    tag, argument = repo._function_call(reference)
    logical_id = argument if tag == "Ref" and isinstance(argument, str) else implicit
    resource = resources.get(logical_id)
    section = "Api" if kind == "AWS::Serverless::Api" else "HttpApi"
    properties = dict(_globals(ctx, section))
    if isinstance(resource, dict) and resource.get("Type") == kind:
        properties.update(resource.get("Properties") or {})
    return logical_id, properties


def _method(value: Any) -> str:
    text = str(value or "ANY").upper()
    return "ANY" if text in ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD", "*") else text


def _rest_gateway(
    ctx: repo._Context, function: repo.Function, properties: dict[str, Any]
) -> Gateway | None:
    events = _events(properties, "Api")
    if not events:
        return None
    routes = []
    api_properties: dict[str, Any] = {}
    for name, event in events:
        path = _plain(ctx, event.get("Path")) or "/"
        routes.append(Route(_method(event.get("Method")), path, f"Events.{name}"))
        if not api_properties:
            _, api_properties = _api_resource(
                ctx, event.get("RestApiId"), "AWS::Serverless::Api", "ServerlessRestApi"
            )
    media = api_properties.get("BinaryMediaTypes") or []
    binary = tuple(
        text.replace("~1", "/")
        for text in (_plain(ctx, item) for item in (media if isinstance(media, list) else []))
        if text
    )
    return Gateway(
        integration="api",
        routes=tuple(routes),
        function_name=function.name,
        api_id=REST_API_ID,
        stage=_plain(ctx, api_properties.get("StageName")) or "Prod",
        binary_media_types=binary,
    )


def _http_api_gateway(
    ctx: repo._Context, function: repo.Function, properties: dict[str, Any]
) -> Gateway | None:
    events = _events(properties, "HttpApi")
    if not events:
        return None
    routes = []
    api_properties: dict[str, Any] = {}
    for name, event in events:
        path = _plain(ctx, event.get("Path"))
        if path is None:  # SAM: an HttpApi event without Path and Method is $default
            routes.append(Route("ANY", "$default", f"Events.{name}"))
        else:
            routes.append(Route(_method(event.get("Method")), path, f"Events.{name}"))
        if not api_properties:
            _, api_properties = _api_resource(
                ctx, event.get("ApiId"), "AWS::Serverless::HttpApi", "ServerlessHttpApi"
            )
    return Gateway(
        integration="http-api",
        routes=tuple(routes),
        function_name=function.name,
        api_id=HTTP_API_ID,
        stage=_plain(ctx, api_properties.get("StageName")) or "$default",
    )


def _url_gateway(
    ctx: repo._Context, function: repo.Function, properties: dict[str, Any]
) -> Gateway | None:
    config = properties.get("FunctionUrlConfig")
    if not isinstance(config, dict):
        return None
    return Gateway(
        integration="function-url",
        routes=(Route("ANY", "/*", "FunctionUrlConfig"),),
        streaming=(_plain(ctx, config.get("InvokeMode")) or "BUFFERED") == "RESPONSE_STREAM",
        function_name=function.name,
        api_id=FUNCTION_URL_ID,
        auth_type=_plain(ctx, config.get("AuthType")) or "NONE",
    )


def _alb_gateway(ctx: repo._Context, function: repo.Function) -> Gateway | None:
    resources: dict[str, Any] = ctx.template.get("Resources") or {}
    group_id = next(
        (
            logical_id
            for logical_id, resource in resources.items()
            if isinstance(resource, dict)
            and resource.get("Type") == "AWS::ElasticLoadBalancingV2::TargetGroup"
            and _enabled(ctx, resource)
            and _targets_function(resource, function.logical_id)
        ),
        None,
    )
    if group_id is None:
        return None
    group = resources[group_id].get("Properties") or {}
    attributes = {
        str(item.get("Key")): _plain(ctx, item.get("Value"))
        for item in group.get("TargetGroupAttributes") or []
        if isinstance(item, dict)
    }
    routes: list[tuple[int, Route]] = []
    fallback: HttpResponse | None = None
    scheme, port = "http", 80
    listeners = {
        logical_id: resource
        for logical_id, resource in resources.items()
        if isinstance(resource, dict)
        and resource.get("Type") == "AWS::ElasticLoadBalancingV2::Listener"
        and _enabled(ctx, resource)
    }
    forwarding = None
    for logical_id, listener in listeners.items():
        listener_properties = listener.get("Properties") or {}
        actions = _resolve_ifs(ctx, listener_properties.get("DefaultActions") or [])
        if any(_forwards_to(action, group_id) for action in actions):
            forwarding = forwarding or (logical_id, listener_properties)
        elif fallback is None:
            fallback = _fixed_response(ctx, actions)
    if forwarding is not None:
        logical_id, listener_properties = forwarding
        routes.append((1_000_000, Route("ANY", "/*", logical_id)))
        scheme = (_plain(ctx, listener_properties.get("Protocol")) or "HTTP").lower()
        default_port = 443 if scheme == "https" else 80
        port = _int(_plain(ctx, listener_properties.get("Port")), default_port)
    for logical_id, resource in resources.items():
        if not (
            isinstance(resource, dict)
            and resource.get("Type") == "AWS::ElasticLoadBalancingV2::ListenerRule"
            and _enabled(ctx, resource)
        ):
            continue
        rule = resource.get("Properties") or {}
        actions = _resolve_ifs(ctx, rule.get("Actions") or [])
        if not any(_forwards_to(action, group_id) for action in actions):
            continue
        priority = _int(_plain(ctx, rule.get("Priority")), 50_000)
        for route in _rule_routes(ctx, rule.get("Conditions") or [], logical_id):
            routes.append((priority, route))
    if not routes:
        return None
    routes.sort(key=lambda item: item[0])
    return Gateway(
        integration="alb",
        routes=tuple(route for _, route in routes),
        multi_value_headers=(attributes.get("lambda.multi_value_headers.enabled") or "false")
        == "true",
        function_name=function.name,
        target_group=_target_group_name(ctx, group),
        scheme=scheme,
        port=port,
        fallback=fallback,
    )


def _targets_function(resource: dict[str, Any], logical_id: str) -> bool:
    properties = resource.get("Properties") or {}
    if str(_plain_text(properties.get("TargetType"))).lower() != "lambda":
        return False
    for target in properties.get("Targets") or []:
        if isinstance(target, dict) and _names_resource(target.get("Id"), logical_id):
            return True
    return False


def _names_resource(value: Any, logical_id: str) -> bool:
    tag, argument = repo._function_call(value)
    if tag == "GetAtt":
        name = argument.split(".")[0] if isinstance(argument, str) else (argument or [None])[0]
        return bool(name == logical_id)
    if tag == "Ref":
        return bool(argument == logical_id)
    if tag == "Sub" and isinstance(argument, str):
        return "${" + logical_id in argument
    return False


def _forwards_to(action: Any, group_id: str) -> bool:
    if not isinstance(action, dict) or str(action.get("Type")).lower() != "forward":
        return False
    if _names_resource(action.get("TargetGroupArn"), group_id):
        return True
    config = action.get("ForwardConfig") or {}
    return any(
        isinstance(group, dict) and _names_resource(group.get("TargetGroupArn"), group_id)
        for group in config.get("TargetGroups") or []
    )


def _fixed_response(ctx: repo._Context, actions: list[Any]) -> HttpResponse | None:
    for action in actions:
        if isinstance(action, dict) and str(action.get("Type")).lower() == "fixed-response":
            config = action.get("FixedResponseConfig") or {}
            content_type = _plain(ctx, config.get("ContentType")) or "text/plain"
            status = _int(_plain(ctx, config.get("StatusCode")), 200)
            body = (_plain(ctx, config.get("MessageBody")) or "").encode()
            return HttpResponse(status, [("Content-Type", content_type)], body)
    return None


def _rule_routes(ctx: repo._Context, conditions: list[Any], source: str) -> list[Route]:
    """Routes for a listener rule with path-pattern and http-request-method conditions.

    A rule with another condition (host-header, http-header, query-string, source-ip)
    gives no route: serve cannot tell whether a request meets it.
    """
    paths: list[str] = ["/*"]
    methods: list[str] = ["ANY"]
    for condition in conditions:
        if not isinstance(condition, dict):
            return []
        kind = condition.get("Field")
        if kind == "path-pattern":
            config = condition.get("PathPatternConfig") or {}
            values = config.get("Values") or condition.get("Values") or []
            paths = [text for text in (_plain(ctx, value) for value in values) if text]
        elif kind == "http-request-method":
            config = condition.get("HttpRequestMethodConfig") or {}
            values = config.get("Values") or condition.get("Values") or []
            methods = [text.upper() for text in (_plain(ctx, value) for value in values) if text]
        else:
            return []
    return [Route(method, path, source) for path in paths for method in methods]


def _target_group_name(ctx: repo._Context, group: dict[str, Any]) -> str:
    value = group.get("Name")
    if value is None:
        return ""
    tag, argument = repo._function_call(value)
    if tag == "Sub" and isinstance(argument, list) and argument and isinstance(argument[0], str):
        # !Sub [text, {Var: value}]: variables only CloudFormation knows (a stack id) take
        # the catalog's sample value.
        names = argument[1] if len(argument) > 1 and isinstance(argument[1], dict) else {}
        out = []
        for piece in re.split(r"(\$\{[^}]*\})", argument[0]):
            name = piece[2:-1] if piece.startswith("${") else None
            if name is None:
                out.append(piece)
            elif name in names:
                out.append(_plain(ctx, names[name]) or STACK_ID_PART)
            else:
                out.append(_plain(ctx, {"Ref": name}) or STACK_ID_PART)
        return "".join(out)
    return _plain(ctx, value) or ""


def _plain(ctx: repo._Context, value: Any) -> str | None:
    if value is None:
        return None
    try:
        return ctx.resolve(value)
    except repo._Unresolved:
        return None


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _plain_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _enabled(ctx: repo._Context, resource: dict[str, Any]) -> bool:
    """False when the resource's Condition is false with the parameters' defaults."""
    condition = resource.get("Condition")
    if not isinstance(condition, str):
        return True
    return _condition(ctx, condition) is not False


def _condition(ctx: repo._Context, name: str, depth: int = 0) -> bool | None:
    conditions = ctx.template.get("Conditions") or {}
    if depth > 20 or name not in conditions:
        return None
    return _truth(ctx, conditions[name], depth + 1)


def _truth(ctx: repo._Context, value: Any, depth: int) -> bool | None:
    """A condition function's value, or None when a local run cannot know it."""
    tag, argument = repo._function_call(value)
    if tag == "Condition" and isinstance(argument, str):
        return _condition(ctx, argument, depth)
    if tag == "Equals" and isinstance(argument, list) and len(argument) == 2:
        left, right = (_plain(ctx, item) for item in argument)
        return None if left is None or right is None else left == right
    if tag in ("Not", "And", "Or") and isinstance(argument, list):
        values = [_truth(ctx, item, depth) for item in argument]
        if None in values:
            return None
        if tag == "Not":
            return not values[0] if values else None
        return all(values) if tag == "And" else any(values)
    return None


def _resolve_ifs(ctx: repo._Context, value: Any) -> list[Any]:
    """A list with each `!If [cond, a, b]` item replaced by the branch that applies."""
    out = []
    for item in value if isinstance(value, list) else []:
        tag, argument = repo._function_call(item)
        if tag == "If" and isinstance(argument, list) and len(argument) == 3:
            truth = _condition(ctx, str(argument[0]))
            if truth is None:  # unknown locally: either branch may apply
                out += [argument[1], argument[2]]
            else:
                out.append(argument[1] if truth else argument[2])
        else:
            out.append(item)
    return out


# --------------------------------------------------------------------------- routing


def match(
    gw: Gateway, request: HttpRequest, *, request_id: str | None = None
) -> Match | HttpResponse:
    """The route `request` reaches, or the integration's own answer when none does.

    - REST API: the most specific resource that has the method (a static segment beats
      ``{param}``, which beats ``{proxy+}``; a method beats ``ANY``; a trailing slash is
      ignored); else 403 ``{"message":"Missing Authentication Token"}``, for an unknown
      path and for a known path with another method alike.
    - HTTP API: an exact route (with ``{param}`` segments), then a ``{proxy+}`` route, then
      ``$default``; a method beats ``ANY``; else 404 ``{"message":"Not Found"}``.
    - Function URL: every path and method reaches the function.
    - ALB: the listener rules in priority order (path patterns with ``*`` and ``?``, case
      sensitive), then the listener's default action.

    `request_id` adds the request-id headers of the integration's answer.
    """
    method = request.method.upper()
    raw_path, _ = _split_target(request.target)
    if gw.integration == "api":
        found = _rest_match(gw, method, _rest_path(raw_path))
        return found or _missing_token(gw, request_id)
    if gw.integration == "http-api":
        found = _http_api_match(gw, method, _http_api_path(raw_path))
        return found or _not_found(request_id)
    if gw.integration == "function-url":
        return Match(gw.routes[0] if gw.routes else Route("ANY", "/*"))
    for route in gw.routes:
        if route.method in ("ANY", method) and _alb_pattern(route.path).fullmatch(raw_path):
            return Match(route)
    return gw.fallback or _alb_page(404, "Not Found")


def _split_target(target: str) -> tuple[str, str]:
    """The path and the query of a request-target, as sent."""
    if target.startswith(("http://", "https://")):  # absolute-form
        rest = target.split("://", 1)[1]
        slash = rest.find("/")
        query_at = rest.find("?")
        cut = slash if slash >= 0 and (query_at < 0 or slash < query_at) else query_at
        target = "/" if cut < 0 else ("" if rest[cut] == "/" else "/") + rest[cut:]
    target = target.partition("#")[0]
    path, _, query = target.partition("?")
    if not path.startswith("/"):
        path = "/" + path
    return path, query


def _segments(path: str) -> list[str]:
    return [] if path == "/" else path[1:].split("/")


def _template_match(template: str, path: str) -> tuple[dict[str, str], list[int]] | None:
    """Path parameters and a specificity key when `path` fits the route `template`."""
    parts = _segments(template)
    segments = _segments(path)
    params: dict[str, str] = {}
    rank: list[int] = []
    for index, part in enumerate(parts):
        greedy = _GREEDY.match(part)
        if greedy:
            rest = "/".join(segments[index:])
            if index != len(parts) - 1 or not rest:
                return None
            params[greedy[1]] = rest
            return params, [*rank, 2]
        if index >= len(segments):
            return None
        single = _PARAM.match(part)
        if single:
            if not segments[index]:
                return None
            params[single[1]] = segments[index]
            rank.append(1)
        elif part != segments[index]:
            return None
        else:
            rank.append(0)
    if len(segments) != len(parts):
        return None
    return params, rank


def _rest_path(raw_path: str) -> str:
    """The REST event's `path`: leading slashes merged, as API Gateway does."""
    return re.sub(r"^/+", "/", raw_path)


def _rest_match(gw: Gateway, method: str, path: str) -> Match | None:
    if method not in REST_METHODS:
        return None
    stripped = path.rstrip("/") or "/"
    candidates = []
    for route in gw.routes:
        fitted = _template_match(route.path, stripped)
        if fitted is None or route.method not in ("ANY", method):
            continue
        params, rank = fitted
        candidates.append((rank, route.method == "ANY", route, params))
    if not candidates:
        return None
    _, _, route, params = min(candidates, key=lambda item: (item[0], item[1]))
    return Match(route, params)


def _http_api_path(raw_path: str) -> str:
    """The HTTP API's `rawPath`: percent-decoded, cut at a decoded '?' (live capture)."""
    return _unquote(raw_path).partition("?")[0]


def _http_api_match(gw: Gateway, method: str, path: str) -> Match | None:
    candidates = []
    default = None
    for route in gw.routes:
        if route.path == "$default":
            default = default or route
            continue
        fitted = _template_match(route.path, path)
        if fitted is None or route.method not in ("ANY", method):
            continue
        params, rank = fitted
        candidates.append((2 in rank, rank, route.method == "ANY", route, params))
    if candidates:
        *_, route, params = min(candidates, key=lambda item: item[:3])
        return Match(route, params)
    return Match(default) if default else None


def _alb_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
        re.DOTALL,
    )


# --------------------------------------------------------------------------- events


def to_event(
    gw: Gateway,
    m: Match,
    request: HttpRequest,
    *,
    region: str,
    account: str,
    request_id: str,
    now_ms: int,
    domain: str | None = None,
) -> dict[str, Any]:
    """The event the integration sends the function for `request`.

    `request_id` is the integration's own request id (REST and function URL: as given,
    a UUID; HTTP API: a 16-character id derived from it, as ``apigw-requestid``
    carries). `domain` is the host the event says the client called; by default the
    host AWS serves the front door at (``<api-id>.execute-api.<region>.amazonaws.com``,
    ``<url-id>.lambda-url.<region>.on.aws``, ``<name>-alb-<id>.<region>.elb.amazonaws.com``;
    the partition's DNS suffix outside ``aws``: ``amazonaws.com.cn`` in China),
    so a request to ``localhost:3000/hello`` gives the event a call to the deployed
    ``/hello`` gives. The client's own Host header is not passed on (AWS sets Host).
    """
    host = domain or gw.domain(region)
    if gw.integration == "api":
        return _rest_event(gw, m, request, region, account, request_id, now_ms, host)
    if gw.integration == "alb":
        return _alb_event(gw, request, region, account, request_id, now_ms, host)
    return _v2_event(gw, m, request, region, account, request_id, now_ms, host)


def _aws_host(host: str, region: str) -> bool:
    """True for a host of AWS's own (the execute-api domain), false for a custom domain:
    API Gateway puts the stage in the path only for the former."""
    return host.endswith(f".{partitions.dns_suffix(region)}")


def _rest_event(
    gw: Gateway,
    m: Match,
    request: HttpRequest,
    region: str,
    account: str,
    request_id: str,
    now_ms: int,
    host: str,
) -> dict[str, Any]:
    raw_path, query = _split_target(request.target)
    path = _rest_path(raw_path)
    method = request.method.upper()
    added = [
        ("Host", host),
        ("X-Amzn-Trace-Id", _trace_id(request, request_id, now_ms)),
        ("X-Forwarded-For", _forwarded_for(request)),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
    ]
    # Names as the client sent them, but for the ones API Gateway sets or re-cases
    # (Host, User-Agent, Authorization; LocalStack's snapshot and the live capture).
    recased = {"user-agent": "User-Agent", "authorization": "Authorization"}
    replaced = {name.lower() for name, _ in added}
    sent = [
        (recased.get(name.lower(), name), value)
        for name, value in _passed_headers(request)
        if name.lower() not in replaced and name.lower() != "content-length"
    ]
    multi: dict[str, list[str]] = {}
    for name, value in sorted([*sent, *added], key=lambda item: item[0].lower()):
        multi.setdefault(name, []).append(value)
    pairs = _query_pairs(query, decode=True)
    single = {key: value for key, value in pairs}
    multi_query: dict[str, list[str]] = {}
    for key, value in pairs:
        multi_query.setdefault(key, []).append(value)
    body, encoded = _body(request, _rest_binary(gw, request))
    user_agent = _header(request, "user-agent")
    stage_path = f"/{gw.stage}{path}" if _aws_host(host, region) else path
    return {
        "resource": m.route.path,
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi.items()},
        "multiValueHeaders": multi,
        "queryStringParameters": single or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(m.path_parameters) or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": _short(
                f"{gw.api_id}{m.route.path}", 6, "abcdefghijklmnopqrstuvwxyz0123456789"
            ),
            "authorizer": None,
            "resourcePath": m.route.path,
            "httpMethod": method,
            "extendedRequestId": _apigw_id(request_id),
            "requestTime": _clf_time(now_ms),
            "path": stage_path,
            "accountId": account,
            "protocol": request.protocol,
            "stage": gw.stage,
            "domainPrefix": host.split(".")[0],
            "requestTimeEpoch": now_ms,
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "apiKey": None,
                "apiKeyId": None,
                "sourceIp": request.source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": user_agent,
                "user": None,
                "clientCert": None,
            },
            "domainName": host,
            "apiId": gw.api_id,
        },
        "body": body if request.body else None,
        "isBase64Encoded": encoded,
    }


def _v2_event(
    gw: Gateway,
    m: Match,
    request: HttpRequest,
    region: str,
    account: str,
    request_id: str,
    now_ms: int,
    host: str,
) -> dict[str, Any]:
    raw_path, query = _split_target(request.target)
    url = gw.integration == "function-url"
    method = request.method.upper()
    if url:
        event_path, context_path, route_key = raw_path, _unquote(raw_path), "$default"
    else:
        prefix = f"/{gw.stage}" if gw.stage != "$default" and _aws_host(host, region) else ""
        event_path = context_path = prefix + _http_api_path(raw_path)
        route_key = m.route.key
    cookies = [
        crumb.strip()
        for name, value in request.headers
        if name.lower() == "cookie"
        for crumb in value.split(";")
        if crumb.strip()
    ]
    headers: dict[str, str] = {}
    for name, value in _passed_headers(request):
        key = name.lower()
        if key == "host" or (key == "cookie" and not url):
            continue  # the HTTP API moves cookies to `cookies`; a function URL keeps both
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    if not url and not request.body and "content-length" not in headers:
        headers["content-length"] = "0"  # as the catalog's captured HTTP API GET
    headers["host"] = host
    if url:
        headers["x-amzn-tls-cipher-suite"] = "ECDHE-RSA-AES128-GCM-SHA256"
        headers["x-amzn-tls-version"] = "TLSv1.2"
    headers["x-amzn-trace-id"] = _trace_id(request, request_id, now_ms)
    headers["x-forwarded-for"] = _forwarded_for(request)
    headers["x-forwarded-port"] = "443"
    headers["x-forwarded-proto"] = "https"
    parameters: dict[str, str] = {}
    for key, value in _query_pairs(query, decode=True):
        parameters[key] = f"{parameters[key]},{value}" if key in parameters else value
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": event_path,
        "rawQueryString": query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = dict(sorted(headers.items()))
    if parameters:
        event["queryStringParameters"] = parameters
    if m.path_parameters and not url:
        event["pathParameters"] = dict(m.path_parameters)  # decoded, as rawPath is
    context: dict[str, Any] = {"accountId": account, "apiId": gw.api_id}
    if url and gw.auth_type == "AWS_IAM":
        context["authorizer"] = {"iam": _iam_caller(request, region, account)}
    elif url:
        context["accountId"] = "anonymous"  # AuthType NONE (live capture)
    context.update(
        {
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {
                "method": method,
                "path": context_path,
                "protocol": request.protocol,
                "sourceIp": request.source_ip,
                "userAgent": _header(request, "user-agent") or "",
            },
            "requestId": request_id if url else _apigw_id(request_id),
            "routeKey": route_key,
            "stage": "$default" if url else gw.stage,
            "time": _clf_time(now_ms),
            "timeEpoch": now_ms,
        }
    )
    event["requestContext"] = context
    if request.body:
        event["body"], event["isBase64Encoded"] = _body(request, not _v2_text(request))
    else:
        event["isBase64Encoded"] = False
    return event


def _alb_event(
    gw: Gateway,
    request: HttpRequest,
    region: str,
    account: str,
    request_id: str,
    now_ms: int,
    host: str,
) -> dict[str, Any]:
    raw_path, query = _split_target(request.target)
    multi: dict[str, list[str]] = {}
    for name, value in _passed_headers(request):
        if name.lower() != "host":
            multi.setdefault(name.lower(), []).append(value)
    multi["host"] = [host]
    multi["x-amzn-trace-id"] = [_trace_id(request, request_id, now_ms)]
    multi["x-forwarded-for"] = [_forwarded_for(request)]
    multi["x-forwarded-port"] = [str(gw.port)]
    multi["x-forwarded-proto"] = [gw.scheme]
    multi = dict(sorted(multi.items()))
    pairs = _query_pairs(query, decode=False)  # "the load balancer does not decode them"
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": gw.target_group_arn(region, account)}},
        "httpMethod": request.method.upper(),
        "path": raw_path,
    }
    if gw.multi_value_headers:
        values: dict[str, list[str]] = {}
        for key, value in pairs:
            values.setdefault(key, []).append(value)
        event["multiValueQueryStringParameters"] = values
        event["multiValueHeaders"] = multi
    else:  # "the load balancer uses the last value that it receives"
        event["queryStringParameters"] = dict(pairs)
        event["headers"] = {name: found[-1] for name, found in multi.items()}
    body, encoded = _body(request, not _alb_text(request))
    event["body"] = body if request.body else ""
    event["isBase64Encoded"] = encoded if request.body else False
    return event


def _passed_headers(request: HttpRequest) -> list[tuple[str, str]]:
    return [(name, value) for name, value in request.headers if name.lower() not in HOP_BY_HOP]


def _header(request: HttpRequest, name: str) -> str | None:
    found = [value for key, value in request.headers if key.lower() == name]
    return found[-1] if found else None


def _forwarded_for(request: HttpRequest) -> str:
    sent = _header(request, "x-forwarded-for")
    return f"{sent}, {request.source_ip}" if sent else request.source_ip


def _trace_id(request: HttpRequest, request_id: str, now_ms: int) -> str:
    """The X-Amzn-Trace-Id AWS adds: the client's own when it sent one."""
    sent = _header(request, "x-amzn-trace-id")
    return sent if sent and "Root=" in sent else _new_trace_id(request_id, now_ms)


def _new_trace_id(request_id: str, now_ms: int) -> str:
    """An X-Ray trace id for the request: its time and 96 bits from its request id."""
    digest = hashlib.sha256(request_id.encode()).hexdigest()
    return f"Root=1-{now_ms // 1000:08x}-{digest[:24]}"


def _query_pairs(query: str, *, decode: bool) -> list[tuple[str, str]]:
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        if decode:
            key, value = _unquote(key.replace("+", " ")), _unquote(value.replace("+", " "))
        pairs.append((key, value))
    return pairs


def _unquote(text: str) -> str:
    """Percent-decoding as UTF-8 (invalid sequences kept, invalid bytes replaced)."""
    return unquote(text, errors="replace")


def _media_type(request: HttpRequest) -> str:
    return (_header(request, "content-type") or "").split(";")[0].strip().lower()


def _alb_text(request: HttpRequest) -> bool:
    """ALB passes these content types as text and base64-encodes all others (its docs)."""
    media = _media_type(request)
    return media.startswith("text/") or media in (
        "application/json",
        "application/javascript",
        "application/xml",
    )


def _v2_text(request: HttpRequest) -> bool:
    """Text bodies for HTTP APIs and function URLs: the ALB's documented list plus the
    +json/+xml structured types; anything else, or no content type, is base64-encoded
    (multipart/form-data is, in LocalStack's AWS-validated snapshot)."""
    media = _media_type(request)
    return _alb_text(request) or media.endswith(("+json", "+xml"))


def _rest_binary(gw: Gateway, request: HttpRequest) -> bool:
    """REST APIs base64-encode a body only when its Content-Type is a binary media type."""
    media = _media_type(request)
    return bool(media) and any(_media_matches(pattern, media) for pattern in gw.binary_media_types)


def _media_matches(pattern: str, media: str) -> bool:
    kind, _, sub = pattern.lower().split(";")[0].strip().partition("/")
    media_kind, _, media_sub = media.partition("/")
    return kind in ("*", media_kind) and sub in ("*", media_sub)


def _body(request: HttpRequest, binary: bool) -> tuple[str, bool]:
    if binary:
        return base64.b64encode(request.body).decode("ascii"), True
    return request.body.decode("utf-8", errors="replace"), False


def _iam_caller(request: HttpRequest, region: str, account: str) -> dict[str, Any]:
    authorization = _header(request, "authorization") or ""
    key = re.search(r"Credential=([A-Z0-9]+)/", authorization)
    return {
        "accessKey": key[1] if key else LOCAL_ACCESS_KEY,
        "accountId": account,
        "callerId": LOCAL_CALLER_ID,
        "cognitoIdentity": None,
        "principalOrgId": None,
        "userArn": partitions.arn(region, f"iam::{account}:user/lambda-new-serve"),
        "userId": LOCAL_CALLER_ID,
    }


def _clf_time(now_ms: int) -> str:
    """'04/Dec/2026:11:19:36 +0000' (English month names whatever the locale)."""
    moment = datetime.fromtimestamp(now_ms / 1000, UTC)
    return f"{moment:%d}/{_MONTHS[moment.month - 1]}/{moment:%Y:%H:%M:%S} +0000"


def _apigw_id(request_id: str) -> str:
    """A 16-character API Gateway id ('Hq3YfGk2IAMEbXw='), stable for a request id."""
    return base64.b64encode(hashlib.sha256(request_id.encode()).digest()[:11]).decode()


def _short(seed: str, length: int, alphabet: str) -> str:
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    out = []
    for _ in range(length):
        number, digit = divmod(number, len(alphabet))
        out.append(alphabet[digit])
    return "".join(out)


# --------------------------------------------------------------------------- responses


class _Malformed(Exception):
    """A result the integration refuses."""


def to_response(
    gw: Gateway,
    payload: bytes,
    *,
    request: HttpRequest | None = None,
    request_id: str | None = None,
    now_ms: int | None = None,
    content_type: str | None = None,
) -> HttpResponse:
    """The HTTP response the integration makes of the function's successful `payload`.

    `request` (REST API: its Accept header decides whether a base64 body is decoded),
    `request_id` and `now_ms` (the integration's request-id and trace headers) are
    optional. `content_type` is the content type of a streamed response (function URL
    with RESPONSE_STREAM), when known.

    - REST API: a JSON object with only ``statusCode``, ``headers``, ``multiValueHeaders``,
      ``body``, ``isBase64Encoded`` (or ``base64Encoded``); ``statusCode`` an integer or
      a numeric string, 200 when absent; header values strings or booleans (null omits
      the header); ``multiValueHeaders`` lists, merged before ``headers``; ``body`` a
      string. Anything else: 502 ``{"message": "Internal server error"}``. The body is
      base64-decoded only when ``isBase64Encoded`` and the request's first Accept type is
      one of the API's binary media types. Content-Type defaults to application/json.
    - HTTP API and function URL (format 2.0): a JSON object with ``statusCode`` is a
      response (``headers``, ``cookies`` each a Set-Cookie, ``body``,
      ``isBase64Encoded``); any other JSON is the body of a 200 application/json
      response (a JSON string: its text, unquoted). Not JSON: the integration's error.
    - ALB: a JSON object with an integer ``statusCode``; ``statusDescription``,
      ``headers`` (or ``multiValueHeaders`` when the target group enables them: the other
      one is ignored), ``body``, ``isBase64Encoded`` optional but never null; header
      values strings. Otherwise, or over 1 MB: 502 Bad Gateway.
    """
    try:
        if gw.integration == "api":
            response = _rest_response(gw, payload, request)
        elif gw.integration == "alb":
            response = _alb_response(gw, payload)
        elif gw.streaming:
            response = _stream_response(payload, content_type)
        else:
            response = _v2_response(payload)
    except _Malformed:
        return function_error(gw, request_id=request_id, now_ms=now_ms)
    return HttpResponse(
        response.status,
        [*response.headers, *_service_headers(gw, request_id, now_ms)],
        response.body,
        response.reason,
    )


def function_error(
    gw: Gateway, *, request_id: str | None = None, now_ms: int | None = None
) -> HttpResponse:
    """What the integration answers when the function failed, timed out or returned a
    result it cannot use.

    - REST API: 502 ``{"message": "Internal server error"}``, ``x-amzn-ErrorType:
      InternalServerErrorException``.
    - HTTP API: 500 ``{"message":"Internal Server Error"}``.
    - Function URL: 502, body ``Internal Server Error``.
    - ALB: 502 Bad Gateway, its HTML page (``Server: awselb/2.0``).
    """
    if gw.integration == "api":
        response = HttpResponse(
            502,
            [
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", "InternalServerErrorException"),
            ],
            b'{"message": "Internal server error"}',
        )
    elif gw.integration == "http-api":
        response = HttpResponse(
            500, [("Content-Type", "application/json")], b'{"message":"Internal Server Error"}'
        )
    elif gw.integration == "function-url":
        response = HttpResponse(
            502, [("Content-Type", "application/json")], b"Internal Server Error"
        )
    else:
        return _alb_page(502, "Bad Gateway")
    return HttpResponse(
        response.status,
        [*response.headers, *_service_headers(gw, request_id, now_ms)],
        response.body,
    )


def timed_out(gw: Gateway, *, request_id: str | None = None) -> HttpResponse | None:
    """API Gateway's answer when the integration timeout (:data:`INTEGRATION_TIMEOUT`)
    passes before the function answers; None for function URLs and ALBs, which wait for
    the function's own Timeout (then :func:`function_error`)."""
    if gw.integration == "api":
        return HttpResponse(
            504,
            [
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", "InternalServerErrorException"),
                *_service_headers(gw, request_id, None),
            ],
            b'{"message": "Endpoint request timed out"}',
        )
    if gw.integration == "http-api":
        return HttpResponse(
            503,
            [("Content-Type", "application/json"), *_service_headers(gw, request_id, None)],
            b'{"message":"Service Unavailable"}',
        )
    return None


def _service_headers(
    gw: Gateway, request_id: str | None, now_ms: int | None
) -> list[tuple[str, str]]:
    """The request-id (and trace) headers each integration adds to its responses."""
    if request_id is None:
        return []
    trace = [] if now_ms is None else [_new_trace_id(request_id, now_ms)]
    if gw.integration == "api":
        headers = [("x-amzn-RequestId", request_id), ("x-amz-apigw-id", _apigw_id(request_id))]
        return headers + [("X-Amzn-Trace-Id", value) for value in trace]
    if gw.integration == "http-api":
        return [("apigw-requestid", _apigw_id(request_id))]
    if gw.integration == "function-url":
        return [("x-amzn-requestid", request_id)] + [("x-amzn-trace-id", value) for value in trace]
    return []


def _missing_token(gw: Gateway, request_id: str | None) -> HttpResponse:
    return HttpResponse(
        403,
        [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
            *_service_headers(gw, request_id, None),
        ],
        b'{"message":"Missing Authentication Token"}',
    )


def _not_found(request_id: str | None) -> HttpResponse:
    headers = [("Content-Type", "application/json")]
    if request_id is not None:
        headers.append(("apigw-requestid", _apigw_id(request_id)))
    return HttpResponse(404, headers, b'{"message":"Not Found"}')


def _alb_page(status: int, phrase: str) -> HttpResponse:
    """The load balancer's own error page (CRLF lines: 122 bytes for a 502)."""
    title = f"{status} {phrase}"
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    )
    return HttpResponse(
        status, [("Server", "awselb/2.0"), ("Content-Type", "text/html")], page.encode(), phrase
    )


def _load(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise _Malformed from None


def _status(value: Any) -> int:
    """A status code from an integer or a numeric string (100-599)."""
    if isinstance(value, bool):
        raise _Malformed
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 100 <= value <= 599:
        raise _Malformed
    return value


def _decode64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _Malformed from None


def _has(headers: Iterable[tuple[str, str]], name: str) -> bool:
    return any(key.lower() == name for key, _ in headers)


def _drop_transport(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in headers
        if name.lower() not in HOP_BY_HOP and name.lower() != "content-length"
    ]


_REST_KEYS = frozenset(
    {"statusCode", "body", "headers", "multiValueHeaders", "isBase64Encoded", "base64Encoded"}
)


def _rest_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    raise _Malformed


def _rest_response(gw: Gateway, payload: bytes, request: HttpRequest | None) -> HttpResponse:
    doc = _load(payload)
    if not isinstance(doc, dict) or set(doc) - _REST_KEYS:
        raise _Malformed
    raw_status = doc.get("statusCode")
    status = 200 if raw_status is None else _status(raw_status)
    single = doc.get("headers")
    multi = doc.get("multiValueHeaders")
    if not isinstance(single, dict | None) or not isinstance(multi, dict | None):
        raise _Malformed
    omitted = {str(name).lower() for name, value in (single or {}).items() if value is None}
    headers: list[tuple[str, str]] = []
    multi_lower: dict[str, list[str]] = {}
    for name, values in (multi or {}).items():
        if not isinstance(values, list):
            raise _Malformed
        texts = [_rest_value(value) for value in values]
        headers += [(str(name), text) for text in texts]
        multi_lower.setdefault(str(name).lower(), []).extend(texts)
    for name, value in (single or {}).items():
        if value is None:
            continue
        text = _rest_value(value)
        if text in multi_lower.get(str(name).lower(), []):
            continue  # "only the values from multiValueHeaders will appear"
        # Merged into the multiValueHeaders name's casing (LocalStack's snapshot).
        cased = next((key for key, _ in headers if key.lower() == str(name).lower()), str(name))
        headers.append((cased, text))
    body = doc.get("body")
    if not isinstance(body, str | None):
        raise _Malformed
    flag = doc.get("base64Encoded")
    if flag is None:
        flag = doc.get("isBase64Encoded")
    if isinstance(flag, str) and flag.lower() in ("true", "false"):
        flag = flag.lower() == "true"
    if not isinstance(flag, bool | None):
        raise _Malformed
    data = (body or "").encode("utf-8")
    if flag and body and _accepts_binary(gw, request):
        data = _decode64(body)
    headers = _drop_transport(headers)
    if not _has(headers, "content-type") and "content-type" not in omitted:
        headers.append(("Content-Type", "application/json"))
    return HttpResponse(status, headers, data)


def _accepts_binary(gw: Gateway, request: HttpRequest | None) -> bool:
    """REST honours only the first media type of the request's Accept header."""
    if request is None or not gw.binary_media_types:
        return False
    accept = _header(request, "accept") or "*/*"  # no Accept header: anything goes
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return any(_media_matches(pattern, first) for pattern in gw.binary_media_types)


def _v2_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    raise _Malformed


def _v2_structured(doc: Mapping[str, Any]) -> HttpResponse:
    status = _status(doc.get("statusCode"))
    raw_headers = doc.get("headers")
    if not isinstance(raw_headers, dict | None):
        raise _Malformed
    headers = []
    for name, value in (raw_headers or {}).items():
        text = _v2_value(value)
        if text is not None:
            headers.append((str(name), text))
    cookies = doc.get("cookies")
    if isinstance(cookies, list):
        headers += [("Set-Cookie", cookie) for cookie in cookies if isinstance(cookie, str)]
    body = doc.get("body")
    if body is None:
        data = b""
    elif isinstance(body, str):
        data = _decode64(body) if doc.get("isBase64Encoded") is True else body.encode("utf-8")
    else:  # an object body is sent as JSON (a function URL does; LocalStack's snapshot)
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    headers = _drop_transport(headers)
    if not _has(headers, "content-type"):
        headers.append(("Content-Type", "application/json"))
    return HttpResponse(status, headers, data)


def _v2_response(payload: bytes) -> HttpResponse:
    doc = _load(payload)
    if isinstance(doc, dict) and "statusCode" in doc:
        return _v2_structured(doc)
    # "If your function returns valid JSON and doesn't return a statusCode": the result is
    # the body (a JSON string: its text, as AWS sends it), 200, application/json.
    body = doc.encode("utf-8") if isinstance(doc, str) else payload
    return HttpResponse(200, [("Content-Type", "application/json")], body)


def _stream_response(payload: bytes, content_type: str | None) -> HttpResponse:
    """A function URL in RESPONSE_STREAM mode: a JSON prelude, eight NUL bytes and the
    body when the stream says so; else the whole stream is the body of a 200."""
    head, delimiter, rest = payload.partition(STREAM_DELIMITER)
    if content_type in (None, STREAM_PRELUDE_TYPE) and delimiter:
        try:
            prelude = json.loads(head)
        except (ValueError, UnicodeDecodeError):
            prelude = None
        if isinstance(prelude, dict):
            response = _v2_structured({"statusCode": 200, **prelude})
            return HttpResponse(response.status, response.headers, rest)
    if content_type == STREAM_PRELUDE_TYPE:
        raise _Malformed
    return HttpResponse(
        200, [("Content-Type", content_type or "application/octet-stream")], payload
    )


def _alb_string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Malformed
    return value


def _alb_response(gw: Gateway, payload: bytes) -> HttpResponse:
    if len(payload) > ALB_MAX_RESPONSE:
        raise _Malformed
    doc = _load(payload)
    if not isinstance(doc, dict) or "statusCode" not in doc:
        raise _Malformed
    status = _status(doc["statusCode"])
    # A null where ALB reads a value is a LambdaInvalidResponse (aws-lambda-go #207 and
    # #438, aws-lambda-go-api-proxy #79, aws-lambda-dotnet #507); Go's response type
    # always sends the header field it does not use as null, which ALB ignores.
    used = "multiValueHeaders" if gw.multi_value_headers else "headers"
    if any(
        doc.get(key, "") is None for key in ("statusDescription", used, "body", "isBase64Encoded")
    ):
        raise _Malformed
    reason = None
    if "statusDescription" in doc:
        description = _alb_string(doc["statusDescription"])
        reason = description.partition(" ")[2] or None
    headers: list[tuple[str, str]] = []
    if gw.multi_value_headers:
        multi = doc.get("multiValueHeaders", {})
        if not isinstance(multi, dict):
            raise _Malformed
        for name, values in multi.items():
            if not isinstance(values, list):
                raise _Malformed
            headers += [(str(name), _alb_string(value)) for value in values]
    else:
        single = doc.get("headers", {})
        if not isinstance(single, dict):
            raise _Malformed
        headers = [(str(name), _alb_string(value)) for name, value in single.items()]
    body = _alb_string(doc.get("body", ""))
    flag = doc.get("isBase64Encoded", False)
    if not isinstance(flag, bool):
        raise _Malformed
    data = _decode64(body) if flag else body.encode("utf-8")
    headers = _drop_transport(headers)
    if not _has(headers, "content-type"):
        headers.append(("Content-Type", "application/octet-stream"))
    return HttpResponse(status, headers, data, reason)


__all__ = [
    "INTEGRATIONS",
    "Gateway",
    "HttpRequest",
    "HttpResponse",
    "Integration",
    "Match",
    "Route",
    "function_error",
    "gateway",
    "match",
    "timed_out",
    "to_event",
    "to_response",
]
