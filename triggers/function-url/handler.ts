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
import type {
  APIGatewayEventRequestContextIAMAuthorizer,
  APIGatewayProxyStructuredResultV2,
  LambdaFunctionURLEvent,
  LambdaFunctionURLHandler,
} from "aws-lambda";

import { ALLOWED_METHODS, answer } from "./app.ts";

/**
 * A request to the function URL. With AuthType AWS_IAM (template.yaml) Lambda adds who
 * signed it, requestContext.authorizer.iam; with AuthType NONE there is no authorizer.
 */
export type FunctionURLRequest = LambdaFunctionURLEvent & {
  requestContext: { authorizer?: APIGatewayEventRequestContextIAMAuthorizer };
};

/**
 * Answer one HTTP request, in the response format of function URLs (payload 2.0's).
 *
 * Lambda also passes the context (request id, remaining time); this handler needs only the
 * event. It always returns the structured response: LambdaFunctionURLResult also allows a
 * bare string, which Lambda sends as the body of a 200 response.
 */
export const handler = (async (
  event: FunctionURLRequest,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  const query = event.queryStringParameters ?? {}; // absent when the URL has no query string
  const [status, payload] = answer(method, path, query, event.body, event.isBase64Encoded);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (status === 405) {
    headers.Allow = ALLOWED_METHODS.join(", ");
  }
  // AuthType AWS_IAM (template.yaml): who signed the request, an IAM user or role ARN.
  const caller = event.requestContext.authorizer?.iam.userArn;
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({ message: "request", method, path, status, caller });
  // Function URLs take cookies apart from the headers: cookies: ["id=42; Secure; HttpOnly"].
  return {
    statusCode: status,
    headers,
    body: JSON.stringify(payload),
    isBase64Encoded: false,
  };
}) satisfies LambdaFunctionURLHandler;
