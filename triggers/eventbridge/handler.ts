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
import type { EventBridgeEvent, EventBridgeHandler } from "aws-lambda";

/** The detail of an "Order Placed" event, as its publisher put it (PutEvents). */
export interface OrderPlaced {
  orderId: string;
}

/** The events the rule in template.yaml matches. */
export type OrderPlacedEvent = EventBridgeEvent<"Order Placed", OrderPlaced>;

/** What the handler returns: which event it processed. */
export interface Processed {
  processed: string;
  source: string;
  detailType: string;
}

/** What this function needs in an event's detail; an event without them is an error. */
export const REQUIRED_DETAIL_FIELDS: readonly (keyof OrderPlaced)[] = ["orderId"];

/** Your logic for one event goes here. */
export async function processEvent(
  source: string,
  detailType: string,
  detail: OrderPlaced,
): Promise<void> {
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({ message: "event received", source, detailType, orderId: detail.orderId });
}

/**
 * Check and process one EventBridge event; return what was processed.
 *
 * EventBridge ignores the result (the invocation is asynchronous); `lambda-new invoke`
 * and the console's Test show it. Lambda calls handler(event, context); add the context
 * parameter when you need it (its properties: test/lambda-context.ts).
 */
export const handler = (async (event: OrderPlacedEvent): Promise<Processed> => {
  const { id, source, "detail-type": detailType } = event;
  const detail = event.detail; // already a JSON object: EventBridge parsed it, but checks no schema
  const missing = REQUIRED_DETAIL_FIELDS.filter((name) => !(name in detail));
  if (missing.length > 0) {
    // Fail loudly: the error shows in the function's Errors metric and logs.
    throw new Error(`"${detailType}" event ${id} from ${source} has no ${missing.join(", ")}`);
  }
  await processEvent(source, detailType, detail);
  return { processed: id, source, detailType };
}) satisfies EventBridgeHandler<"Order Placed", OrderPlaced, Processed>;
