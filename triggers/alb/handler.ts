/**
 * Entry point of this Lambda function: a tiny JSON API behind an Application Load Balancer.
 *
 * The load balancer passes each HTTP request to the target group as the event and turns
 * the object returned here into the HTTP response:
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
import type { ALBEvent, ALBHandler, ALBResult } from "aws-lambda";
import { STATUS_CODES } from "node:http";

import { ALLOWED_METHODS, answer } from "./app.ts";

/**
 * Answer one HTTP request, in the response format of the load balancer.
 *
 * Lambda also passes the context (request id, remaining time); this handler needs only the event.
 */
export const handler = (async (event: ALBEvent): Promise<ALBResult> => {
  const method = event.httpMethod;
  const path = event.path;
  // The target group attribute lambda.multi_value_headers.enabled (off in template.yaml)
  // switches the event and the response to multi-value headers and query parameters.
  const multiValue = "multiValueHeaders" in event;
  const pairs = multiValue
    ? Object.entries(event.multiValueQueryStringParameters ?? {}).flatMap(([key, values = []]) =>
        values.map((value) => `${key}=${value}`),
      )
    : Object.entries(event.queryStringParameters ?? {}).map(
        ([key, value = ""]) => `${key}=${value}`,
      );
  // The load balancer passes the query string on as the client sent it, URL-encoded
  // ("Ada%20Lovelace"): put it back together and parse it like any query string
  // (a repeated key: the last value).
  const query = Object.fromEntries(new URLSearchParams(pairs.join("&")));
  const [status, payload] = answer(method, path, query, event.body, event.isBase64Encoded);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (status === 405) {
    headers.Allow = ALLOWED_METHODS.join(", ");
  }
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({ message: "request", method, path, status });
  return {
    statusCode: status,
    statusDescription: `${String(status)} ${STATUS_CODES[status] ?? ""}`, // "200 OK"
    // with multi-value headers on, the load balancer reads multiValueHeaders, not headers
    ...(multiValue ? { multiValueHeaders: multiValued(headers) } : { headers }),
    body: JSON.stringify(payload),
    isBase64Encoded: false,
  };
}) satisfies ALBHandler;

/** Headers in the multi-value format: {"Content-Type": ["application/json"]}. */
function multiValued(headers: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
}
