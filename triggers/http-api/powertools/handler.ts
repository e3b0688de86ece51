/**
 * Entry point of this Lambda function: a tiny JSON API behind an API Gateway HTTP API,
 * with Powertools for AWS Lambda (TypeScript).
 *
 * API Gateway (Lambda proxy integration, payload format 2.0) passes each HTTP request as
 * the event and turns the object returned here into the HTTP response. The API, its routes
 * and answers, is app.ts: Powertools' Router reads the event (rawPath, rawQueryString, the
 * body) and writes the response in payload 2.0's format; this handler adds the request's
 * log record and correlation id.
 *
 * What Powertools adds: each log record is one JSON object with the service, the
 * invocation's ids and cold_start, and API Gateway's request id as correlation_id (its
 * access logs have it too); a ColdStart metric on the first invocation of an execution
 * environment; and, in app.ts, an X-Ray subsegment and the metrics latency, error and
 * fault for each request.
 *
 * Lambda awaits the promise the handler returns; code at module level runs once per
 * execution environment (a "cold start"), so create clients there, as app.ts does
 * Powertools' Logger, Metrics and Tracer.
 */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyHandlerV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";

import { app, logger, metrics } from "./app.ts";

/** Answer one HTTP request, like events/http-api-get.json, in payload 2.0's response format. */
export const handler = (async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context); // function_request_id, cold_start... in each record
  logger.setCorrelationId(event.requestContext.requestId);
  metrics.captureColdStartMetric(context.functionName); // printed at once, if this is one
  try {
    const result = await app.resolve(event, context);
    const method = event.requestContext.http.method;
    logger.info("request", { method, path: event.rawPath, status: result.statusCode });
    // Payload 2.0 takes cookies apart from the headers: the Router moves Set-Cookie there.
    return result;
  } finally {
    logger.resetKeys(); // the correlation id is this request's only
  }
}) satisfies APIGatewayProxyHandlerV2;
