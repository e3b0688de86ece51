/**
 * The API itself, whatever invokes it: routes, validation and answers, on the Router of
 * Powertools for AWS Lambda (@aws-lambda-powertools/event-handler/http); and the
 * Powertools utilities the function shares with handler.ts.
 *
 *     GET  /hello?name=Ada          200 {"message": "Hello, Ada!"}   (no name: "world")
 *     POST /hello {"name": "Ada"}   200 {"message": "Hello, Ada!"}
 *     POST /hello, any other body   400 {"message": "Body is not valid JSON"} (or why)
 *     PUT, DELETE, ... /hello       405 with an Allow header
 *     any other path                404 {"message": "Not found: /goodbye"}
 *
 * The Router takes the event of any HTTP integration (API Gateway REST API and HTTP API,
 * function URL, load balancer: it tells them apart by their shape) as a web standard
 * Request, base64-decoding the body; runs the route that matches its method and path
 * (trailing slashes ignored: /hello/ is /hello); and writes what the route returns in that
 * integration's response format: a plain object is a 200 with its JSON, a Response is
 * sent as it is. Header names come out in lower case ("content-type"), as web standard
 * Headers keep them. handler.ts adds what is particular to its integration (the
 * correlation id, the request's log record). Change the API here.
 *
 * Logger, Metrics and Tracer are created here once per execution environment (a "cold
 * start"), like any client. Their settings come from the function's environment in
 * template.yaml: POWERTOOLS_SERVICE_NAME (the "service" of every log record and metric),
 * POWERTOOLS_METRICS_NAMESPACE, and AWS_LAMBDA_LOG_LEVEL (LoggingConfig), which Logger
 * follows. Tracer turns itself off outside Lambda, so the tests send no traces.
 */
import { BadRequestError, HttpError, Router } from "@aws-lambda-powertools/event-handler/http";
import {
  metrics as metricsMiddleware,
} from "@aws-lambda-powertools/event-handler/http/middleware/metrics";
import {
  tracer as tracerMiddleware,
} from "@aws-lambda-powertools/event-handler/http/middleware/tracer";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

/** Logger: one JSON object per log record, with the service and the request's ids. */
export const logger = new Logger();
/** Metrics: CloudWatch metrics, printed in the Embedded Metric Format; warns through logger. */
export const metrics = new Metrics({ logger });
/** Tracer: X-Ray subsegments of your own (template.yaml: `Tracing: Active`). */
export const tracer = new Tracer();

const ROUTE = "/hello";
export const ALLOWED_METHODS = ["GET", "POST"];

/** The JSON payload of every answer: {"message": "Hello, Ada!"} or why not. */
export interface Payload {
  message: string;
}

/** The API's routes; the Router logs its own warnings and errors through logger. */
export const app = new Router({ logger });
// Each request: an X-Ray subsegment "GET /hello", annotated ColdStart and Service, with the
// method, URL and status, and the answer as metadata...
app.use(tracerMiddleware(tracer, { logger }));
// ...and the metrics latency, error (4xx) and fault (5xx), by route, printed at the end of the
// request with those the route added.
app.use(metricsMiddleware(metrics));

app.get(ROUTE, ({ req }) => {
  // A repeated parameter: its last value, as API Gateway and the load balancer pass it.
  const name = new URL(req.url).searchParams.getAll("name").at(-1);
  return greeting(name);
});

app.post(ROUTE, async ({ req }) => greeting(nameFrom(await req.text())));

// A body this API cannot read (nameFrom throws BadRequestError): 400 and the reason.
app.errorHandler(BadRequestError, async (error) =>
  Response.json({ message: error.message } satisfies Payload, { status: 400 }),
);

// No route for the method and path. The Router answers 404 for both; this API tells a method
// it does not take (405, with the methods it does) from a path it does not have.
app.notFound(async (_error, { req }) => {
  const path = new URL(req.url).pathname;
  if (path === ROUTE) {
    const message = `Method ${req.method} is not allowed; use GET or POST`;
    const headers = { Allow: ALLOWED_METHODS.join(", ") };
    return Response.json({ message } satisfies Payload, { status: 405, headers });
  }
  return Response.json({ message: `Not found: ${path}` } satisfies Payload, { status: 404 });
});

// Any other error (a bug, a service down): the Router would answer 500 without logging it.
// Log it, with its stack, then answer 500. An HttpError a route throws (UnauthorizedError...)
// is answered as Powertools answers it.
app.errorHandler(Error, async (error) => {
  if (error instanceof HttpError) {
    return error.toWebResponse();
  }
  logger.error("request failed", { error });
  return Response.json({ message: "Internal server error" } satisfies Payload, { status: 500 });
});

/** The greeting for a name (a route's answer: 200); no name, or an empty one, greets the world. */
function greeting(name: string | undefined) {
  // A business metric: CloudWatch sums it per minute (and per service and route).
  metrics.addMetric("Greetings", MetricUnit.Count, 1);
  return { message: `Hello, ${name ? name : "world"}!` } satisfies Payload;
}

/**
 * The "name" of a JSON object body, {"name": "Ada"}; undefined when it has none.
 *
 * @throws {BadRequestError} when the body is not such an object
 */
function nameFrom(body: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new BadRequestError("Body is not valid JSON");
  }
  if (!isJsonObject(data)) {
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

/** Whether a parsed value is a JSON object, {...}: not an array, not null. */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return jsonType(value) === "an object";
}

/** The JSON name of a parsed value's type, for error messages. */
function jsonType(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
