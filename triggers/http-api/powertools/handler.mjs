// @ts-check
/**
 * Entry point of this Lambda function: a tiny JSON API behind an API Gateway HTTP API,
 * with Powertools for AWS Lambda (TypeScript).
 *
 * API Gateway (Lambda proxy integration, payload format 2.0) passes each HTTP request as
 * the event and turns the object returned here into the HTTP response. The API, its
 * routes and answers, is app.mjs: Powertools' Router reads the event and writes the
 * response; this handler adds the request's log record and correlation id.
 *
 * Lambda awaits the promise the handler returns; code at module level runs once per
 * execution environment (a "cold start"), so create clients there, as app.mjs does
 * Powertools' Logger, Metrics and Tracer.
 */

import { app, logger, metrics } from "./app.mjs";

/**
 * Answer one HTTP request, like events/http-api-get.json, in the response format of payload 2.0.
 *
 * @type {import("aws-lambda").APIGatewayProxyHandlerV2}
 */
export const handler = async (event, context) => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record, and
  // API Gateway's id of the request as correlation_id: its access logs have it too.
  logger.addContext(context);
  logger.setCorrelationId(event.requestContext.requestId);
  // Metrics: a ColdStart metric on the first invocation of an execution environment.
  metrics.captureColdStartMetric();
  try {
    // Payload 2.0 takes cookies apart from the headers: the Router puts the Set-Cookie
    // headers of a route's Response in the response's cookies.
    const response = await app.resolve(event, context);
    const method = event.requestContext.http.method;
    logger.info("request", { method, path: event.rawPath, status: response.statusCode });
    return response;
  } finally {
    logger.resetKeys(); // this request's correlation id stays with it
  }
};
