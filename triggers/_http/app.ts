/**
 * The API itself, whatever invokes it: routes, validation and answers.
 *
 * handler.ts reads the request from the event of its integration (API Gateway,
 * function URL or load balancer), calls `answer`, and writes the response in that
 * integration's format. Change the API here; change the transport in handler.ts.
 */

const ROUTE = "/hello";
export const ALLOWED_METHODS = ["GET", "POST"];

/** The query string parameters, decoded: {"name": "Ada"}. */
export type Query = Readonly<Record<string, string | undefined>>;

/** The JSON payload of every answer: {"message": "Hello, Ada!"} or why not. */
export interface Payload {
  message: string;
}

/** A request body this API cannot read: answered with 400 and the reason. */
class BadRequest extends Error {}

/** The status code and JSON payload for one request. */
export function answer(
  method: string,
  path: string,
  query: Query,
  body: string | null | undefined,
  isBase64Encoded: boolean,
): [status: number, payload: Payload] {
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

/** The greeting for a name; no name, or an empty one, greets the world. */
function greeting(name: string | undefined): Payload {
  return { message: `Hello, ${name ? name : "world"}!` };
}

/** The "name" of a JSON object body, {"name": "Ada"}; undefined when it has none. */
function nameFrom(body: string | null | undefined, isBase64Encoded: boolean): string | undefined {
  let text = body ?? "";
  if (isBase64Encoded) {
    // the integration passes a binary body base64-encoded
    text = Buffer.from(text, "base64").toString("utf8");
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new BadRequest("Body is not valid JSON");
  }
  if (!isJsonObject(data)) {
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

/** Whether a parsed value is a JSON object, {...}: not an array, not null. */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return jsonType(value) === "an object";
}

/** The JSON name of a parsed value's type, for error messages. */
function jsonType(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
