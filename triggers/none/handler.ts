/**
 * Entry point of this Lambda function.
 *
 * Lambda calls `handler(event, context)` once per invocation and awaits the
 * promise it returns; code at module level runs once per execution environment
 * (a "cold start"), so create clients there.
 */
import type { Context, Handler } from "aws-lambda";

/** What a caller sends: {"name": "..."}. A direct invoke can send any JSON, so it is checked. */
export interface GreetingEvent {
  /** who to greet */
  name?: unknown;
}

export interface Greeting {
  message: string;
  requestId: string;
}

/** Greet the caller named in the event: {"name": "..."}. */
export const handler = (async (event: GreetingEvent | null, context: Context): Promise<Greeting> => {
  const name = event?.name ? event.name : "world"; // no name, or an empty one
  if (typeof name !== "string") {
    throw new TypeError(`'name' must be a string, not ${typeof name}`);
  }
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({ message: "greeting", caller: name });
  return { message: `Hello, ${name}!`, requestId: context.awsRequestId };
}) satisfies Handler<GreetingEvent | null, Greeting>;
