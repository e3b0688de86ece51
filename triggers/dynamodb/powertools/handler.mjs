// @ts-check
/**
 * Entry point of this Lambda function: changes to a DynamoDB table, from its stream, with
 * Powertools for AWS Lambda (TypeScript).
 *
 * Each time an item of the table is created, updated or deleted, its stream records an
 * INSERT, MODIFY or REMOVE with the item as it was (OldImage) and as it is (NewImage),
 * in DynamoDB JSON. The event source mapping reads each shard of the stream in order
 * and invokes the function with up to BatchSize records (template.yaml). Powertools'
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
// BatchProcessor passes each record as Lambda sent it: its images in DynamoDB JSON.
const processor = new BatchProcessor(EventType.DynamoDBStreams);

/** What this function needs in an order item; a change that leaves an item without them fails. */
export const REQUIRED_ATTRIBUTES = ["status"];

/**
 * The images of each kind of change, when the stream's view type is NEW_AND_OLD_IMAGES.
 *
 * @type {Map<string, ("OldImage" | "NewImage")[]>}
 */
const IMAGES = new Map([
  ["INSERT", ["NewImage"]],
  ["MODIFY", ["OldImage", "NewImage"]],
  ["REMOVE", ["OldImage"]],
]);

/** The types of DynamoDB JSON: {"S": "text"}, {"N": "42"}... */
const TYPES = new Set(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]);

/**
 * @typedef {import("aws-lambda").AttributeValue} AttributeValue
 * @typedef {Record<string, AttributeValue>} Image an item in DynamoDB JSON, by attribute name
 */

/**
 * The plain value of one attribute value in DynamoDB JSON: {"N": "42"} is 42.
 *
 * S is a string, N a number (beyond 15 significant digits a number loses precision:
 * read such attributes from their string yourself), B a Buffer, BOOL a boolean,
 * NULL null, M an object, L an array, SS, NS and BS a Set.
 *
 * @param {AttributeValue} value
 * @returns {unknown}
 */
export function fromDynamoDB(value) {
  const types = Object.keys(value ?? {});
  const [type] = types;
  if (types.length !== 1 || type === undefined) {
    throw new TypeError(`not one DynamoDB attribute value: ${JSON.stringify(value)}`);
  }
  if (!TYPES.has(type)) {
    throw new TypeError(`unknown DynamoDB type ${JSON.stringify(type)}`);
  }
  if (value.S !== undefined) return value.S;
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.N !== undefined) return Number(value.N);
  if (value.B !== undefined) return Buffer.from(value.B, "base64");
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return readItem(value.M);
  if (value.L !== undefined) return value.L.map(fromDynamoDB);
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map(Number));
  return new Set(value.BS.map((item) => Buffer.from(item, "base64")));
}

/**
 * An item (NewImage, OldImage or Keys) as plain values, by attribute name.
 *
 * @param {Image} image
 * @returns {Record<string, unknown>}
 */
export function readItem(image) {
  return Object.fromEntries(
    Object.entries(image).map(([name, value]) => [name, fromDynamoDB(value)]),
  );
}

/**
 * @typedef {object} Change one change to an item of the table, read from its stream record
 * @property {"INSERT" | "MODIFY" | "REMOVE"} eventName
 * @property {Record<string, unknown>} keys the item's key attributes
 * @property {Record<string, unknown>} oldItem the item before the change; {} for an INSERT
 * @property {Record<string, unknown>} newItem the item after the change; {} for a REMOVE
 */

/**
 * Read one record of a DynamoDB stream event.
 *
 * @param {import("aws-lambda").DynamoDBRecord} record an element of event.Records
 * @returns {Change}
 */
export function readChange(record) {
  const { eventName, dynamodb: streamRecord = {} } = record;
  const images = eventName && IMAGES.get(eventName);
  if (!eventName || !images) {
    throw new TypeError(`unknown eventName ${JSON.stringify(eventName)}`);
  }
  const missing = images.filter((image) => !(image in streamRecord));
  if (missing.length > 0) {
    throw new TypeError(
      `${eventName} record has no ${missing.join(" or ")}: ` +
        "the stream's view type must be NEW_AND_OLD_IMAGES",
    );
  }
  return {
    eventName,
    keys: readItem(streamRecord.Keys ?? {}),
    oldItem: readItem(streamRecord.OldImage ?? {}),
    newItem: readItem(streamRecord.NewImage ?? {}),
  };
}

/**
 * Your logic for one change goes here; throw to report the change as failed.
 *
 * @param {Change} change
 */
export async function processChange(change) {
  const { orderId } = change.keys;
  if (change.eventName === "INSERT" || change.eventName === "MODIFY") {
    const missing = REQUIRED_ATTRIBUTES.filter((name) => !(name in change.newItem));
    if (missing.length > 0) {
      throw new TypeError(`order ${String(orderId)} has no ${missing.join(", ")}`);
    }
  }
  // One log record, and one business metric (CloudWatch sums it per minute), per change.
  switch (change.eventName) {
    case "INSERT":
      logger.info("order created", { orderId, status: change.newItem.status });
      metrics.addMetric("OrdersCreated", MetricUnit.Count, 1);
      break;
    case "MODIFY":
      logger.info("order updated", {
        orderId,
        oldStatus: change.oldItem.status,
        newStatus: change.newItem.status,
      });
      metrics.addMetric("OrdersUpdated", MetricUnit.Count, 1);
      break;
    case "REMOVE":
      logger.info("order deleted", { orderId, status: change.oldItem.status });
      metrics.addMetric("OrdersDeleted", MetricUnit.Count, 1);
      break;
  }
}

/**
 * Process one change of the batch. A change that fails is logged with its error;
 * BatchProcessor catches what this throws and reports the record as failed.
 *
 * @param {import("aws-lambda").DynamoDBRecord} record
 */
async function recordHandler(record) {
  try {
    await processChange(readChange(record));
  } catch (error) {
    // Logger writes an Error as its name, message, stack and where it was thrown.
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    logger.error("record failed", { sequenceNumber, error });
    throw error;
  }
}

/**
 * Process the batch's changes in order; report those that fail.
 *
 * What Powertools' decorators and middy middlewares do for a class method or a middy
 * handler, written out for a plain function.
 *
 * @type {import("aws-lambda").DynamoDBStreamHandler}
 */
export const handler = async (event, context) => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record.
  // Stream records have no correlation id of their own: each failure names its
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
