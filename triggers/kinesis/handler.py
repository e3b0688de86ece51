"""Entry point of this Lambda function: records of a Kinesis data stream, in batches.

The event source mapping reads each shard of the stream in order and invokes the
function with up to BatchSize records of one shard (template.yaml). The handler
processes them one by one, in order. At the first record that fails it stops and
returns that record's sequence number in `batchItemFailures` (the mapping has
ReportBatchItemFailures on): Lambda checkpoints before it and retries from it, so
the records after it come again anyway, and processing them now would put them
ahead of the failed one. After the mapping's MaximumRetryAttempts, Lambda sends the
batch's details to the on-failure queue and moves on.
A record can be delivered more than once, so make processing idempotent.
Code at module level runs once per execution environment (a "cold start"), so
create clients there.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)

# What this function needs in a record's data; a record without them fails.
REQUIRED_FIELDS = ("orderId",)


def read_payload(record: dict[str, Any]) -> dict[str, Any]:
    """The data of one record: a JSON object with REQUIRED_FIELDS, or ValueError.

    Kinesis carries the bytes the producer put, base64-encoded in the event.
    """
    data = base64.b64decode(record["kinesis"]["data"], validate=True)
    payload = json.loads(data.decode("utf-8"))  # UnicodeDecodeError is a ValueError too
    if not isinstance(payload, dict):
        raise ValueError("data is JSON, but not an object")
    missing = [name for name in REQUIRED_FIELDS if name not in payload]
    if missing:
        raise ValueError(f"data has no {', '.join(missing)}")
    return payload


def process_record(payload: dict[str, Any]) -> None:
    """Your logic for one record goes here; raise to report the record as failed."""
    logger.info("order event received", extra={"orderId": payload["orderId"]})


def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Process the batch's records in order; report the first that fails, if any."""
    for record in event["Records"]:
        sequence_number = record["kinesis"]["sequenceNumber"]
        try:
            process_record(read_payload(record))
        except Exception:
            # Stop here: Lambda retries from this record, and those after it, in order.
            logger.exception("record failed", extra={"sequenceNumber": sequence_number})
            return {"batchItemFailures": [{"itemIdentifier": sequence_number}]}
    return {"batchItemFailures": []}
