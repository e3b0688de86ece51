"""Entry point of this Lambda function: messages from an SQS queue, in batches.

The event source mapping polls the queue and invokes the function with up to
BatchSize messages (template.yaml). Powertools for AWS Lambda's batch processor passes
them one by one to `record_handler` and returns the ids of the messages for which it
raised in `batchItemFailures` (the mapping has ReportBatchItemFailures on): SQS deletes
the others, and delivers each failed one again once its visibility timeout ends, until it
has been received maxReceiveCount times; then the queue's redrive policy moves it to the
dead-letter queue. When every message of the batch fails, the processor raises
BatchProcessingError instead: the invocation fails and the whole batch comes back.
SQS delivers a message at least once, so make processing idempotent (keyed on the
message id, or on a field of the body).
Code at module level runs once per execution environment (a "cold start"): Powertools'
Logger, Tracer, Metrics and batch processor are created there, and so should your
clients be.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# One JSON line per log record, with the service (POWERTOOLS_SERVICE_NAME), the request id
# and the cold start; Lambda's JSON log format passes it on as it is, and the level is the
# function's LoggingConfig (AWS_LAMBDA_LOG_LEVEL). RFC 3339 timestamps let Lambda filter the
# records by level.
logger = Logger(use_rfc3339=True)
# X-Ray segments for the handler and each message (template.yaml: Tracing: Active).
tracer = Tracer()
# CloudWatch metrics in the namespace POWERTOOLS_METRICS_NAMESPACE, printed as embedded
# metric format (EMF) log lines when the handler returns: no API calls.
metrics = Metrics()
# Reads each record as an SQSRecord and collects the failures of the batch.
processor = BatchProcessor(event_type=EventType.SQS)

# What this function needs in a message's body; a message without them fails.
REQUIRED_FIELDS = ("orderId",)


def read_payload(record: SQSRecord) -> dict[str, Any]:
    """The body of one message: a JSON object with REQUIRED_FIELDS, or ValueError."""
    payload = json.loads(record.body)  # json.JSONDecodeError is a ValueError
    if not isinstance(payload, dict):
        raise ValueError("body is JSON, but not an object")
    missing = [name for name in REQUIRED_FIELDS if name not in payload]
    if missing:
        raise ValueError(f"body has no {', '.join(missing)}")
    return payload


@tracer.capture_method  # a subsegment of the invocation's trace in X-Ray, per message
def process_message(payload: dict[str, Any]) -> None:
    """Your logic for one message goes here; raise to report the message as failed."""
    logger.info("order received", extra={"orderId": payload["orderId"]})


def record_handler(record: SQSRecord) -> None:
    """Process one message; the batch processor reports it as failed if this raises."""
    try:
        process_message(read_payload(record))
    except Exception:
        logger.exception("message failed", extra={"messageId": record.message_id})
        raise
    metrics.add_metric(name="OrdersReceived", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """Process each message of the batch; return the ids of those that failed.

    A failed message does not stop the others: it is logged with its error and
    reported, so that SQS delivers it again while the batch's other messages are done.
    """
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
