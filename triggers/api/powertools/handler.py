"""Entry point of this Lambda function: a tiny JSON API behind an API Gateway REST API.

API Gateway (Lambda proxy integration, payload format 1.0) passes each HTTP request as
the event and turns the dict returned here into the HTTP response. Powertools for AWS
Lambda's `APIGatewayRestResolver` does both: it routes the request to the routes of
app.py by method and path, and writes what the route returns in the format of payload 1.0
(headers as `multiValueHeaders`). app.py lists the routes and their answers.

The resolver routes by the request's path (event["path"], "/hello", without the stage). Behind
a custom domain name with a base path mapping the path has the base path too ("/v1/hello"):
then tell the resolver to remove it, APIGatewayRestResolver(strip_prefixes=["/v1"]).

Code at module level runs once per execution environment (a "cold start"): Powertools'
Logger, Tracer and Metrics are created there, and so should your clients be.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
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

app = APIGatewayRestResolver()
app.include_router(router)


# The correlation id of every log record is API Gateway's request id (requestContext.requestId).
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer one HTTP request, in the response format of payload 1.0."""
    response = app.resolve(event, context)
    request = app.current_event
    fields = {
        "method": request.http_method,
        "resource": request.resource,  # the API resource that matched: /hello
        "path": request.path,  # as the client asked: /v1/hello behind a base path mapping
        "status": response["statusCode"],
    }
    logger.info("request", extra=fields)
    return response
