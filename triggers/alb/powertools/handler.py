"""Entry point of this Lambda function: a tiny JSON API behind an Application Load Balancer.

The load balancer passes each HTTP request to the target group as the event and turns
the dict returned here into the HTTP response. Powertools for AWS Lambda's `ALBResolver`
does both: it routes the request to the routes of app.py by method and path, and writes
what the route returns in the load balancer's format (with `multiValueHeaders` when the
event has them; without the optional `statusDescription`). app.py lists the routes and
their answers.

Code at module level runs once per execution environment (a "cold start"): Powertools'
Logger, Tracer and Metrics are created there, and so should your clients be.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import ALBResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from .app import router

# One JSON line per log record, with the service (POWERTOOLS_SERVICE_NAME), the request id,
# the cold start and the correlation id; Lambda's JSON log format passes it on as it is, and
# the level is the function's LoggingConfig (AWS_LAMBDA_LOG_LEVEL). RFC 3339 timestamps let
# Lambda filter the records by level.
logger = Logger(use_rfc3339=True)
# X-Ray segments for the handler and the routes (template.yaml: Tracing: Active).
tracer = Tracer()
# CloudWatch metrics in the namespace POWERTOOLS_METRICS_NAMESPACE, printed as embedded
# metric format (EMF) log lines when the handler returns: no API calls.
metrics = Metrics()

app = ALBResolver()
app.include_router(router)


# The correlation id of every log record is the load balancer's trace id (X-Amzn-Trace-Id).
@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPLICATION_LOAD_BALANCER)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer one HTTP request, in the response format of the load balancer."""
    response = app.resolve(with_query_decoded(event), context)
    request = app.current_event
    fields = {"method": request.http_method, "path": request.path, "status": response["statusCode"]}
    logger.info("request", extra=fields)
    return response


def with_query_decoded(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its query string parameters URL-decoded, one value per name.

    The load balancer passes the query string on as the client sent it, URL-encoded
    ("Ada%20Lovelace"), and the resolver does not decode it: put it back together and parse
    it like any query string (a repeated name: its last value), as API Gateway does. The
    target group attribute lambda.multi_value_headers.enabled (off in template.yaml) puts
    the query in multiValueQueryStringParameters instead.
    """
    if "multiValueHeaders" in event:
        repeated = event.get("multiValueQueryStringParameters") or {}
        pairs = [(key, value) for key, values in repeated.items() for value in values]
    else:
        pairs = list((event.get("queryStringParameters") or {}).items())
    raw = "&".join(f"{key}={value}" for key, value in pairs)
    return {**event, "queryStringParameters": dict(parse_qsl(raw, keep_blank_values=True))}
