// @ts-check
/**
 * Entry point of this Lambda function.
 *
 * Lambda calls `handler(event, context)` once per invocation and awaits the
 * promise it returns; code at module level runs once per execution environment
 * (a "cold start"), so create clients there.
 */

/**
 * What a caller sends: {"name": "..."}. A direct invoke can send any JSON, so it is checked.
 *
 * @typedef {object} GreetingEvent
 * @property {unknown} [name] who to greet
 */

/**
 * Greet the caller named in the event: {"name": "..."}.
 *
 * @type {import("aws-lambda").Handler<GreetingEvent | null, {message: string, requestId: string}>}
 */
export const handler = async (event, context) => {
  const name = event?.name || "world";
  if (typeof name !== "string") {
    throw new TypeError(`'name' must be a string, not ${typeof name}`);
  }
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({ message: "greeting", caller: name });
  return { message: `Hello, ${name}!`, requestId: context.awsRequestId };
};
