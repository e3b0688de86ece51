"""Entry point of this Lambda function: changes to a DynamoDB table, from its stream.

Each time an item of the table is created, updated or deleted, its stream records an
INSERT, MODIFY or REMOVE with the item as it was (OldImage) and as it is (NewImage),
in DynamoDB JSON. The event source mapping reads each shard of the stream in order
and invokes the function with up to BatchSize records (template.yaml).

Powertools for AWS Lambda's batch processor passes the records one by one, in order, to
`record_handler`, and returns the sequence numbers of those for which it raised in
`batchItemFailures` (the mapping has ReportBatchItemFailures on). It goes on after a
failed record: Lambda then checkpoints before the earliest failed record and retries from
it, so the records after it come again in that retry, processed or not. Your logic must
therefore not rely on a failed change being done before the changes after it, and must be
idempotent (a change can come more than once anyway). When every record of the batch fails,
the processor raises BatchProcessingError instead: the invocation fails and Lambda retries
the whole batch. After the mapping's MaximumRetryAttempts, Lambda sends the batch's details
to the on-failure queue and moves on.
Code at module level runs once per execution environment (a "cold start"): Powertools'
Logger, Tracer, Metrics and batch processor are created there, and so should your
clients be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# One JSON line per log record, with the service (POWERTOOLS_SERVICE_NAME), the request id
# and the cold start; Lambda's JSON log format passes it on as it is, and the level is the
# function's LoggingConfig (AWS_LAMBDA_LOG_LEVEL). RFC 3339 timestamps let Lambda filter the
# records by level.
logger = Logger(use_rfc3339=True)
# X-Ray segments for the handler and each change (template.yaml: Tracing: Active).
tracer = Tracer()
# CloudWatch metrics in the namespace POWERTOOLS_METRICS_NAMESPACE, printed as embedded
# metric format (EMF) log lines when the handler returns: no API calls.
metrics = Metrics()
# Reads each record as a DynamoDBRecord and collects the failures of the batch.
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

# What this function needs in an order item; a change that leaves an item without them
# fails.
REQUIRED_ATTRIBUTES = ("status",)

# The images of each kind of change, when the stream's view type is NEW_AND_OLD_IMAGES.
IMAGES = {"INSERT": ("NewImage",), "MODIFY": ("OldImage", "NewImage"), "REMOVE": ("OldImage",)}


@dataclass(frozen=True)
class Change:
    """One change to an item of the table, read from its stream record."""

    event_name: str  # "INSERT", "MODIFY" or "REMOVE"
    keys: dict[str, Any]  # the item's key attributes
    old_item: dict[str, Any]  # the item before the change; {} for an INSERT
    new_item: dict[str, Any]  # the item after the change; {} for a REMOVE


def read_change(record: DynamoDBRecord) -> Change:
    """Read one record of a DynamoDB stream event.

    Powertools' DynamoDBRecord turns the images from DynamoDB JSON ({"N": "2"}) into plain
    values: S a str, N a Decimal (exact: DynamoDB keeps 38 digits), B the base64 text,
    BOOL a bool, NULL None, M a dict, L a list, SS, NS and BS a set.
    """
    event_name = record["eventName"]
    stream_record = record.dynamodb
    missing = [image for image in IMAGES[event_name] if image not in stream_record]
    if missing:
        raise ValueError(
            f"{event_name} record has no {' or '.join(missing)}: "
            "the stream's view type must be NEW_AND_OLD_IMAGES"
        )
    return Change(
        event_name=event_name,
        keys=stream_record.keys,
        old_item=stream_record.old_image,
        new_item=stream_record.new_image,
    )


@tracer.capture_method  # a subsegment of the invocation's trace in X-Ray, per change
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


def record_handler(record: DynamoDBRecord) -> None:
    """Process one change; the batch processor reports it as failed if this raises."""
    try:
        process_change(read_change(record))
    except Exception:
        sequence_number = record.dynamodb.sequence_number
        logger.exception("record failed", extra={"sequenceNumber": sequence_number})
        raise
    metrics.add_metric(name="OrderChanges", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """Process the batch's changes in order; report those that fail."""
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
