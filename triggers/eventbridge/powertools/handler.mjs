// @ts-check
/**
 * Entry point of this Lambda function: custom events routed by an EventBridge rule, with
 * Powertools for AWS Lambda (TypeScript).
 *
 * EventBridge invokes the function asynchronously with one event per invocation, when
 * the event matches the rule's pattern in template.yaml. If the handler throws, the
 * invocation fails: Lambda retries it (twice by default), then drops it or sends it to
 * the function's on-failure destination. Make processing idempotent (key it on the
 * event id).
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there: Powertools' utilities too.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

// Logger: one JSON object per record (service: POWERTOOLS_SERVICE_NAME, template.yaml).
const logger = new Logger();
// Metrics: CloudWatch metrics printed in the embedded metric format, in the namespace
// POWERTOOLS_METRICS_NAMESPACE (template.yaml); it warns through the logger, as JSON.
const metrics = new Metrics({ logger });
// Tracer: X-Ray subsegments (Tracing: Active in template.yaml); off outside Lambda.
const tracer = new Tracer();

/**
 * @typedef {object} OrderPlaced the detail of an "Order Placed" event, as its publisher put it
 * @property {string} orderId
 */

/**
 * @typedef {object} Processed what the handler returns: which event it processed
 * @property {string} processed the event's id
 * @property {string} source
 * @property {string} detailType
 */

// What this function needs in an event's detail; an event without them is an error.
export const REQUIRED_DETAIL_FIELDS = ["orderId"];

/**
 * Your logic for one event goes here.
 *
 * @param {string} source
 * @param {string} detailType
 * @param {OrderPlaced} detail
 */
export async function processEvent(source, detailType, detail) {
  logger.info("event received", { source, detailType, orderId: detail.orderId });
  // A business metric: CloudWatch sums it per minute (and per service).
  metrics.addMetric("OrdersPlaced", MetricUnit.Count, 1);
}

/**
 * Check and process one EventBridge event; return what was processed.
 *
 * EventBridge ignores the result (the invocation is asynchronous); `lambda-new invoke`
 * and the console's Test show it.
 *
 * @param {import("aws-lambda").EventBridgeEvent<"Order Placed", OrderPlaced>} event
 * @returns {Promise<Processed>}
 */
export async function receive(event) {
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
 * Receive the event, with Powertools around: what its decorators and middy middlewares
 * do for a class method or a middy handler, written out for a plain function.
 *
 * @type {import("aws-lambda").EventBridgeHandler<"Order Placed", OrderPlaced, Processed>}
 */
export const handler = async (event, context) => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record,
  // and the event's id, which EventBridge gave it when it was put, as correlation_id.
  logger.addContext(context);
  logger.setCorrelationId(event.id);
  // Metrics: a ColdStart metric on the first invocation of an execution environment.
  metrics.captureColdStartMetric();
  // Tracer: a subsegment for this invocation, annotated with ColdStart and Service; it
  // holds the result, or the error, as metadata. Lambda's own segment takes no annotations.
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER ?? "handler"}`);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    const result = await receive(event);
    tracer.addResponseAsMetadata(result, "handler");
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(/** @type {Error} */ (error));
    throw error; // Lambda logs it, and retries the invocation
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // Metrics buffers what addMetric records; this prints it (one EMF line).
    metrics.publishStoredMetrics();
    logger.resetKeys(); // this event's correlation id stays with it
  }
};
