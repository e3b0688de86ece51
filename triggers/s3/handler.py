"""Entry point of this Lambda function: S3 bucket notifications.

S3 invokes the function asynchronously when objects are created or removed in the
bucket. If the handler raises, Lambda retries the invocation (twice by default),
then drops it or sends it to the function's on-failure destination; S3 may also
deliver an event more than once, so make processing idempotent.
Code at module level runs once per execution environment (a "cold start"), so
create clients there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ObjectChange:
    """One object created or removed, read from its record."""

    event_name: str  # "ObjectCreated:Put", "ObjectRemoved:Delete", ...
    bucket: str
    key: str  # decoded: the key you pass to GetObject
    size: int | None  # None for ObjectRemoved events, which carry no size


def read_change(record: dict[str, Any]) -> ObjectChange:
    """Read one record of an S3 event.

    S3 sends the object key URL-encoded, with `+` for a space: "my photo+1.jpg"
    arrives as "my+photo%2B1.jpg". unquote_plus turns it back into the real key.
    """
    s3 = record["s3"]
    return ObjectChange(
        event_name=record["eventName"],
        bucket=s3["bucket"]["name"],
        key=unquote_plus(s3["object"]["key"]),
        size=s3["object"].get("size"),
    )


def process_change(change: ObjectChange) -> bool:
    """Your logic for one object goes here; return False for a change you ignore."""
    if change.event_name.startswith("ObjectCreated:"):
        # To read the object, grant S3ReadPolicy in template.yaml (see README.md).
        logger.info(
            "object created",
            extra={"bucket": change.bucket, "key": change.key, "size": change.size},
        )
    elif change.event_name.startswith("ObjectRemoved:"):
        logger.info("object removed", extra={"bucket": change.bucket, "key": change.key})
    else:
        logger.warning("event ignored", extra={"eventName": change.event_name})
        return False
    return True


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Process each object change of the event; return what was processed."""
    processed = []
    for record in event["Records"]:
        change = read_change(record)
        if process_change(change):
            processed.append(
                {"eventName": change.event_name, "bucket": change.bucket, "key": change.key}
            )
    return {"processed": processed}
