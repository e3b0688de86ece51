// @ts-check
/**
 * Entry point of this Lambda function: a tiny JSON API called through its function URL,
 * with Powertools for AWS Lambda (TypeScript).
 *
 * Lambda passes each HTTP request to the URL as the event (the format of API Gateway's
 * payload 2.0) and turns the object returned here into the HTTP response. The API, its
 * routes and answers, is app.mjs: Powertools' Router reads the event and writes the
 * response; this handler adds the request's log record and correlation id.
 *
 * Lambda awaits the promise the handler returns; code at module level runs once per
 * execution environment (a "cold start"), so create clients there, as app.mjs does
 * Powertools' Logger, Metrics and Tracer.
 */

import { app, logger, metrics } from "./app.mjs";

/**
 * A request to the function URL. With AuthType AWS_IAM (template.yaml) Lambda adds who
 * signed it, requestContext.authorizer.iam; with AuthType NONE there is no authorizer.
 *
 * @typedef {import("aws-lambda").LambdaFunctionURLEvent & {
 *   requestContext: {authorizer?: import("aws-lambda").APIGatewayEventRequestContextIAMAuthorizer}
 * }} FunctionURLRequest
 */

/**
 * Answer one HTTP request, like events/function-url-get.json, in the response format of
 * function URLs (payload 2.0's).
 *
 * @type {import("aws-lambda").Handler<
 *   FunctionURLRequest, import("aws-lambda").LambdaFunctionURLResult>}
 */
export const handler = async (event, context) => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record, and
  // Lambda's id of the HTTP request as correlation_id.
  logger.addContext(context);
  logger.setCorrelationId(event.requestContext.requestId);
  // Metrics: a ColdStart metric on the first invocation of an execution environment.
  metrics.captureColdStartMetric();
  try {
    // Function URLs take cookies apart from the headers: the Router puts the Set-Cookie
    // headers of a route's Response in the response's cookies.
    const response = await app.resolve(event, context);
    const method = event.requestContext.http.method;
    // AuthType AWS_IAM (template.yaml): who signed the request, an IAM user or role ARN.
    const caller = event.requestContext.authorizer?.iam?.userArn;
    logger.info("request", { method, path: event.rawPath, status: response.statusCode, caller });
    return response;
  } finally {
    logger.resetKeys(); // this request's correlation id stays with it
  }
};
