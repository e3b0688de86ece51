"""Entry point of this Lambda function.

Lambda calls `handler(event, context)` once per invocation; code at module level
runs once per execution environment (a "cold start"), so create clients there.
"""

from __future__ import annotations

import logging
from typing import Any

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Greet the caller named in the event: {"name": "..."}."""
    name = event.get("name") or "world"
    if not isinstance(name, str):
        raise TypeError(f"'name' must be a string, not {type(name).__name__}")
    logger.info("greeting", extra={"caller": name})
    return {
        "message": f"Hello, {name}!",
        "requestId": context.aws_request_id,
    }
