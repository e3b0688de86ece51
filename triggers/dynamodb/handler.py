"""Entry point of this Lambda function: changes to a DynamoDB table, from its stream.

Each time an item of the table is created, updated or deleted, its stream records an
INSERT, MODIFY or REMOVE with the item as it was (OldImage) and as it is (NewImage),
in DynamoDB JSON. The event source mapping reads each shard of the stream in order
and invokes the function with up to BatchSize records (template.yaml). The handler
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
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)

# What this function needs in an order item; a change that leaves an item without them
# fails.
REQUIRED_ATTRIBUTES = ("status",)

# The images of each kind of change, when the stream's view type is NEW_AND_OLD_IMAGES.
IMAGES = {"INSERT": ("NewImage",), "MODIFY": ("OldImage", "NewImage"), "REMOVE": ("OldImage",)}


def from_dynamodb(value: dict[str, Any]) -> Any:
    """The plain value of one attribute value in DynamoDB JSON: {"N": "42"} is 42.

    S is a str, N an int or a Decimal (exact: DynamoDB keeps 38 digits), B bytes,
    BOOL a bool, NULL None, M a dict, L a list, SS, NS and BS a set.
    """
    ((kind, data),) = value.items()  # exactly one type descriptor, or ValueError
    match kind:
        case "S" | "BOOL":
            return data
        case "N":
            return _number(data)
        case "B":
            return base64.b64decode(data)
        case "NULL":
            return None
        case "M":
            return read_item(data)
        case "L":
            return [from_dynamodb(element) for element in data]
        case "SS":
            return set(data)
        case "NS":
            return {_number(element) for element in data}
        case "BS":
            return {base64.b64decode(element) for element in data}
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def _number(text: str) -> int | Decimal:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else number


def read_item(image: dict[str, Any]) -> dict[str, Any]:
    """An item (NewImage, OldImage or Keys) as plain values, by attribute name."""
    return {name: from_dynamodb(value) for name, value in image.items()}


@dataclass(frozen=True)
class Change:
    """One change to an item of the table, read from its stream record."""

    event_name: str  # "INSERT", "MODIFY" or "REMOVE"
    keys: dict[str, Any]  # the item's key attributes
    old_item: dict[str, Any]  # the item before the change; {} for an INSERT
    new_item: dict[str, Any]  # the item after the change; {} for a REMOVE


def read_change(record: dict[str, Any]) -> Change:
    """Read one record of a DynamoDB stream event."""
    event_name = record["eventName"]
    stream_record = record["dynamodb"]
    missing = [image for image in IMAGES[event_name] if image not in stream_record]
    if missing:
        raise ValueError(
            f"{event_name} record has no {' or '.join(missing)}: "
            "the stream's view type must be NEW_AND_OLD_IMAGES"
        )
    return Change(
        event_name=event_name,
        keys=read_item(stream_record["Keys"]),
        old_item=read_item(stream_record.get("OldImage", {})),
        new_item=read_item(stream_record.get("NewImage", {})),
    )


def process_change(change: Change) -> None:
    """Your logic for one change goes here; raise to report the change as failed."""
    order_id = change.keys["orderId"]
    if change.event_name in ("INSERT", "MODIFY"):
        missing = [name for name in REQUIRED_ATTRIBUTES if name not in change.new_item]
        if missing:
            raise ValueError(f"order {order_id} has no {', '.join(missing)}")
    match change.event_name:
        case "INSERT":
            logger.info(
                "order created", extra={"orderId": order_id, "status": change.new_item["status"]}
            )
        case "MODIFY":
            logger.info(
                "order updated",
                extra={
                    "orderId": order_id,
                    "oldStatus": change.old_item.get("status"),
                    "newStatus": change.new_item["status"],
                },
            )
        case "REMOVE":
            status = change.old_item.get("status")
            logger.info("order deleted", extra={"orderId": order_id, "status": status})


def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Process the batch's changes in order; report the first that fails, if any."""
    for record in event["Records"]:
        sequence_number = record["dynamodb"]["SequenceNumber"]
        try:
            process_change(read_change(record))
        except Exception:
            # Stop here: Lambda retries from this record, and those after it, in order.
            logger.exception("record failed", extra={"sequenceNumber": sequence_number})
            return {"batchItemFailures": [{"itemIdentifier": sequence_number}]}
    return {"batchItemFailures": []}
