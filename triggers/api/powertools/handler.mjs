// @ts-check
/**
 * Entry point of this Lambda function: a tiny JSON API behind an API Gateway REST API,
 * with Powertools for AWS Lambda (TypeScript).
 *
 * API Gateway (Lambda proxy integration, payload format 1.0) passes each HTTP request as
 * the event and turns the object returned here into the HTTP response. The API, its
 * routes and answers, is app.mjs: Powertools' Router reads the event and writes the
 * response; this handler adds the request's log record and correlation id.
 *
 * The Router matches the request path (event.path), not the API resource that matched
 * (event.resource): behind a custom domain name with a base path mapping, the path has
 * the base path too ("/v1/hello") and is not found. Map the API at the domain's root, or
 * give the Router the base path: new Router({ prefix: "/v1" }) in app.mjs.
 *
 * Lambda awaits the promise the handler returns; code at module level runs once per
 * execution environment (a "cold start"), so create clients there, as app.mjs does
 * Powertools' Logger, Metrics and Tracer.
 */

import { app, logger, metrics } from "./app.mjs";

/**
 * Answer one HTTP request, like events/api-get.json, in the response format of payload 1.0.
 *
 * @type {import("aws-lambda").APIGatewayProxyHandler}
 */
export const handler = async (event, context) => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record, and
  // API Gateway's id of the request as correlation_id: its access logs have it too.
  logger.addContext(context);
  logger.setCorrelationId(event.requestContext.requestId);
  // Metrics: a ColdStart metric on the first invocation of an execution environment.
  metrics.captureColdStartMetric();
  try {
    const response = await app.resolve(event, context);
    const { httpMethod: method, resource, path } = event;
    logger.info("request", { method, resource, path, status: response.statusCode });
    return response;
  } finally {
    logger.resetKeys(); // this request's correlation id stays with it
  }
};
