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

import json
import logging
from typing import Any

from .app import ALLOWED_METHODS, answer

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)


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
