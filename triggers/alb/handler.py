"""Entry point of this Lambda function: a tiny JSON API behind an Application Load Balancer.

The load balancer passes each HTTP request to the target group as the event and turns
the dict returned here into the HTTP response:

    GET  /hello?name=Ada          200 {"message": "Hello, Ada!"}   (no name: "world")
    POST /hello {"name": "Ada"}   200 {"message": "Hello, Ada!"}
    POST /hello, any other body   400 {"message": "Body is not valid JSON"} (or why)
    PUT, DELETE, ... /hello       405 with an Allow header
    any other path                404

Code at module level runs once per execution environment (a "cold start"), so create
clients there.
"""

from __future__ import annotations

import base64
import json
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)

ROUTE = "/hello"
ALLOWED_METHODS = ("GET", "POST")


class BadRequest(ValueError):
    """A request body this API cannot read: answered with 400 and the reason."""


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one HTTP request, in the response format of the load balancer."""
    method = event["httpMethod"]
    path = event["path"]
    # The target group attribute lambda.multi_value_headers.enabled (off in template.yaml)
    # switches the event and the response to multi-value headers and query parameters.
    multi_value = "multiValueHeaders" in event
    if multi_value:
        repeated = event.get("multiValueQueryStringParameters") or {}
        pairs = [(key, value) for key, values in repeated.items() for value in values]
    else:
        pairs = list((event.get("queryStringParameters") or {}).items())
    # The load balancer passes the query string on as the client sent it, URL-encoded
    # ("Ada%20Lovelace"): put it back together and parse it like any query string.
    raw = "&".join(f"{key}={value}" for key, value in pairs)
    query = dict(parse_qsl(raw, keep_blank_values=True))  # a repeated key: the last value
    body, is_base64 = event.get("body"), event.get("isBase64Encoded", False)
    status, payload = answer(method, path, query, body, is_base64)
    headers = {"Content-Type": "application/json"}
    if status == 405:
        headers["Allow"] = ", ".join(ALLOWED_METHODS)
    logger.info("request", extra={"method": method, "path": path, "status": status})
    response: dict[str, Any] = {
        "statusCode": status,
        "statusDescription": f"{status} {HTTPStatus(status).phrase}",  # "200 OK"
        "headers": headers,
        "body": json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        "isBase64Encoded": False,
    }
    if multi_value:  # the load balancer then reads multiValueHeaders, not headers
        response["multiValueHeaders"] = {k: [v] for k, v in response.pop("headers").items()}
    return response


def answer(
    method: str, path: str, query: dict[str, str], body: str | None, is_base64: bool
) -> tuple[int, dict[str, str]]:
    """The status code and JSON payload for one request."""
    if path != ROUTE:
        return 404, {"message": f"Not found: {path}"}
    if method == "GET":
        return 200, greeting(query.get("name"))
    if method == "POST":
        try:
            return 200, greeting(name_from(body, is_base64))
        except BadRequest as error:
            return 400, {"message": str(error)}
    return 405, {"message": f"Method {method} is not allowed; use GET or POST"}


def greeting(name: str | None) -> dict[str, str]:
    return {"message": f"Hello, {name or 'world'}!"}


def name_from(body: str | None, is_base64: bool) -> str | None:
    """The "name" of a JSON object body, {"name": "Ada"}; None when it has none."""
    text = body or ""
    try:
        if is_base64:  # Content-Type not text/*, application/json, /javascript or /xml
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
