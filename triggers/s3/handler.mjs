// @ts-check
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
 * Lambda calls handler(event, context); add the context parameter when you need it
 * (its properties: test/lambda-context.mjs).
 *
 * @type {import("aws-lambda").Handler<import("aws-lambda").S3Event, Processed>}
 */
export const handler = async (event) => {
  /** @type {ProcessedChange[]} */
  const processed = [];
  for (const record of event.Records) {
    const change = readChange(record);
    if (await processChange(change)) {
      processed.push({ eventName: change.eventName, bucket: change.bucket, key: change.key });
    }
  }
  return { processed };
};
