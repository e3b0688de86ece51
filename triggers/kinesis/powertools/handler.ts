/**
 * Entry point of this Lambda function: records of a Kinesis data stream, in batches, with
 * Powertools for AWS Lambda (TypeScript).
 *
 * The event source mapping reads each shard of the stream in order and invokes the
 * function with up to BatchSize records of one shard (template.yaml). Powertools'
 * BatchProcessor calls the record handler for each record, one by one, in order, and
 * returns the sequence numbers of those for which it threw in `batchItemFailures` (the
 * mapping has ReportBatchItemFailures on). Lambda checkpoints before the first of them
 * and retries from it, so the records after it come again anyway: at the first record
 * that fails, the record handler stops processing (processing them now would put them
 * ahead of the failed one), and the handler returns that record's sequence number. After
 * the mapping's MaximumRetryAttempts, Lambda sends the batch's details to the on-failure
 * queue and moves on. When the batch has no record that succeeded (a batch of one that
 * fails), BatchProcessor throws a FullBatchFailureError instead: the invocation fails,
 * and Lambda retries the whole batch.
 * A record can be delivered more than once, so make processing idempotent.
 *
 * - Logger writes one JSON object per record, with the invocation's context (function
 *   name, request id, cold start) in each; LoggingConfig in template.yaml sets its level.
 *   A Kinesis record carries no standard correlation id: log its sequence number.
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
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamHandler,
  KinesisStreamRecord,
} from "aws-lambda";

export const logger = new Logger();
const tracer = new Tracer();
// Metrics warns through the logger, as JSON, when an invocation records no metric.
const metrics = new Metrics({ logger });
// Collects each batch's failures; its own warnings go through the logger too.
const processor = new BatchProcessor(EventType.KinesisDataStreams, { logger });

/** What this function needs in a record's data; a record without them fails. */
export const REQUIRED_FIELDS: readonly string[] = ["orderId"];

/** A record's data: a JSON object, its fields by name. */
export type Payload = Record<string, unknown>;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Whether parsed JSON is an object: not an array, a string, a number, a boolean or null. */
function isJsonObject(value: unknown): value is Payload {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The data of one record: a JSON object with REQUIRED_FIELDS, or an error.
 *
 * Kinesis carries the bytes the producer put, base64-encoded in the event; BatchProcessor
 * passes the record on as it is.
 *
 * @throws {TypeError} when the data is not UTF-8, or is JSON but not such an object
 * @throws {SyntaxError} when it is not JSON
 */
export function readPayload(record: KinesisStreamRecord): Payload {
  const data = Buffer.from(record.kinesis.data, "base64");
  const payload: unknown = JSON.parse(utf8.decode(data)); // throws unless UTF-8 JSON
  if (!isJsonObject(payload)) {
    throw new TypeError("data is JSON, but not an object");
  }
  const missing = REQUIRED_FIELDS.filter((name) => !(name in payload));
  if (missing.length > 0) {
    throw new TypeError(`data has no ${missing.join(", ")}`);
  }
  return payload;
}

/** Your logic for one record goes here; throw to report the record as failed. */
export async function processRecord(payload: Payload): Promise<void> {
  logger.info("order event received", { orderId: payload.orderId });
  // A business metric: CloudWatch sums it per minute (and per service).
  metrics.addMetric("OrderEvents", MetricUnit.Count, 1);
}

/**
 * What BatchProcessor calls for each record of one batch, in order: it reports a record
 * as failed if this throws. The first record that fails is logged with its error; the
 * records after it are left for Lambda's retry, which starts at the failed one.
 */
function recordHandler(): (record: KinesisStreamRecord) => Promise<void> {
  let failed = false;
  return async (record) => {
    if (failed) {
      return; // not processed now: it comes again after the failed record
    }
    const { sequenceNumber } = record.kinesis;
    try {
      await processRecord(readPayload(record));
    } catch (error) {
      failed = true;
      // Logger writes the Error as its name, message, location and stack.
      logger.error("record failed", { sequenceNumber, error });
      throw error;
    }
  };
}

/**
 * Process the batch's records in order; report the first that fails, if any.
 *
 * Powertools around it: what its class decorators (or middy middlewares) do for a
 * handler, written out for a plain function.
 */
export const handler = (async (
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> => {
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
    // In order, one record after the other: a shard's records are ordered.
    const result = await processPartialResponse(event, recordHandler(), processor, {
      context,
      processInParallel: false,
    });
    tracer.addResponseAsMetadata(result, "handler");
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error; // FullBatchFailureError: Lambda logs it, and retries the whole batch
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // Metrics buffers what addMetric records; this prints it (one EMF line).
    metrics.publishStoredMetrics();
  }
}) satisfies KinesisStreamHandler;
