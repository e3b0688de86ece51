"""Entry point of this Lambda function: messages from an SQS queue, in batches.

The event source mapping polls the queue and invokes the function with up to
BatchSize messages (template.yaml). The handler processes them one by one and
returns the ids of the messages that failed in `batchItemFailures` (the mapping has
ReportBatchItemFailures on): SQS deletes the others, and delivers each failed one
again once its visibility timeout ends, until it has been received maxReceiveCount
times; then the queue's redrive policy moves it to the dead-letter queue.
SQS delivers a message at least once, so make processing idempotent (keyed on the
message id, or on a field of the body).
Code at module level runs once per execution environment (a "cold start"), so
create clients there.
"""

from __future__ import annotations

import json
import logging
from typing import Any

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)

# What this function needs in a message's body; a message without them fails.
REQUIRED_FIELDS = ("orderId",)


def read_payload(record: dict[str, Any]) -> dict[str, Any]:
    """The body of one message: a JSON object with REQUIRED_FIELDS, or ValueError."""
    payload = json.loads(record["body"])  # json.JSONDecodeError is a ValueError
    if not isinstance(payload, dict):
        raise ValueError("body is JSON, but not an object")
    missing = [name for name in REQUIRED_FIELDS if name not in payload]
    if missing:
        raise ValueError(f"body has no {', '.join(missing)}")
    return payload


def process_message(payload: dict[str, Any]) -> None:
    """Your logic for one message goes here; raise to report the message as failed."""
    logger.info("order received", extra={"orderId": payload["orderId"]})


def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Process each message of the batch; return the ids of those that failed.

    A failed message does not stop the others: it is logged with its error and
    reported, so that SQS delivers it again while the batch's other messages are done.
    """
    failures = []
    for record in event["Records"]:
        message_id = record["messageId"]
        try:
            process_message(read_payload(record))
        except Exception:
            logger.exception("message failed", extra={"messageId": message_id})
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
