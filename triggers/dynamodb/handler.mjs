// @ts-check
/**
 * Entry point of this Lambda function: changes to a DynamoDB table, from its stream.
 *
 * Each time an item of the table is created, updated or deleted, its stream records an
 * INSERT, MODIFY or REMOVE with the item as it was (OldImage) and as it is (NewImage),
 * in DynamoDB JSON. The event source mapping reads each shard of the stream in order
 * and invokes the function with up to BatchSize records (template.yaml). The handler
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
  // With LoggingConfig LogFormat JSON, Lambda writes each object as the record's "message".
  switch (change.eventName) {
    case "INSERT":
      console.info({ message: "order created", orderId, status: change.newItem.status });
      break;
    case "MODIFY":
      console.info({
        message: "order updated",
        orderId,
        oldStatus: change.oldItem.status,
        newStatus: change.newItem.status,
      });
      break;
    case "REMOVE":
      console.info({ message: "order deleted", orderId, status: change.oldItem.status });
      break;
  }
}

/**
 * Process the batch's changes in order; report the first that fails, if any.
 *
 * Lambda calls handler(event, context); add the context parameter when you need it
 * (its properties: test/lambda-context.mjs).
 *
 * @type {import("aws-lambda").DynamoDBStreamHandler}
 */
export const handler = async (event) => {
  for (const record of event.Records) {
    // Every stream record has one; an empty identifier would make Lambda retry the whole batch.
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? "";
    try {
      await processChange(readChange(record));
    } catch (error) {
      // Stop here: Lambda retries from this record, and those after it, in order.
      console.error({ message: "record failed", sequenceNumber, error });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
};
