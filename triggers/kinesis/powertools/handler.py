"""Entry point of this Lambda function: records of a Kinesis data stream, in batches.

The event source mapping reads each shard of the stream in order and invokes the
function with up to BatchSize records of one shard (template.yaml).

Powertools for AWS Lambda's batch processor passes the records one by one, in order, to
`record_handler`, and returns the sequence numbers of those for which it raised in
`batchItemFailures` (the mapping has ReportBatchItemFailures on). It goes on after a
failed record: Lambda then checkpoints before the earliest failed record and retries from
it, so the records after it come again in that retry, processed or not. Your logic must
therefore not rely on a failed record being done before the records after it, and must be
idempotent (a record can come more than once anyway). When every record of the batch
fails, the processor raises BatchProcessingError instead: the invocation fails and Lambda
retries the whole batch. After the mapping's MaximumRetryAttempts, Lambda sends the batch's
details to the on-failure queue and moves on.
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
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import (
    KinesisStreamRecord,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

# One JSON line per log record, with the service (POWERTOOLS_SERVICE_NAME), the request id
# and the cold start; Lambda's JSON log format passes it on as it is, and the level is the
# function's LoggingConfig (AWS_LAMBDA_LOG_LEVEL). RFC 3339 timestamps let Lambda filter the
# records by level.
logger = Logger(use_rfc3339=True)
# X-Ray segments for the handler and each record (template.yaml: Tracing: Active).
tracer = Tracer()
# CloudWatch metrics in the namespace POWERTOOLS_METRICS_NAMESPACE, printed as embedded
# metric format (EMF) log lines when the handler returns: no API calls.
metrics = Metrics()
# Reads each record as a KinesisStreamRecord and collects the failures of the batch.
processor = BatchProcessor(event_type=EventType.KinesisDataStreams)

# What this function needs in a record's data; a record without them fails.
REQUIRED_FIELDS = ("orderId",)


def read_payload(record: KinesisStreamRecord) -> dict[str, Any]:
    """The data of one record: a JSON object with REQUIRED_FIELDS, or ValueError.

    Kinesis carries the bytes the producer put, base64-encoded in the event:
    data_as_text() decodes them as UTF-8 (UnicodeDecodeError is a ValueError too).
    """
    payload = json.loads(record.kinesis.data_as_text())
    if not isinstance(payload, dict):
        raise ValueError("data is JSON, but not an object")
    missing = [name for name in REQUIRED_FIELDS if name not in payload]
    if missing:
        raise ValueError(f"data has no {', '.join(missing)}")
    return payload


@tracer.capture_method  # a subsegment of the invocation's trace in X-Ray, per record
def process_record(payload: dict[str, Any]) -> None:
    """Your logic for one record goes here; raise to report the record as failed."""
    logger.info("order event received", extra={"orderId": payload["orderId"]})


def record_handler(record: KinesisStreamRecord) -> None:
    """Process one record; the batch processor reports it as failed if this raises."""
    try:
        process_record(read_payload(record))
    except Exception:
        sequence_number = record.kinesis.sequence_number
        logger.exception("record failed", extra={"sequenceNumber": sequence_number})
        raise
    metrics.add_metric(name="OrderEventsReceived", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """Process the batch's records in order; report those that fail."""
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
