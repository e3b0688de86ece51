"""The API itself, whatever invokes it: routes, validation and answers.

The routes are on a Powertools `Router`; handler.py includes it in the resolver of its
integration (API Gateway REST or HTTP API, function URL or load balancer), which reads the
request from the event, calls the route that matches its method and path, and writes the
response in the integration's format. Change the API here; change the transport in
handler.py.

    GET  /hello?name=Ada          200 {"message": "Hello, Ada!"}   (no name: "world")
    POST /hello {"name": "Ada"}   200 {"message": "Hello, Ada!"}
    POST /hello, any other body   400 {"message": "Body is not valid JSON"} (or why)
    PUT, DELETE, ... /hello       405 with an Allow header
    any other path                404 {"statusCode": 404, "message": "Not found"} (the resolver's)

A route returns a dict (200, as JSON), a (dict, status) tuple, or a `Response`.
"""

from __future__ import annotations

import base64
import json

from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.metrics import MetricUnit

ROUTE = "/hello"
ALLOWED_METHODS = ("GET", "POST")
OTHER_METHODS = ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]

router = Router()
# The same Tracer and Metrics as handler.py's: every instance shares one configuration and
# one set of metrics, which the handler's log_metrics publishes when it returns.
tracer = Tracer()
metrics = Metrics()


class BadRequest(ValueError):
    """A request body this API cannot read: answered with 400 and the reason."""


@router.get(ROUTE)
@tracer.capture_method  # a subsegment of the invocation's trace in X-Ray
def greet_from_query() -> dict[str, str]:
    """GET /hello?name=Ada: greet the name in the query string."""
    return greeting(router.current_event.get_query_string_value("name"))


@router.post(ROUTE)
@tracer.capture_method
def greet_from_body() -> dict[str, str] | tuple[dict[str, str], int]:
    """POST /hello {"name": "Ada"}: greet the name in the JSON body, or answer 400."""
    request = router.current_event
    try:
        # The raw body, not request.decoded_body: a body that is not base64 (or not UTF-8)
        # is a bad request here, where decoded_body would raise (a 500).
        name = name_from(request.body, request.is_base64_encoded)
    except BadRequest as error:
        return {"message": str(error)}, 400
    return greeting(name)


@router.route(ROUTE, method=OTHER_METHODS)
def method_not_allowed() -> Response:
    """Any other method on /hello: 405, with the methods it allows."""
    method = router.current_event.http_method
    return Response(
        status_code=405,
        content_type=content_types.APPLICATION_JSON,
        body={"message": f"Method {method} is not allowed; use GET or POST"},
        headers={"Allow": ", ".join(ALLOWED_METHODS)},
    )


def greeting(name: str | None) -> dict[str, str]:
    """The answer to a greeting request, counted in the Greetings metric."""
    metrics.add_metric(name="Greetings", unit=MetricUnit.Count, value=1)
    return {"message": f"Hello, {name or 'world'}!"}


def name_from(body: str | None, is_base64: bool) -> str | None:
    """The "name" of a JSON object body, {"name": "Ada"}; None when it has none."""
    text = body or ""
    try:
        if is_base64:  # the integration passes a binary body base64-encoded
            text = base64.b64decode(text).decode(errors="replace")
        data = json.loads(text, parse_constant=_reject)
    except ValueError:  # binascii.Error and json.JSONDecodeError included
        raise BadRequest("Body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest(f"Body must be a JSON object, not {json_type(data)}")
    if "name" not in data:
        return None
    if not isinstance(data["name"], str):
        raise BadRequest(f"'name' must be a string, not {json_type(data['name'])}")
    return data["name"]


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _reject(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")  # json.loads would accept NaN and Infinity
