// @ts-check
/**
 * Entry point of this Lambda function: records of a Kinesis data stream, in batches,
 * with Powertools for AWS Lambda (TypeScript).
 *
 * The event source mapping reads each shard of the stream in order and invokes the
 * function with up to BatchSize records of one shard (template.yaml). Powertools'
 * BatchProcessor calls `recordHandler` for each record, one after the other in the
 * shard's order (processInParallel: false), and returns the sequence numbers of the
 * records whose handler threw in `batchItemFailures` (the mapping has
 * ReportBatchItemFailures on). A failed record does not stop the ones after it: they
 * are processed too. Lambda checkpoints before the failed record with the lowest
 * sequence number and retries from it, so the records after it come again, those that
 * succeeded included. When every record fails, BatchProcessor throws
 * FullBatchFailureError instead, and Lambda retries the whole batch. After the mapping's
 * MaximumRetryAttempts, Lambda sends the batch's details to the on-failure queue and
 * moves on. A record can be delivered more than once, so make processing idempotent.
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
// BatchProcessor passes each record as Lambda sent it: its data still base64-encoded.
const processor = new BatchProcessor(EventType.KinesisDataStreams);

/** What this function needs in a record's data; a record without them fails. */
export const REQUIRED_FIELDS = ["orderId"];

const utf8 = new TextDecoder("utf-8", { fatal: true });

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
 * The data of one record: a JSON object with REQUIRED_FIELDS, or an error.
 *
 * Kinesis carries the bytes the producer put, base64-encoded in the event.
 *
 * @param {import("aws-lambda").KinesisStreamRecord} record an element of event.Records
 * @returns {Record<string, unknown>}
 */
export function readPayload(record) {
  const data = Buffer.from(record.kinesis.data, "base64");
  /** @type {unknown} */
  const payload = JSON.parse(utf8.decode(data)); // throws unless UTF-8 JSON
  if (!isJsonObject(payload)) {
    throw new TypeError("data is JSON, but not an object");
  }
  const missing = REQUIRED_FIELDS.filter((name) => !(name in payload));
  if (missing.length > 0) {
    throw new TypeError(`data has no ${missing.join(", ")}`);
  }
  return payload;
}

/**
 * Your logic for one record goes here; throw to report the record as failed.
 *
 * @param {Record<string, unknown>} payload
 */
export async function processRecord(payload) {
  logger.info("order event received", { orderId: payload.orderId });
  // A business metric: CloudWatch sums it per minute (and per service).
  metrics.addMetric("OrderEventsReceived", MetricUnit.Count, 1);
}

/**
 * Process one record of the batch. A record that fails is logged with its error;
 * BatchProcessor catches what this throws and reports the record as failed.
 *
 * @param {import("aws-lambda").KinesisStreamRecord} record
 */
async function recordHandler(record) {
  try {
    await processRecord(readPayload(record));
  } catch (error) {
    // Logger writes an Error as its name, message, stack and where it was thrown.
    logger.error("record failed", { sequenceNumber: record.kinesis.sequenceNumber, error });
    throw error;
  }
}

/**
 * Process the batch's records in order; report those that fail.
 *
 * What Powertools' decorators and middy middlewares do for a class method or a middy
 * handler, written out for a plain function.
 *
 * @type {import("aws-lambda").KinesisStreamHandler}
 */
export const handler = async (event, context) => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record.
  // Kinesis records have no correlation id of their own: each failure names its
  // sequenceNumber.
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
    const result = await processPartialResponse(event, recordHandler, processor, {
      context,
      processInParallel: false, // one after the other, in the shard's order
    });
    tracer.addResponseAsMetadata(result, "handler");
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(/** @type {Error} */ (error));
    throw error; // FullBatchFailureError: Lambda logs it and retries the whole batch
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // Metrics buffers what addMetric records; this prints it (one EMF line).
    metrics.publishStoredMetrics();
  }
};
