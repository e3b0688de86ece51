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

// What this function needs in an event's detail; an event without them is an error.
export const REQUIRED_DETAIL_FIELDS = ["orderId"];

/**
 * Your logic for one event goes here.
 *
 * @param {string} source
 * @param {string} detailType
 * @param {Record<string, unknown>} detail
 */
export async function processEvent(source, detailType, detail) {
  // With LoggingConfig LogFormat JSON, Lambda writes each console call as a JSON record.
  console.info("event received", { source, detailType, orderId: detail.orderId });
}

/**
 * Check and process one EventBridge event; return what was processed.
 *
 * Lambda calls handler(event, context); add the context parameter when you need it
 * (its properties: test/lambda-context.mjs).
 *
 * @param {object} event the EventBridge event: id, source, detail-type, detail, ...
 */
export const handler = async (event) => {
  const { id, source, "detail-type": detailType } = event;
  const detail = event.detail; // already a JSON object: EventBridge parsed it
  const missing = REQUIRED_DETAIL_FIELDS.filter((name) => !(name in detail));
  if (missing.length > 0) {
    // Fail loudly: the error shows in the function's Errors metric and logs.
    throw new Error(`"${detailType}" event ${id} from ${source} has no ${missing.join(", ")}`);
  }
  await processEvent(source, detailType, detail);
  return { processed: id, source, detailType };
};
