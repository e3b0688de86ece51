"""Entry point of this Lambda function.

Lambda calls `handler(event, context)` once per invocation; code at module level runs once
per execution environment (a "cold start"): Powertools' Logger, Tracer and Metrics are
created there, and so should your clients be.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

# One JSON line per log record, with the service (POWERTOOLS_SERVICE_NAME), the request id
# and the cold start; Lambda's JSON log format passes it on as it is, and the level is the
# function's LoggingConfig (AWS_LAMBDA_LOG_LEVEL). RFC 3339 timestamps let Lambda filter the
# records by level.
logger = Logger(use_rfc3339=True)
# X-Ray segments for the handler (template.yaml: Tracing: Active).
tracer = Tracer()
# CloudWatch metrics in the namespace POWERTOOLS_METRICS_NAMESPACE, printed as embedded
# metric format (EMF) log lines when the handler returns: no API calls.
metrics = Metrics()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Greet the caller named in the event: {"name": "..."}."""
    name = event.get("name") or "world"
    if not isinstance(name, str):
        raise TypeError(f"'name' must be a string, not {type(name).__name__}")
    logger.info("greeting", extra={"caller": name})
    metrics.add_metric(name="Greetings", unit=MetricUnit.Count, value=1)
    return {
        "message": f"Hello, {name}!",
        "requestId": context.aws_request_id,
    }
