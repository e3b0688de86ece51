"""Entry point of this Lambda function: custom events routed by an EventBridge rule.

EventBridge invokes the function asynchronously with one event per invocation, when
the event matches the rule's pattern in template.yaml. If the handler raises, the
invocation fails: Lambda retries it (twice by default), then drops it or sends it to
the function's on-failure destination. Make processing idempotent (key it on the
event id).
Code at module level runs once per execution environment (a "cold start"), so
create clients there.
"""

from __future__ import annotations

import logging
from typing import Any

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)

# What this function needs in an event's detail; an event without them is an error.
REQUIRED_DETAIL_FIELDS = ("orderId",)


def process_event(source: str, detail_type: str, detail: dict[str, Any]) -> None:
    """Your logic for one event goes here."""
    logger.info(
        "event received",
        extra={"source": source, "detailType": detail_type, "orderId": detail["orderId"]},
    )


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Check and process one EventBridge event; return what was processed."""
    source = event["source"]
    detail_type = event["detail-type"]
    detail = event["detail"]  # already a JSON object: EventBridge parsed it
    missing = [name for name in REQUIRED_DETAIL_FIELDS if name not in detail]
    if missing:
        # Fail loudly: the error shows in the function's Errors metric and logs.
        raise ValueError(
            f"{detail_type!r} event {event['id']} from {source} has no {', '.join(missing)}"
        )
    process_event(source, detail_type, detail)
    return {"processed": event["id"], "source": source, "detailType": detail_type}
