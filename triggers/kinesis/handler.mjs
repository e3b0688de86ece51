// @ts-check
/**
 * Entry point of this Lambda function: records of a Kinesis data stream, in batches.
 *
 * The event source mapping reads each shard of the stream in order and invokes the
 * function with up to BatchSize records of one shard (template.yaml). The handler
 * processes them one by one, in order. At the first record that fails it stops and
 * returns that record's sequence number in `batchItemFailures` (the mapping has
 * ReportBatchItemFailures on): Lambda checkpoints before it and retries from it, so
 * the records after it come again anyway, and processing them now would put them
 * ahead of the failed one. After the mapping's MaximumRetryAttempts, Lambda sends the
 * batch's details to the on-failure queue and moves on.
 * A record can be delivered more than once, so make processing idempotent.
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there.
 */

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
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({ message: "order event received", orderId: payload.orderId });
}

/**
 * Process the batch's records in order; report the first that fails, if any.
 *
 * Lambda calls handler(event, context); add the context parameter when you need it
 * (its properties: test/lambda-context.mjs).
 *
 * @type {import("aws-lambda").KinesisStreamHandler}
 */
export const handler = async (event) => {
  for (const record of event.Records) {
    const { sequenceNumber } = record.kinesis;
    try {
      await processRecord(readPayload(record));
    } catch (error) {
      // Stop here: Lambda retries from this record, and those after it, in order.
      console.error({ message: "record failed", sequenceNumber, error });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
};
