/**
 * Entry point of this Lambda function: a tiny JSON API behind an API Gateway REST API.
 *
 * API Gateway (Lambda proxy integration, payload format 1.0) passes each HTTP request as
 * the event and turns the object returned here into the HTTP response:
 *
 *     GET  /hello?name=Ada          200 {"message": "Hello, Ada!"}   (no name: "world")
 *     POST /hello {"name": "Ada"}   200 {"message": "Hello, Ada!"}
 *     POST /hello, any other body   400 {"message": "Body is not valid JSON"} (or why)
 *     PUT, DELETE, ... /hello       405 with an Allow header
 *     any other resource            404
 *
 * Routing uses the API resource that matched (event.resource, "/hello"), not the
 * request path (event.path): behind a custom domain name with a base path mapping, the
 * path has the base path too ("/v1/hello"), while the resource stays "/hello". Neither has
 * the stage ("/prod"). The log record of each request has both.
 *
 * Lambda awaits the promise the handler returns; code at module level runs once per
 * execution environment (a "cold start"), so create clients there.
 */
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyHandler,
  APIGatewayProxyResult,
} from "aws-lambda";

import { ALLOWED_METHODS, answer } from "./app.ts";

/**
 * Answer one HTTP request, in the response format of payload 1.0.
 *
 * Lambda also passes the context (request id, remaining time); this handler needs only the event.
 */
export const handler = (async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const method = event.httpMethod;
  const resource = event.resource; // the route: /hello, whatever domain and base path
  const path = event.path; // as the client asked: /v1/hello behind a base path mapping
  const query = event.queryStringParameters ?? {}; // null when the URL has no query string
  const [status, payload] = answer(method, resource, query, event.body, event.isBase64Encoded);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (status === 405) {
    headers.Allow = ALLOWED_METHODS.join(", ");
  }
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({ message: "request", method, resource, path, status });
  return {
    statusCode: status,
    headers,
    body: JSON.stringify(payload),
    isBase64Encoded: false,
  };
}) satisfies APIGatewayProxyHandler;
