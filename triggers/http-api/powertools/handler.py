"""Entry point of this Lambda function: a tiny JSON API behind an API Gateway HTTP API.

API Gateway (Lambda proxy integration, payload format 2.0) passes each HTTP request as
the event and turns the dict returned here into the HTTP response. Powertools for AWS
Lambda's `APIGatewayHttpResolver` does both: it routes the request to the routes of
app.py by method and path, and writes what the route returns in the format of payload 2.0
(with `cookies`, empty unless a route sets some). app.py lists the routes and their answers.

Code at module level runs once per execution environment (a "cold start"): Powertools'
Logger, Tracer and Metrics are created there, and so should your clients be.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
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

app = APIGatewayHttpResolver()
app.include_router(router)


# The correlation id of every log record is API Gateway's request id (requestContext.requestId).
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer one HTTP request, in the response format of payload 2.0."""
    response = app.resolve(event, context)
    request = app.current_event
    fields = {"method": request.http_method, "path": request.path, "status": response["statusCode"]}
    logger.info("request", extra=fields)
    return response
