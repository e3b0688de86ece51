// @ts-check
/**
 * Entry point of this Lambda function: a tiny JSON API behind an Application Load Balancer,
 * with Powertools for AWS Lambda (TypeScript).
 *
 * The load balancer passes each HTTP request to the target group as the event and turns
 * the object returned here into the HTTP response. The API, its routes and answers, is
 * app.mjs: Powertools' Router reads the event and writes the response (with the
 * statusDescription the load balancer wants, "200 OK"); this handler adds the request's
 * log record and correlation id.
 *
 * Lambda awaits the promise the handler returns; code at module level runs once per
 * execution environment (a "cold start"), so create clients there, as app.mjs does
 * Powertools' Logger, Metrics and Tracer.
 */

import { app, logger, metrics } from "./app.mjs";

/**
 * Answer one HTTP request, like events/alb-get.json, in the response format of the load balancer.
 *
 * @type {import("aws-lambda").ALBHandler}
 */
export const handler = async (event, context) => {
  // The target group attribute lambda.multi_value_headers.enabled (off in template.yaml)
  // switches the event and the response to multi-value headers and query parameters.
  const multiValue = "multiValueHeaders" in event;
  // Logger: the context's fields (function_request_id, cold_start...) in each record, and
  // the request's X-Ray trace header, which the load balancer adds, as correlation_id.
  logger.addContext(context);
  const traceHeader = multiValue
    ? event.multiValueHeaders?.["x-amzn-trace-id"]?.[0]
    : event.headers?.["x-amzn-trace-id"];
  if (traceHeader) logger.setCorrelationId(traceHeader);
  // Metrics: a ColdStart metric on the first invocation of an execution environment.
  metrics.captureColdStartMetric();
  try {
    const response = await app.resolve(event, context);
    const { httpMethod: method, path } = event;
    logger.info("request", { method, path, status: response.statusCode });
    return withHeadersAsRead(response, multiValue);
  } finally {
    logger.resetKeys(); // this request's correlation id stays with it
  }
};

/**
 * The response with its headers where the load balancer reads them. The Router writes
 * each header in `headers`, but one of several values (Allow: GET, POST) in
 * `multiValueHeaders`; the load balancer reads only `headers`, or with multi-value
 * headers on only `multiValueHeaders`. (Several Set-Cookie headers need multi-value on.)
 *
 * @param {import("aws-lambda").ALBResult} response
 * @param {boolean} multiValue whether the target group has multi-value headers on
 * @returns {import("aws-lambda").ALBResult}
 */
function withHeadersAsRead(response, multiValue) {
  const { headers = {}, multiValueHeaders = {}, ...rest } = response;
  if (multiValue) {
    const single = Object.entries(headers).map(([name, value]) => [name, [value]]);
    return { ...rest, multiValueHeaders: { ...Object.fromEntries(single), ...multiValueHeaders } };
  }
  const joined = Object.entries(multiValueHeaders).map(([name, values]) => [name, values.join(", ")]);
  return { ...rest, headers: { ...headers, ...Object.fromEntries(joined) } };
}
