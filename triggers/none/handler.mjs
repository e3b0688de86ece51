/**
 * Entry point of this Lambda function.
 *
 * Lambda calls `handler(event, context)` once per invocation and awaits the
 * promise it returns; code at module level runs once per execution environment
 * (a "cold start"), so create clients there.
 */

/**
 * @typedef {object} GreetingEvent
 * @property {string} [name] who to greet
 */

/**
 * Greet the caller named in the event: {"name": "..."}.
 *
 * @param {GreetingEvent} event
 * @param {object} context the Lambda context (its properties: test/lambda-context.mjs)
 */
export const handler = async (event, context) => {
  const name = event?.name || "world";
  if (typeof name !== "string") {
    throw new TypeError(`'name' must be a string, not ${typeof name}`);
  }
  // With LoggingConfig LogFormat JSON, Lambda writes each console call as a JSON record.
  console.info("greeting", { caller: name });
  return { message: `Hello, ${name}!`, requestId: context.awsRequestId };
};
