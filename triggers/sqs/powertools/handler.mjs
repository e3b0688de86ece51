// @ts-check
/**
 * Entry point of this Lambda function: messages from an SQS queue, in batches, with
 * Powertools for AWS Lambda (TypeScript).
 *
 * The event source mapping polls the queue and invokes the function with up to
 * BatchSize messages (template.yaml). Powertools' BatchProcessor calls `recordHandler`
 * for each message, concurrently (each starts in the batch's order; processInParallel
 * is on by default), and returns the ids of the messages whose handler threw in
 * `batchItemFailures` (the mapping has ReportBatchItemFailures on): SQS deletes the
 * others, and delivers each failed one again once its visibility timeout ends, until
 * it has been received maxReceiveCount times; then the queue's redrive policy moves it
 * to the dead-letter queue. When every message of the batch fails, BatchProcessor
 * throws FullBatchFailureError instead: the invocation fails and SQS delivers the
 * whole batch again.
 * SQS delivers a message at least once, so make processing idempotent (keyed on the
 * message id, or on a field of the body).
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there: Powertools' utilities too.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

// Logger: one JSON object per record (service: POWERTOOLS_SERVICE_NAME, template.yaml).
// Exported for the tests, which make it fail.
export const logger = new Logger();
// Metrics: CloudWatch metrics printed in the embedded metric format, in the namespace
// POWERTOOLS_METRICS_NAMESPACE (template.yaml); it warns through the logger, as JSON.
const metrics = new Metrics({ logger });
// Tracer: X-Ray subsegments (Tracing: Active in template.yaml); off outside Lambda.
const tracer = new Tracer();
const processor = new BatchProcessor(EventType.SQS);

/** What this function needs in a message's body; a message without them fails. */
export const REQUIRED_FIELDS = ["orderId"];

/**
 * Whether parsed JSON is an object: not an array, a string, a number, a boolean or null.
 *
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isJsonObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The body of one message: a JSON object with REQUIRED_FIELDS, or an error.
 *
 * @param {import("aws-lambda").SQSRecord} record an element of event.Records
 * @returns {Record<string, unknown>}
 */
export function readPayload(record) {
  /** @type {unknown} */
  const payload = JSON.parse(record.body); // throws a SyntaxError when not JSON
  if (!isJsonObject(payload)) {
    throw new TypeError("body is JSON, but not an object");
  }
  const missing = REQUIRED_FIELDS.filter((name) => !(name in payload));
  if (missing.length > 0) {
    throw new TypeError(`body has no ${missing.join(", ")}`);
  }
  return payload;
}

/**
 * Your logic for one message goes here; throw to report the message as failed.
 *
 * @param {Record<string, unknown>} payload
 */
export async function processMessage(payload) {
  logger.info("order received", { orderId: payload.orderId });
  // A business metric: CloudWatch sums it per minute (and per service).
  metrics.addMetric("OrdersReceived", MetricUnit.Count, 1);
}

/**
 * Process one message of the batch. A message that fails is logged with its error;
 * BatchProcessor catches what this throws and reports the message as failed.
 *
 * @param {import("aws-lambda").SQSRecord} record
 */
async function recordHandler(record) {
  try {
    await processMessage(readPayload(record));
  } catch (error) {
    // Logger writes an Error as its name, message, stack and where it was thrown.
    logger.error("message failed", { messageId: record.messageId, error });
    throw error;
  }
}

/**
 * Process each message of the batch; return the ids of those that failed.
 *
 * What Powertools' decorators and middy middlewares do for a class method or a middy
 * handler, written out for a plain function.
 *
 * @type {import("aws-lambda").SQSHandler}
 */
export const handler = async (event, context) => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record.
  // SQS messages have no correlation id of their own: each failure names its messageId.
  logger.addContext(context);
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
    const result = await processPartialResponse(event, recordHandler, processor, { context });
    tracer.addResponseAsMetadata(result, "handler");
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(/** @type {Error} */ (error));
    throw error; // FullBatchFailureError: Lambda logs it, and SQS delivers the batch again
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // Metrics buffers what addMetric records; this prints it (one EMF line).
    metrics.publishStoredMetrics();
  }
};
