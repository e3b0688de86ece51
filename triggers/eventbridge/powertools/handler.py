"""Entry point of this Lambda function: custom events routed by an EventBridge rule.

EventBridge invokes the function asynchronously with one event per invocation, when
the event matches the rule's pattern in template.yaml. If the handler raises, the
invocation fails: Lambda retries it (twice by default), then drops it or sends it to
the function's on-failure destination. Make processing idempotent (key it on the
event id).
Code at module level runs once per execution environment (a "cold start"): Powertools'
Logger, Tracer and Metrics are created there, and so should your clients be.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

# One JSON line per log record, with the service (POWERTOOLS_SERVICE_NAME), the request id,
# the cold start and the correlation id; Lambda's JSON log format passes it on as it is, and
# the level is the function's LoggingConfig (AWS_LAMBDA_LOG_LEVEL). RFC 3339 timestamps let
# Lambda filter the records by level.
logger = Logger(use_rfc3339=True)
# X-Ray segments for the handler and the event (template.yaml: Tracing: Active).
tracer = Tracer()
# CloudWatch metrics in the namespace POWERTOOLS_METRICS_NAMESPACE, printed as embedded
# metric format (EMF) log lines when the handler returns: no API calls.
metrics = Metrics()

# What this function needs in an event's detail; an event without them is an error.
REQUIRED_DETAIL_FIELDS = ("orderId",)


@tracer.capture_method  # a subsegment of the invocation's trace in X-Ray
def process_event(source: str, detail_type: str, detail: dict[str, Any]) -> None:
    """Your logic for one event goes here."""
    logger.info(
        "event received",
        extra={"source": source, "detailType": detail_type, "orderId": detail["orderId"]},
    )


# The correlation id of every log record is the event's id.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Check and process one EventBridge event; return what was processed."""
    received = EventBridgeEvent(event)  # names the fields: detail_type for "detail-type"
    source = received.source
    detail_type = received.detail_type
    detail = received.detail  # already a JSON object: EventBridge parsed it
    missing = [name for name in REQUIRED_DETAIL_FIELDS if name not in detail]
    if missing:
        # Fail loudly: the error shows in the function's Errors metric and logs.
        raise ValueError(
            f"{detail_type!r} event {received.get_id} from {source} has no {', '.join(missing)}"
        )
    process_event(source, detail_type, detail)
    metrics.add_metric(name="EventsProcessed", unit=MetricUnit.Count, value=1)
    return {"processed": received.get_id, "source": source, "detailType": detail_type}
