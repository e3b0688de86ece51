/**
 * Entry point of this Lambda function: changes to a DynamoDB table, from its stream, with
 * Powertools for AWS Lambda (TypeScript).
 *
 * Each time an item of the table is created, updated or deleted, its stream records an
 * INSERT, MODIFY or REMOVE with the item as it was (OldImage) and as it is (NewImage),
 * in DynamoDB JSON. The event source mapping reads each shard of the stream in order
 * and invokes the function with up to BatchSize records (template.yaml). Powertools'
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
 *   A stream record carries no standard correlation id: log the item's key.
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
  AttributeValue,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  DynamoDBStreamHandler,
} from "aws-lambda";

export const logger = new Logger();
const tracer = new Tracer();
// Metrics warns through the logger, as JSON, when an invocation records no metric.
const metrics = new Metrics({ logger });
// Collects each batch's failures; its own warnings go through the logger too.
const processor = new BatchProcessor(EventType.DynamoDBStreams, { logger });

/** What this function needs in an order item; a change that leaves an item without them fails. */
export const REQUIRED_ATTRIBUTES = ["status"];

type EventName = NonNullable<DynamoDBRecord["eventName"]>; // "INSERT" | "MODIFY" | "REMOVE"
type ImageName = "OldImage" | "NewImage";

/** The images of each kind of change, when the stream's view type is NEW_AND_OLD_IMAGES. */
const IMAGES = new Map<string, ImageName[]>([
  ["INSERT", ["NewImage"]],
  ["MODIFY", ["OldImage", "NewImage"]],
  ["REMOVE", ["OldImage"]],
]);

/** The types of DynamoDB JSON: {"S": "text"}, {"N": "42"}... */
const TYPES = new Set(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]);

/** An item (NewImage, OldImage or Keys) in DynamoDB JSON, by attribute name. */
export type Image = Record<string, AttributeValue>;

/**
 * The plain value of one attribute value in DynamoDB JSON: {"N": "42"} is 42.
 *
 * S is a string, N a number (beyond 15 significant digits a number loses precision:
 * read such attributes from their string yourself), B a Buffer, BOOL a boolean,
 * NULL null, M an object, L an array, SS, NS and BS a Set.
 */
export function fromDynamoDB(value: AttributeValue): unknown {
  const types = Object.keys(value);
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

/** An item (NewImage, OldImage or Keys) as plain values, by attribute name. */
export function readItem(image: Image): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(image).map(([name, value]) => [name, fromDynamoDB(value)]),
  );
}

/** One change to an item of the table, read from its stream record. */
export interface Change {
  eventName: EventName;
  /** the item's key attributes */
  keys: Record<string, unknown>;
  /** the item before the change; {} for an INSERT */
  oldItem: Record<string, unknown>;
  /** the item after the change; {} for a REMOVE */
  newItem: Record<string, unknown>;
}

/** Read one record of a DynamoDB stream event. */
export function readChange(record: DynamoDBRecord): Change {
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

/** Your logic for one change goes here; throw to report the change as failed. */
export async function processChange(change: Change): Promise<void> {
  const { orderId } = change.keys;
  if (change.eventName === "INSERT" || change.eventName === "MODIFY") {
    const missing = REQUIRED_ATTRIBUTES.filter((name) => !(name in change.newItem));
    if (missing.length > 0) {
      throw new TypeError(`order ${String(orderId)} has no ${missing.join(", ")}`);
    }
  }
  switch (change.eventName) {
    case "INSERT":
      logger.info("order created", { orderId, status: change.newItem.status });
      break;
    case "MODIFY":
      logger.info("order updated", {
        orderId,
        oldStatus: change.oldItem.status,
        newStatus: change.newItem.status,
      });
      break;
    case "REMOVE":
      logger.info("order deleted", { orderId, status: change.oldItem.status });
      break;
  }
  // A business metric: CloudWatch sums it per minute (and per service).
  metrics.addMetric("OrderChanges", MetricUnit.Count, 1);
}

/**
 * What BatchProcessor calls for each record of one batch, in order: it reports a record
 * as failed if this throws. The first record that fails is logged with its error; the
 * records after it are left for Lambda's retry, which starts at the failed one.
 */
function recordHandler(): (record: DynamoDBRecord) => Promise<void> {
  let failed = false;
  return async (record) => {
    if (failed) {
      return; // not processed now: it comes again after the failed record
    }
    try {
      await processChange(readChange(record));
    } catch (error) {
      failed = true;
      // Logger writes the Error as its name, message, location and stack.
      logger.error("record failed", { sequenceNumber: record.dynamodb?.SequenceNumber, error });
      throw error;
    }
  };
}

/**
 * Process the batch's changes in order; report the first that fails, if any.
 *
 * Powertools around it: what its class decorators (or middy middlewares) do for a
 * handler, written out for a plain function.
 */
export const handler = (async (
  event: DynamoDBStreamEvent,
  context: Context,
): Promise<DynamoDBBatchResponse> => {
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
}) satisfies DynamoDBStreamHandler;
