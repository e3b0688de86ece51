/**
 * Entry point of this Lambda function: a tiny JSON API behind an API Gateway REST API,
 * with Powertools for AWS Lambda (TypeScript).
 *
 * API Gateway (Lambda proxy integration, payload format 1.0) passes each HTTP request as
 * the event and turns the object returned here into the HTTP response. The API, its routes
 * and answers, is app.ts: Powertools' Router reads the event and writes the response in
 * payload 1.0's format; this handler adds the request's log record and correlation id.
 *
 * The Router matches the request path (event.path, without the stage), not the API resource
 * that matched (event.resource): behind a custom domain name with a base path mapping, the
 * path has the base path too ("/v1/hello") and is not found. Map the API at the domain's
 * root, or give the Router the base path: `new Router({ logger, prefix: "/v1" })` in app.ts.
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
  APIGatewayProxyEvent,
  APIGatewayProxyHandler,
  APIGatewayProxyResult,
  Context,
} from "aws-lambda";

import { app, logger, metrics } from "./app.ts";

/** Answer one HTTP request, like events/api-get.json, in the response format of payload 1.0. */
export const handler = (async (
  event: APIGatewayProxyEvent,
  context: Context,
): Promise<APIGatewayProxyResult> => {
  logger.addContext(context); // function_request_id, cold_start... in each record
  logger.setCorrelationId(event.requestContext.requestId);
  metrics.captureColdStartMetric(context.functionName); // printed at once, if this is one
  try {
    const result = await app.resolve(event, context);
    const { httpMethod: method, resource, path } = event;
    logger.info("request", { method, resource, path, status: result.statusCode });
    return result;
  } finally {
    logger.resetKeys(); // the correlation id is this request's only
  }
}) satisfies APIGatewayProxyHandler;
