/**
 * Entry point of this Lambda function: messages from an SQS queue, in batches, with
 * Powertools for AWS Lambda (TypeScript).
 *
 * The event source mapping polls the queue and invokes the function with up to
 * BatchSize messages (template.yaml). Powertools' BatchProcessor calls handleMessage for
 * each message, one by one, and returns the ids of those for which it threw in
 * `batchItemFailures` (the mapping has ReportBatchItemFailures on): SQS deletes the
 * others, and delivers each failed one again once its visibility timeout ends, until it
 * has been received maxReceiveCount times; then the queue's redrive policy moves it to
 * the dead-letter queue. When every message of the batch fails, BatchProcessor throws a
 * FullBatchFailureError instead: the invocation fails, and the whole batch comes back.
 * SQS delivers a message at least once, so make processing idempotent (keyed on the
 * message id, or on a field of the body).
 *
 * - Logger writes one JSON object per record, with the invocation's context (function
 *   name, request id, cold start) in each; LoggingConfig in template.yaml sets its level.
 * - Metrics writes CloudWatch metrics as log lines (EMF), in the namespace and with the
 *   service template.yaml sets (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME).
 * - Tracer adds this handler's own subsegment to the invocation's X-Ray trace (Tracing:
 *   Active in template.yaml). Outside Lambda it does nothing.
 *
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there, as here Powertools' utilities.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { Context, SQSBatchResponse, SQSEvent, SQSHandler, SQSRecord } from "aws-lambda";

export const logger = new Logger();
const tracer = new Tracer();
// Metrics warns through the logger, as JSON, when an invocation records no metric.
const metrics = new Metrics({ logger });
// Collects each batch's failures; its own warnings go through the logger too.
const processor = new BatchProcessor(EventType.SQS, { logger });

/** What this function needs in a message's body; a message without them fails. */
export const REQUIRED_FIELDS: readonly string[] = ["orderId"];

/** A message's body: a JSON object, its fields by name. */
export type Payload = Record<string, unknown>;

/** Whether parsed JSON is an object: not an array, a string, a number, a boolean or null. */
function isJsonObject(value: unknown): value is Payload {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The body of one message: a JSON object with REQUIRED_FIELDS, or an error.
 *
 * @throws {SyntaxError} when the body is not JSON
 * @throws {TypeError} when it is JSON but not such an object
 */
export function readPayload(record: SQSRecord): Payload {
  const payload: unknown = JSON.parse(record.body); // throws a SyntaxError when not JSON
  if (!isJsonObject(payload)) {
    throw new TypeError("body is JSON, but not an object");
  }
  const missing = REQUIRED_FIELDS.filter((name) => !(name in payload));
  if (missing.length > 0) {
    throw new TypeError(`body has no ${missing.join(", ")}`);
  }
  return payload;
}

/** Your logic for one message goes here; throw to report the message as failed. */
export async function processMessage(payload: Payload): Promise<void> {
  logger.info("order received", { orderId: payload.orderId });
  // A business metric: CloudWatch sums it per minute (and per service).
  metrics.addMetric("OrdersReceived", MetricUnit.Count, 1);
}

/**
 * What BatchProcessor calls for each message: it reports the message as failed if this
 * throws. A failed message does not stop the others: it is logged with its error, so
 * that SQS delivers it again while the batch's other messages are done.
 */
async function handleMessage(record: SQSRecord): Promise<void> {
  try {
    await processMessage(readPayload(record));
  } catch (error) {
    // Logger writes the Error as its name, message, location and stack.
    logger.error("message failed", { messageId: record.messageId, error });
    throw error;
  }
}

/**
 * Process each message of the batch; return the ids of those that failed.
 *
 * Powertools around it: what its class decorators (or middy middlewares) do for a
 * handler, written out for a plain function.
 */
export const handler = (async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
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
    // One message after the other (processInParallel: true would run them concurrently).
    const result = await processPartialResponse(event, handleMessage, processor, {
      context,
      processInParallel: false,
    });
    tracer.addResponseAsMetadata(result, "handler");
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error; // FullBatchFailureError: Lambda logs it, and the whole batch comes back
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // Metrics buffers what addMetric records; this prints it (one EMF line).
    metrics.publishStoredMetrics();
  }
}) satisfies SQSHandler;
