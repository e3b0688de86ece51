// @ts-check
/**
 * The API itself, whatever invokes it: routes, validation and answers, on the HTTP
 * event handler of Powertools for AWS Lambda (TypeScript); and the Powertools utilities
 * this function shares with handler.mjs, created once per execution environment.
 *
 *     GET  /hello?name=Ada          200 {"message": "Hello, Ada!"}   (no name: "world")
 *     POST /hello {"name": "Ada"}   200 {"message": "Hello, Ada!"}
 *     POST /hello, any other body   400 {"message": "Body is not valid JSON"} (or why)
 *     PUT, DELETE, ... /hello       405 with an Allow header
 *     any other path                404 {"message": "Not found: /goodbye"}
 *
 * The Router reads the event of any HTTP integration (API Gateway REST API and HTTP API,
 * function URL, load balancer) into a web `Request`, base64-decoding the body, matches
 * its method and path (trailing slashes ignored: /hello/ is /hello) to a route, and turns
 * what the route returns into the response format of that integration: an object is
 * a 200 with a JSON body; a `Response` is sent as it is. handler.mjs adds what is
 * particular to its integration. Change the API here; the transport in handler.mjs.
 */
import { BadRequestError, HttpError, Router } from "@aws-lambda-powertools/event-handler/http";
import { metrics as metricsMiddleware } from "@aws-lambda-powertools/event-handler/http/middleware/metrics";
import { tracer as tracerMiddleware } from "@aws-lambda-powertools/event-handler/http/middleware/tracer";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

// Logger: one JSON object per record (service: POWERTOOLS_SERVICE_NAME, template.yaml).
export const logger = new Logger();
// Metrics: CloudWatch metrics printed in the embedded metric format, in the namespace
// POWERTOOLS_METRICS_NAMESPACE (template.yaml); it warns through the logger, as JSON.
export const metrics = new Metrics({ logger });
// Tracer: X-Ray subsegments (Tracing: Active in template.yaml); off outside Lambda.
export const tracer = new Tracer();

const ROUTE = "/hello";
export const ALLOWED_METHODS = ["GET", "POST"];

/** The API's routes; the Router logs its own warnings through the logger. */
export const app = new Router({ logger });
// Each request: an X-Ray subsegment "GET /hello" with the status, ColdStart and Service...
app.use(tracerMiddleware(tracer, { logger }));
// ...and the metrics latency, error (4xx) and fault (5xx), by route, printed at its end
// with those the route added.
app.use(metricsMiddleware(metrics));

/**
 * The JSON payload of every answer: {"message": "Hello, Ada!"} or why not.
 *
 * @typedef {object} Payload
 * @property {string} message
 */

app.get(ROUTE, (reqCtx) => greeting(queryParameter(reqCtx, "name")));

app.post(ROUTE, async (reqCtx) => greeting(nameFrom(await reqCtx.req.text())));

// A body this API cannot read (nameFrom throws BadRequestError): 400 and the reason.
app.errorHandler(BadRequestError, async (error) =>
  Response.json({ message: error.message }, { status: 400 }),
);

// No route for the method and path. The Router answers 404 for both; this API tells a
// method it does not take (405, with the methods it does) from a path it does not have.
app.notFound(async (_error, reqCtx) => {
  const { method, url } = reqCtx.req;
  const path = new URL(url).pathname;
  if (path === ROUTE) {
    const message = `Method ${method} is not allowed; use GET or POST`;
    return Response.json(
      { message },
      { status: 405, headers: { Allow: ALLOWED_METHODS.join(", ") } },
    );
  }
  return Response.json({ message: `Not found: ${path}` }, { status: 404 });
});

// Any other error (a bug, a service down): the Router would answer 500 without logging
// it. Log it, with its stack, then answer 500. An HttpError a route throws
// (UnauthorizedError...) is answered as Powertools answers it.
app.errorHandler(Error, async (error) => {
  if (error instanceof HttpError) {
    return error.toWebResponse();
  }
  logger.error("request failed", { error });
  return Response.json({ message: "Internal server error" }, { status: 500 });
});

/**
 * The greeting for a name; no name, or an empty one, greets the world.
 *
 * @param {string | undefined} name
 * @returns {Payload}
 */
function greeting(name) {
  // A business metric: CloudWatch sums it per minute (and per service and route).
  metrics.addMetric("Greetings", MetricUnit.Count, 1);
  return { message: `Hello, ${name || "world"}!` };
}

/**
 * A query string parameter, decoded; a repeated one: its last value.
 *
 * @param {import("@aws-lambda-powertools/event-handler/types").RequestContext} reqCtx
 * @param {string} name
 * @returns {string | undefined}
 */
function queryParameter(reqCtx, name) {
  const value = new URL(reqCtx.req.url).searchParams.getAll(name).at(-1);
  if (value === undefined || reqCtx.responseType !== "ALB") {
    return value;
  }
  // The load balancer passes the query string on as the client sent it, URL-encoded
  // ("Ada%20Lovelace"), and the Router takes it as it comes: decode it.
  return new URLSearchParams(`${name}=${value}`).get(name) ?? value;
}

/**
 * The "name" of a JSON object body, {"name": "Ada"}; undefined when it has none.
 *
 * @param {string} body the request body, decoded (the Router decodes a base64 body)
 * @returns {string | undefined}
 */
function nameFrom(body) {
  let data;
  try {
    data = JSON.parse(body);
  } catch {
    throw new BadRequestError("Body is not valid JSON");
  }
  if (jsonType(data) !== "an object") {
    throw new BadRequestError(`Body must be a JSON object, not ${jsonType(data)}`);
  }
  if (!Object.hasOwn(data, "name")) {
    return undefined;
  }
  if (typeof data.name !== "string") {
    throw new BadRequestError(`'name' must be a string, not ${jsonType(data.name)}`);
  }
  return data.name;
}

/**
 * The JSON name of a parsed value's type, for error messages.
 *
 * @param {unknown} value
 * @returns {string}
 */
function jsonType(value) {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
