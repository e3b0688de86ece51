"""Entry point of this Lambda function: a tiny JSON API behind an API Gateway REST API.

API Gateway (Lambda proxy integration, payload format 1.0) passes each HTTP request as
the event and turns the dict returned here into the HTTP response:

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
from typing import Any

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)

ROUTE = "/hello"
ALLOWED_METHODS = ("GET", "POST")


class BadRequest(ValueError):
    """A request body this API cannot read: answered with 400 and the reason."""


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one HTTP request, in the response format of payload 1.0."""
    method = event["httpMethod"]
    path = event["path"]  # without the stage: /hello, not /prod/hello
    query = event.get("queryStringParameters") or {}  # null when the URL has no query string
    body, is_base64 = event.get("body"), event.get("isBase64Encoded", False)
    status, payload = answer(method, path, query, body, is_base64)
    headers = {"Content-Type": "application/json"}
    if status == 405:
        headers["Allow"] = ", ".join(ALLOWED_METHODS)
    logger.info("request", extra={"method": method, "path": path, "status": status})
    return {
        "statusCode": status,
        "headers": headers,
        "body": json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        "isBase64Encoded": False,
    }


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
        if is_base64:  # a content type the API lists in binaryMediaTypes
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
