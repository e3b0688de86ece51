// @ts-check
/**
 * Entry point of this Lambda function: custom events routed by an EventBridge rule.
 *
 * EventBridge invokes the function asynchronously with one event per invocation, when
 * the event matches the rule's pattern in template.yaml. If the handler throws, the
 * invocation fails: Lambda retries it (twice by default), then drops it or sends it to
 * the function's on-failure destination. Make processing idempotent (key it on the
 * event id).
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there.
 */

/**
 * @typedef {object} OrderPlaced the detail of an "Order Placed" event, as its publisher put it
 * @property {string} orderId
 */

/**
 * @typedef {object} Processed what the handler returns: which event it processed
 * @property {string} processed the event's id
 * @property {string} source
 * @property {string} detailType
 */

// What this function needs in an event's detail; an event without them is an error.
export const REQUIRED_DETAIL_FIELDS = ["orderId"];

/**
 * Your logic for one event goes here.
 *
 * @param {string} source
 * @param {string} detailType
 * @param {OrderPlaced} detail
 */
export async function processEvent(source, detailType, detail) {
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({ message: "event received", source, detailType, orderId: detail.orderId });
}

/**
 * Check and process one EventBridge event; return what was processed.
 *
 * EventBridge ignores the result (the invocation is asynchronous); `lambda-new invoke`
 * and the console's Test show it. Lambda calls handler(event, context); add the context
 * parameter when you need it (its properties: test/lambda-context.mjs).
 *
 * @type {import("aws-lambda").EventBridgeHandler<"Order Placed", OrderPlaced, Processed>}
 */
export const handler = async (event) => {
  const { id, source, "detail-type": detailType } = event;
  const detail = event.detail; // already a JSON object: EventBridge parsed it, but checks no schema
  const missing = REQUIRED_DETAIL_FIELDS.filter((name) => !(name in detail));
  if (missing.length > 0) {
    // Fail loudly: the error shows in the function's Errors metric and logs.
    throw new Error(`"${detailType}" event ${id} from ${source} has no ${missing.join(", ")}`);
  }
  await processEvent(source, detailType, detail);
  return { processed: id, source, detailType };
};
