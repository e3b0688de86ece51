/**
 * Entry point of this Lambda function, with Powertools for AWS Lambda (TypeScript).
 *
 * Lambda calls `handler(event, context)` once per invocation and awaits the
 * promise it returns; code at module level runs once per execution environment
 * (a "cold start"), so create clients there: Powertools' utilities too.
 *
 * - Logger writes one JSON object per record, with the invocation's context (function
 *   name, request id, cold start) in each. Lambda's JSON log format passes these lines
 *   through unchanged, and filters them by their level (LoggingConfig in template.yaml
 *   sets AWS_LAMBDA_LOG_LEVEL, which Logger follows).
 * - Metrics writes CloudWatch metrics as log lines in the Embedded Metric Format (EMF):
 *   namespace POWERTOOLS_METRICS_NAMESPACE and dimension service POWERTOOLS_SERVICE_NAME,
 *   both set in template.yaml.
 * - Tracer adds this handler's own subsegment to the invocation's X-Ray trace (Tracing:
 *   Active in template.yaml). Outside Lambda it does nothing.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { Context, Handler } from "aws-lambda";

const logger = new Logger();
const tracer = new Tracer();
// Metrics warns through the logger, as JSON, when an invocation records no metric.
const metrics = new Metrics({ logger });

/** What a caller sends: {"name": "..."}. A direct invoke can send any JSON, so it is checked. */
export interface GreetingEvent {
  /** who to greet */
  name?: unknown;
}

export interface Greeting {
  message: string;
  requestId: string;
}

/** Greet the caller named in the event: {"name": "..."}. */
export async function greet(event: GreetingEvent | null, context: Context): Promise<Greeting> {
  const name = event?.name ? event.name : "world"; // no name, or an empty one
  if (typeof name !== "string") {
    throw new TypeError(`'name' must be a string, not ${typeof name}`);
  }
  logger.info("greeting", { caller: name });
  // A business metric: CloudWatch sums it per minute (and per service).
  metrics.addMetric("Greetings", MetricUnit.Count, 1);
  return { message: `Hello, ${name}!`, requestId: context.awsRequestId };
}

/**
 * Greet the caller, with Powertools around: what its class decorators (or middy
 * middlewares) do for a handler, written out for a plain function.
 */
export const handler = (async (
  event: GreetingEvent | null,
  context: Context,
): Promise<Greeting> => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record.
  logger.addContext(context);
  // Metrics: a ColdStart metric, by function name, on the first invocation of an
  // execution environment.
  metrics.captureColdStartMetric(context.functionName);
  // Tracer: a subsegment for this invocation, annotated with ColdStart and Service; it
  // holds the result, or the error, as metadata. Lambda's own segment takes no annotations.
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER ?? "handler"}`);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    const result = await greet(event, context);
    tracer.addResponseAsMetadata(result, "handler");
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error; // Lambda logs it and reports the invocation as failed
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // Metrics buffers what addMetric records; this prints it (one EMF line).
    metrics.publishStoredMetrics();
  }
}) satisfies Handler<GreetingEvent | null, Greeting>;
