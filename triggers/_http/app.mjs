// @ts-check
/**
 * The API itself, whatever invokes it: routes, validation and answers.
 *
 * handler.mjs reads the request from the event of its integration (API Gateway,
 * function URL or load balancer), calls `answer`, and writes the response in that
 * integration's format. Change the API here; change the transport in handler.mjs.
 */

const ROUTE = "/hello";
export const ALLOWED_METHODS = ["GET", "POST"];

/**
 * The query string parameters, decoded: {"name": "Ada"}.
 *
 * @typedef {Readonly<Record<string, string | undefined>>} Query
 */

/**
 * The JSON payload of every answer: {"message": "Hello, Ada!"} or why not.
 *
 * @typedef {object} Payload
 * @property {string} message
 */

/** A request body this API cannot read: answered with 400 and the reason. */
class BadRequest extends Error {}

/**
 * The status code and JSON payload for one request.
 *
 * @param {string} method
 * @param {string} path
 * @param {Query} query
 * @param {string | null | undefined} body
 * @param {boolean} isBase64Encoded
 * @returns {[status: number, payload: Payload]}
 */
export function answer(method, path, query, body, isBase64Encoded) {
  if (path !== ROUTE) {
    return [404, { message: `Not found: ${path}` }];
  }
  if (method === "GET") {
    return [200, greeting(query.name)];
  }
  if (method === "POST") {
    try {
      return [200, greeting(nameFrom(body, isBase64Encoded))];
    } catch (error) {
      if (error instanceof BadRequest) {
        return [400, { message: error.message }];
      }
      throw error;
    }
  }
  return [405, { message: `Method ${method} is not allowed; use GET or POST` }];
}

/**
 * The greeting for a name; no name, or an empty one, greets the world.
 *
 * @param {string | undefined} name
 * @returns {Payload}
 */
function greeting(name) {
  return { message: `Hello, ${name || "world"}!` };
}

/**
 * The "name" of a JSON object body, {"name": "Ada"}; undefined when it has none.
 *
 * @param {string | null | undefined} body
 * @param {boolean} isBase64Encoded
 * @returns {string | undefined}
 */
function nameFrom(body, isBase64Encoded) {
  let text = body ?? "";
  if (isBase64Encoded) {
    // the integration passes a binary body base64-encoded
    text = Buffer.from(text, "base64").toString("utf8");
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    throw new BadRequest("Body is not valid JSON");
  }
  if (jsonType(data) !== "an object") {
    throw new BadRequest(`Body must be a JSON object, not ${jsonType(data)}`);
  }
  if (!Object.hasOwn(data, "name")) {
    return undefined;
  }
  if (typeof data.name !== "string") {
    throw new BadRequest(`'name' must be a string, not ${jsonType(data.name)}`);
  }
  return data.name;
}

/**
 * The JSON name of a parsed value's type, for error messages.
 *
 * @param {unknown} value
 * @returns {string}
 */
function jsonType(value) {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
