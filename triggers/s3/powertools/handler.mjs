// @ts-check
/**
 * Entry point of this Lambda function: S3 bucket notifications, with Powertools for AWS
 * Lambda (TypeScript).
 *
 * S3 invokes the function asynchronously when objects are created or removed in the
 * bucket. If the handler throws, Lambda retries the invocation (twice by default),
 * then drops it or sends it to the function's on-failure destination; S3 may also
 * deliver an event more than once, so make processing idempotent.
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
 * @typedef {object} ObjectChange one object created or removed, read from its record
 * @property {string} eventName "ObjectCreated:Put", "ObjectRemoved:Delete", ...
 * @property {string} bucket
 * @property {string} key decoded: the key you pass to GetObject
 * @property {number | null} size null for ObjectRemoved events, which carry no size
 */

/**
 * @typedef {Pick<ObjectChange, "eventName" | "bucket" | "key">} ProcessedChange
 * @typedef {object} Processed what the handler returns: the changes it processed
 * @property {ProcessedChange[]} processed
 */

/**
 * Read one record of an S3 event.
 *
 * S3 sends the object key URL-encoded, with `+` for a space: "my photo+1.jpg"
 * arrives as "my+photo%2B1.jpg". Replace `+` first, then decode.
 *
 * @param {import("aws-lambda").S3EventRecord} record an element of event.Records
 * @returns {ObjectChange}
 */
export function readChange(record) {
  const { bucket, object } = record.s3;
  return {
    eventName: record.eventName,
    bucket: bucket.name,
    key: decodeURIComponent(object.key.replaceAll("+", " ")),
    size: object.size ?? null, // @types/aws-lambda says always there; not for removals
  };
}

/**
 * Your logic for one object goes here; return false for a change you ignore.
 *
 * @param {ObjectChange} change
 * @returns {Promise<boolean>}
 */
export async function processChange(change) {
  const { bucket, key, size } = change;
  // One log record, and one business metric (CloudWatch sums it per minute), per change.
  if (change.eventName.startsWith("ObjectCreated:")) {
    // To read the object, grant S3ReadPolicy in template.yaml (see README.md).
    logger.info("object created", { bucket, key, size });
    metrics.addMetric("ObjectsCreated", MetricUnit.Count, 1);
  } else if (change.eventName.startsWith("ObjectRemoved:")) {
    logger.info("object removed", { bucket, key });
    metrics.addMetric("ObjectsRemoved", MetricUnit.Count, 1);
  } else {
    logger.warn("event ignored", { eventName: change.eventName });
    return false;
  }
  return true;
}

/**
 * Process each object change of the event; return what was processed.
 *
 * S3 ignores the result (the invocation is asynchronous); `lambda-new invoke` and the
 * console's Test show it.
 *
 * @param {import("aws-lambda").S3Event} event
 * @returns {Promise<Processed>}
 */
export async function processChanges(event) {
  /** @type {ProcessedChange[]} */
  const processed = [];
  for (const record of event.Records) {
    const change = readChange(record);
    if (await processChange(change)) {
      processed.push({ eventName: change.eventName, bucket: change.bucket, key: change.key });
    }
  }
  return { processed };
}

/**
 * Process the object changes, with Powertools around: what its decorators and middy
 * middlewares do for a class method or a middy handler, written out for a plain function.
 *
 * @type {import("aws-lambda").Handler<import("aws-lambda").S3Event, Processed>}
 */
export const handler = async (event, context) => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record.
  // S3 events have no correlation id of their own: each record names its bucket and key.
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
    const result = await processChanges(event);
    tracer.addResponseAsMetadata(result, "handler");
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(/** @type {Error} */ (error));
    throw error; // Lambda logs it, and retries the invocation
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // Metrics buffers what addMetric records and prints it (one EMF line); with none
    // (every change ignored), it warns that there was no metric to publish.
    metrics.publishStoredMetrics();
  }
};
