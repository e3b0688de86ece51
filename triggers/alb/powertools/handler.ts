/**
 * Entry point of this Lambda function: a tiny JSON API behind an Application Load Balancer,
 * with Powertools for AWS Lambda (TypeScript).
 *
 * The load balancer passes each HTTP request to the target group as the event and turns
 * the object returned here into the HTTP response. The API, its routes and answers, is
 * app.ts: Powertools' Router reads the event and writes the response in the load
 * balancer's format (with the statusDescription it wants, "200 OK"); this handler decodes
 * the query string for it, puts the response's headers where the load balancer reads
 * them, and adds the request's log record and correlation id.
 *
 * What Powertools adds: each log record is one JSON object with the service, the
 * invocation's ids and cold_start, and the request's X-Amzn-Trace-Id header (which the
 * load balancer adds, and logs) as correlation_id; a ColdStart metric on the first
 * invocation of an execution environment; and, in app.ts, an X-Ray subsegment and the
 * metrics latency, error and fault for each request.
 *
 * Lambda awaits the promise the handler returns; code at module level runs once per
 * execution environment (a "cold start"), so create clients there, as app.ts does
 * Powertools' Logger, Metrics and Tracer.
 */
import type { ALBEvent, ALBHandler, ALBResult, Context } from "aws-lambda";

import { app, logger, metrics } from "./app.ts";

/** Answer one HTTP request, like events/alb-get.json, in the load balancer's response format. */
export const handler = (async (event: ALBEvent, context: Context): Promise<ALBResult> => {
  // The target group attribute lambda.multi_value_headers.enabled (off in template.yaml)
  // switches the event and the response to multi-value headers and query parameters.
  const multiValue = "multiValueHeaders" in event;
  logger.addContext(context); // function_request_id, cold_start... in each record
  const traceHeader = multiValue
    ? event.multiValueHeaders?.["x-amzn-trace-id"]?.[0]
    : event.headers?.["x-amzn-trace-id"];
  if (traceHeader) {
    logger.setCorrelationId(traceHeader);
  }
  metrics.captureColdStartMetric(context.functionName); // printed at once, if this is one
  try {
    const result = await app.resolve(withDecodedQuery(event), context);
    const { httpMethod: method, path } = event;
    logger.info("request", { method, path, status: result.statusCode });
    return withHeadersAsRead(result, multiValue);
  } finally {
    logger.resetKeys(); // the correlation id is this request's only
  }
}) satisfies ALBHandler;

/**
 * The event with its query string parameters decoded.
 *
 * The load balancer passes the query string on as the client sent it, URL-encoded
 * ("Ada%20Lovelace"), and the Router takes the parameters as they come: decode them
 * first, as any query string ("+" is a space).
 */
function withDecodedQuery(event: ALBEvent): ALBEvent {
  const decoded = { ...event };
  if (event.queryStringParameters) {
    decoded.queryStringParameters = Object.fromEntries(
      Object.entries(event.queryStringParameters).map(([key, value = ""]) => [
        urlDecode(key),
        urlDecode(value),
      ]),
    );
  }
  if (event.multiValueQueryStringParameters) {
    decoded.multiValueQueryStringParameters = Object.fromEntries(
      Object.entries(event.multiValueQueryStringParameters).map(([key, values = []]) => [
        urlDecode(key),
        values.map(urlDecode),
      ]),
    );
  }
  return decoded;
}

/** One URL-encoded part of a query string, decoded; not valid URL-encoding: as sent. */
function urlDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text; // a stray "%", say
  }
}

/**
 * The response with its headers where the load balancer reads them. The Router writes each
 * header in `headers`, but one of several values (Allow: GET, POST) in `multiValueHeaders`;
 * the load balancer reads only `headers`, or with multi-value headers on only
 * `multiValueHeaders`. (Several Set-Cookie headers need multi-value headers on.)
 */
function withHeadersAsRead(result: ALBResult, multiValue: boolean): ALBResult {
  const { headers = {}, multiValueHeaders = {}, ...rest } = result;
  if (multiValue) {
    const all: NonNullable<ALBResult["multiValueHeaders"]> = { ...multiValueHeaders };
    for (const [name, value] of Object.entries(headers)) {
      all[name] = [value];
    }
    return { ...rest, multiValueHeaders: all };
  }
  const all: NonNullable<ALBResult["headers"]> = { ...headers };
  for (const [name, values] of Object.entries(multiValueHeaders)) {
    all[name] = values.join(", ");
  }
  return { ...rest, headers: all };
}
