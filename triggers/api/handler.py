"""Entry point of this Lambda function: a tiny JSON API behind an API Gateway REST API.

API Gateway (Lambda proxy integration, payload format 1.0) passes each HTTP request as
the event and turns the dict returned here into the HTTP response:

    GET  /hello?name=Ada          200 {"message": "Hello, Ada!"}   (no name: "world")
    POST /hello {"name": "Ada"}   200 {"message": "Hello, Ada!"}
    POST /hello, any other body   400 {"message": "Body is not valid JSON"} (or why)
    PUT, DELETE, ... /hello       405 with an Allow header
    any other resource            404

Routing uses the API resource that matched (event["resource"], "/hello"), not the
request path (event["path"]): behind a custom domain name with a base path mapping, the
path has the base path too ("/v1/hello"), while the resource stays "/hello". Neither has
the stage ("/prod"). The log record of each request has both.

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
    resource = event["resource"]  # the route: /hello, whatever domain and base path
    path = event["path"]  # as the client asked: /v1/hello behind a base path mapping
    query = event.get("queryStringParameters") or {}  # null when the URL has no query string
    body, is_base64 = event.get("body"), event.get("isBase64Encoded", False)
    status, payload = answer(method, resource, query, body, is_base64)
    headers = {"Content-Type": "application/json"}
    if status == 405:
        headers["Allow"] = ", ".join(ALLOWED_METHODS)
    fields = {"method": method, "resource": resource, "path": path, "status": status}
    logger.info("request", extra=fields)
    return {
        "statusCode": status,
        "headers": headers,
        "body": json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        "isBase64Encoded": False,
    }
