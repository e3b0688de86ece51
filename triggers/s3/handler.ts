/**
 * Entry point of this Lambda function: S3 bucket notifications.
 *
 * S3 invokes the function asynchronously when objects are created or removed in the
 * bucket. If the handler throws, Lambda retries the invocation (twice by default),
 * then drops it or sends it to the function's on-failure destination; S3 may also
 * deliver an event more than once, so make processing idempotent.
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there.
 */
import type { Handler, S3Event, S3EventRecord } from "aws-lambda";

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
  // With LoggingConfig LogFormat JSON, Lambda writes each object as the record's "message".
  const { bucket, key, size } = change;
  if (change.eventName.startsWith("ObjectCreated:")) {
    // To read the object, grant S3ReadPolicy in template.yaml (see README.md).
    console.info({ message: "object created", bucket, key, size });
  } else if (change.eventName.startsWith("ObjectRemoved:")) {
    console.info({ message: "object removed", bucket, key });
  } else {
    console.warn({ message: "event ignored", eventName: change.eventName });
    return false;
  }
  return true;
}

/**
 * Process each object change of the event; return what was processed.
 *
 * S3 ignores the result (the invocation is asynchronous), so S3Handler declares none;
 * `lambda-new invoke` and the console's Test show it. Lambda calls
 * handler(event, context); add the context parameter when you need it
 * (its properties: test/lambda-context.ts).
 */
export const handler = (async (event: S3Event): Promise<Processed> => {
  const processed: ProcessedChange[] = [];
  for (const record of event.Records) {
    const change = readChange(record);
    if (await processChange(change)) {
      processed.push({ eventName: change.eventName, bucket: change.bucket, key: change.key });
    }
  }
  return { processed };
}) satisfies Handler<S3Event, Processed>;
