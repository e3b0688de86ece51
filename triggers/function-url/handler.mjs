// @ts-check
/**
 * Entry point of this Lambda function: a tiny JSON API called through its function URL.
 *
 * Lambda passes each HTTP request to the URL as the event (the format of API Gateway's
 * payload 2.0) and turns the object returned here into the HTTP response:
 *
 *     GET  /hello?name=Ada          200 {"message": "Hello, Ada!"}   (no name: "world")
 *     POST /hello {"name": "Ada"}   200 {"message": "Hello, Ada!"}
 *     POST /hello, any other body   400 {"message": "Body is not valid JSON"} (or why)
 *     PUT, DELETE, ... /hello       405 with an Allow header
 *     any other path                404
 *
 * Lambda awaits the promise the handler returns; code at module level runs once per
 * execution environment (a "cold start"), so create clients there.
 */

import { ALLOWED_METHODS, answer } from "./app.mjs";

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
export const handler = async (event) => {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  const query = event.queryStringParameters ?? {}; // absent when the URL has no query string
  const [status, payload] = answer(method, path, query, event.body, event.isBase64Encoded);
  /** @type {Record<string, string>} */
  const headers = { "Content-Type": "application/json" };
  if (status === 405) {
    headers.Allow = ALLOWED_METHODS.join(", ");
  }
  // AuthType AWS_IAM (template.yaml): who signed the request, an IAM user or role ARN.
  const caller = event.requestContext.authorizer?.iam?.userArn;
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({ message: "request", method, path, status, caller });
  // Function URLs take cookies apart from the headers: cookies: ["id=42; Secure; HttpOnly"].
  return {
    statusCode: status,
    headers,
    body: JSON.stringify(payload),
    isBase64Encoded: false,
  };
};
