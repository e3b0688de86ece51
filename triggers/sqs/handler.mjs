// @ts-check
/**
 * Entry point of this Lambda function: messages from an SQS queue, in batches.
 *
 * The event source mapping polls the queue and invokes the function with up to
 * BatchSize messages (template.yaml). The handler processes them one by one and
 * returns the ids of the messages that failed in `batchItemFailures` (the mapping has
 * ReportBatchItemFailures on): SQS deletes the others, and delivers each failed one
 * again once its visibility timeout ends, until it has been received maxReceiveCount
 * times; then the queue's redrive policy moves it to the dead-letter queue.
 * SQS delivers a message at least once, so make processing idempotent (keyed on the
 * message id, or on a field of the body).
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there.
 */

/** What this function needs in a message's body; a message without them fails. */
export const REQUIRED_FIELDS = ["orderId"];

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
 * The body of one message: a JSON object with REQUIRED_FIELDS, or an error.
 *
 * @param {import("aws-lambda").SQSRecord} record an element of event.Records
 * @returns {Record<string, unknown>}
 */
export function readPayload(record) {
  /** @type {unknown} */
  const payload = JSON.parse(record.body); // throws a SyntaxError when not JSON
  if (!isJsonObject(payload)) {
    throw new TypeError("body is JSON, but not an object");
  }
  const missing = REQUIRED_FIELDS.filter((name) => !(name in payload));
  if (missing.length > 0) {
    throw new TypeError(`body has no ${missing.join(", ")}`);
  }
  return payload;
}

/**
 * Your logic for one message goes here; throw to report the message as failed.
 *
 * @param {Record<string, unknown>} payload
 */
export async function processMessage(payload) {
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({ message: "order received", orderId: payload.orderId });
}

/**
 * Process each message of the batch; return the ids of those that failed.
 *
 * A failed message does not stop the others: it is logged with its error and
 * reported, so that SQS delivers it again while the batch's other messages are done.
 * Lambda calls handler(event, context); add the context parameter when you need it
 * (its properties: test/lambda-context.mjs).
 *
 * @type {import("aws-lambda").SQSHandler}
 */
export const handler = async (event) => {
  /** @type {import("aws-lambda").SQSBatchItemFailure[]} */
  const batchItemFailures = [];
  for (const record of event.Records) {
    try {
      await processMessage(readPayload(record));
    } catch (error) {
      // Lambda writes an Error inside the object as its errorType, errorMessage and stackTrace.
      console.error({ message: "message failed", messageId: record.messageId, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
