"""Entry point of this Lambda function: S3 bucket notifications.

S3 invokes the function asynchronously when objects are created or removed in the
bucket. If the handler raises, Lambda retries the invocation (twice by default),
then drops it or sends it to the function's on-failure destination; S3 may also
deliver an event more than once, so make processing idempotent.
Code at module level runs once per execution environment (a "cold start"): Powertools'
Logger, Tracer and Metrics are created there, and so should your clients be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# One JSON line per log record, with the service (POWERTOOLS_SERVICE_NAME), the request id
# and the cold start; Lambda's JSON log format passes it on as it is, and the level is the
# function's LoggingConfig (AWS_LAMBDA_LOG_LEVEL). RFC 3339 timestamps let Lambda filter the
# records by level.
logger = Logger(use_rfc3339=True)
# X-Ray segments for the handler and each object (template.yaml: Tracing: Active).
tracer = Tracer()
# CloudWatch metrics in the namespace POWERTOOLS_METRICS_NAMESPACE, printed as embedded
# metric format (EMF) log lines when the handler returns: no API calls.
metrics = Metrics()


@dataclass(frozen=True)
class ObjectChange:
    """One object created or removed, read from its record."""

    event_name: str  # "ObjectCreated:Put", "ObjectRemoved:Delete", ...
    bucket: str
    key: str  # decoded: the key you pass to GetObject
    size: int | None  # None for ObjectRemoved events, which carry no size


def read_change(record: S3EventRecord) -> ObjectChange:
    """Read one record of an S3 event (Powertools' S3EventRecord names its fields).

    S3 sends the object key URL-encoded, with `+` for a space: "my photo+1.jpg"
    arrives as "my+photo%2B1.jpg". unquote_plus turns it back into the real key.
    """
    s3_object = record.s3.get_object
    return ObjectChange(
        event_name=record.event_name,
        bucket=record.s3.bucket.name,
        key=unquote_plus(s3_object.key),
        size=s3_object.get("size"),  # s3_object.size would raise KeyError for a removal
    )


@tracer.capture_method  # a subsegment of the invocation's trace in X-Ray
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


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Process each object change of the event; return what was processed."""
    processed = []
    for record in S3Event(event).records:
        change = read_change(record)
        if process_change(change):
            metrics.add_metric(name="ObjectChanges", unit=MetricUnit.Count, value=1)
            processed.append(
                {"eventName": change.event_name, "bucket": change.bucket, "key": change.key}
            )
    return {"processed": processed}
