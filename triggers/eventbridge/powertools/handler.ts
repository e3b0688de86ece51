/**
 * Entry point of this Lambda function: custom events routed by an EventBridge rule, with
 * Powertools for AWS Lambda (TypeScript).
 *
 * EventBridge invokes the function asynchronously with one event per invocation, when
 * the event matches the rule's pattern in template.yaml. If the handler throws, the
 * invocation fails: Lambda retries it (twice by default), then drops it or sends it to
 * the function's on-failure destination. Make processing idempotent (key it on the
 * event id).
 *
 * - Logger writes one JSON object per record, with the invocation's context (function
 *   name, request id, cold start) and the event's id as correlation_id in each;
 *   LoggingConfig in template.yaml sets its level.
 * - Metrics writes CloudWatch metrics as log lines (EMF), in the namespace and with the
 *   service template.yaml sets (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME).
 * - Tracer adds this handler's own subsegment to the invocation's X-Ray trace (Tracing:
 *   Active in template.yaml). Outside Lambda it does nothing.
 *
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there, as here Powertools' utilities.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { Context, EventBridgeEvent, EventBridgeHandler } from "aws-lambda";

const logger = new Logger();
const tracer = new Tracer();
// Metrics warns through the logger, as JSON, when an invocation records no metric.
const metrics = new Metrics({ logger });

/** The detail of an "Order Placed" event, as its publisher put it (PutEvents). */
export interface OrderPlaced {
  orderId: string;
}

/** The events the rule in template.yaml matches. */
export type OrderPlacedEvent = EventBridgeEvent<"Order Placed", OrderPlaced>;

/** What the handler returns: which event it processed. */
export interface Processed {
  processed: string;
  source: string;
  detailType: string;
}

/** What this function needs in an event's detail; an event without them is an error. */
export const REQUIRED_DETAIL_FIELDS: readonly (keyof OrderPlaced)[] = ["orderId"];

/** Your logic for one event goes here. */
export async function processEvent(
  source: string,
  detailType: string,
  detail: OrderPlaced,
): Promise<void> {
  logger.info("event received", { source, detailType, orderId: detail.orderId });
  // A business metric: CloudWatch sums it per minute (and per service).
  metrics.addMetric("OrdersPlaced", MetricUnit.Count, 1);
}

/** Check and process one EventBridge event; return what was processed. */
export async function processOrderPlaced(event: OrderPlacedEvent): Promise<Processed> {
  const { id, source, "detail-type": detailType } = event;
  const detail = event.detail; // already a JSON object: EventBridge parsed it, but checks no schema
  const missing = REQUIRED_DETAIL_FIELDS.filter((name) => !(name in detail));
  if (missing.length > 0) {
    // Fail loudly: the error shows in the function's Errors metric and logs.
    throw new Error(`"${detailType}" event ${id} from ${source} has no ${missing.join(", ")}`);
  }
  await processEvent(source, detailType, detail);
  return { processed: id, source, detailType };
}

/**
 * Check and process one EventBridge event, with Powertools around: what its class
 * decorators (or middy middlewares) do for a handler, written out for a plain function.
 *
 * EventBridge ignores the result (the invocation is asynchronous); `lambda-new invoke`
 * and the console's Test show it.
 */
export const handler = (async (event: OrderPlacedEvent, context: Context): Promise<Processed> => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record, and
  // the event's id as correlation_id: EventBridge's archive and replay know it by that id.
  logger.addContext(context);
  logger.setCorrelationId(event.id);
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
    const result = await processOrderPlaced(event);
    tracer.addResponseAsMetadata(result, "handler");
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error; // Lambda logs it, and retries the invocation
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // Metrics buffers what addMetric records; this prints it (one EMF line).
    metrics.publishStoredMetrics();
    logger.resetKeys(); // the correlation id is this event's only
  }
}) satisfies EventBridgeHandler<"Order Placed", OrderPlaced, Processed>;
