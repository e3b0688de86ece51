/**
 * Entry point of this Lambda function: S3 bucket notifications, with Powertools for AWS
 * Lambda (TypeScript).
 *
 * S3 invokes the function asynchronously when objects are created or removed in the
 * bucket. If the handler throws, Lambda retries the invocation (twice by default),
 * then drops it or sends it to the function's on-failure destination; S3 may also
 * deliver an event more than once, so make processing idempotent.
 *
 * - Logger writes one JSON object per record, with the invocation's context (function
 *   name, request id, cold start) in each; LoggingConfig in template.yaml sets its level.
 *   An S3 notification carries no standard correlation id: log the bucket and key.
 * - Metrics writes CloudWatch metrics as log lines (EMF), in the namespace and with the
 *   service template.yaml sets (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME).
 * - Tracer adds this handler's own subsegment to the invocation's X-Ray trace (Tracing:
 *   Active in template.yaml). Outside Lambda it does nothing. To trace the calls of an AWS
 *   SDK client too (GetObject...): tracer.captureAWSv3Client(new S3Client()).
 *
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there, as here Powertools' utilities.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { Context, Handler, S3Event, S3EventRecord } from "aws-lambda";

const logger = new Logger();
const tracer = new Tracer();
// Metrics warns through the logger, as JSON, when an invocation records no metric.
const metrics = new Metrics({ logger });

/** One object created or removed, read from its record. */
export interface ObjectChange {
  /** "ObjectCreated:Put", "ObjectRemoved:Delete", ... */
  eventName: string;
  bucket: string;
  /** decoded: the key you pass to GetObject */
  key: string;
  /** null for ObjectRemoved events, which carry no size */
  size: number | null;
}

export type ProcessedChange = Pick<ObjectChange, "eventName" | "bucket" | "key">;

/** What the handler returns: the changes it processed. */
export interface Processed {
  processed: ProcessedChange[];
}

/** The object of a record: @types/aws-lambda says it always has a size; removals have none. */
type S3Object = Omit<S3EventRecord["s3"]["object"], "size"> & { size?: number };

/**
 * Read one record of an S3 event.
 *
 * S3 sends the object key URL-encoded, with `+` for a space: "my photo+1.jpg"
 * arrives as "my+photo%2B1.jpg". Replace `+` first, then decode.
 */
export function readChange(record: S3EventRecord): ObjectChange {
  const object: S3Object = record.s3.object;
  return {
    eventName: record.eventName,
    bucket: record.s3.bucket.name,
    key: decodeURIComponent(object.key.replaceAll("+", " ")),
    size: object.size ?? null,
  };
}

/** Your logic for one object goes here; return false for a change you ignore. */
export async function processChange(change: ObjectChange): Promise<boolean> {
  const { bucket, key, size } = change;
  if (change.eventName.startsWith("ObjectCreated:")) {
    // To read the object, grant S3ReadPolicy in template.yaml (see README.md).
    logger.info("object created", { bucket, key, size });
    // A business metric: CloudWatch sums it per minute (and per service).
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
 * S3 ignores the result (the invocation is asynchronous), so S3Handler declares none;
 * `lambda-new invoke` and the console's Test show it. Powertools around it: what its
 * class decorators (or middy middlewares) do for a handler, written out for a plain
 * function.
 */
export const handler = (async (event: S3Event, context: Context): Promise<Processed> => {
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
    const processed: ProcessedChange[] = [];
    for (const record of event.Records) {
      const change = readChange(record);
      if (await processChange(change)) {
        processed.push({ eventName: change.eventName, bucket: change.bucket, key: change.key });
      }
    }
    const result = { processed };
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
  }
}) satisfies Handler<S3Event, Processed>;
