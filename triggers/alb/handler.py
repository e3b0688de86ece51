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

import json
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from .app import ALLOWED_METHODS, answer

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)


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
