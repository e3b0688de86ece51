"""The API itself, whatever invokes it: routes, validation and answers.

handler.py reads the request from the event of its integration (API Gateway,
function URL or load balancer), calls `answer`, and writes the response in that
integration's format. Change the API here; change the transport in handler.py.
"""

from __future__ import annotations

import base64
import json

ROUTE = "/hello"
ALLOWED_METHODS = ("GET", "POST")


class BadRequest(ValueError):
    """A request body this API cannot read: answered with 400 and the reason."""


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
