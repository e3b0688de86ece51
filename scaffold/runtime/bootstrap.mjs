/**
 * lambda-new's Node.js runtime client: runs one invocation the way aws-lambda-ric does.
 *
 * Started by `lambda-new invoke` and `serve` (scaffold/sandbox.py) as a `node`
 * process in the function's code root. Node's standard library only.
 *
 * Behaviour follows AWS's runtime interface client: 3.x for nodejs20.x and
 * nodejs22.x, 4.x for nodejs24.x and later (callback handlers refused, a
 * failed serialisation is Runtime.JSONStringifyError, no callback helpers on
 * the context). That covers handler resolution (dir/file.export: no extension,
 * .js as CommonJS or ESM by package.json "type", .mjs, .cjs, then Node's own
 * resolution) and its Runtime.* errors, the context object, async and callback
 * handlers, JSON.stringify of the result, the error document ({errorType,
 * errorMessage, trace}) and console output in Text or JSON format.
 *
 * It is a Runtime API client, as the official one: it loads the handler
 * (`_HANDLER`, from `LAMBDA_TASK_ROOT`), posts `/init/error` if it cannot, then
 * asks AWS_LAMBDA_RUNTIME_API for each event and posts the response (streamed,
 * for handlers wrapped in `awslambda.streamifyResponse`) or the error.
 */
import { Buffer } from "node:buffer";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import util from "node:util";

const require = createRequire(import.meta.url);
const major = Number(/nodejs(\d+)/.exec(process.env.AWS_EXECUTION_ENV ?? "")?.[1] ?? 0);
const MODERN = major >= 24; // aws-lambda-ric 4.x semantics
const JSON_LOGS = process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === "JSON";
const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
const CALLBACK_REMOVED =
  "ERROR: AWS Lambda has removed support for callback-based function handlers starting " +
  "with Node.js 24. You need to modify this function to use a supported handler signature " +
  "to use Node.js 24 or later. For more information see " +
  "https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.";

/** An error the runtime reports with its own type, `Runtime.<type>`, as its name. */
function runtimeError(type, message) {
  // The class is named as the type (a JSON log record's errorType is the class's name).
  const RuntimeError = { [type]: class extends Error {} }[type];
  RuntimeError.prototype.name = `Runtime.${type}`;
  return new RuntimeError(message instanceof Error ? String(message) : message);
}

// ---- the Runtime API ---------------------------------------------------------------

const [apiHost, apiPort] = (process.env.AWS_LAMBDA_RUNTIME_API ?? "").split(":");
const API = "/2018-06-01/runtime";
const USER_AGENT = `aws-lambda-nodejs/${process.version}-lambda-new`;
const ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
const ERROR_BODY = "Lambda-Runtime-Function-Error-Body";
const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * One kept-alive HTTP/1.1 connection to the Runtime API, one request at a time, on a
 * plain socket: node:http's request and response objects cost more than the handler
 * of a small function. The socket is unref'd while no request is in flight, so Node's
 * event loop drains as on Lambda (callbackWaitsForEmptyEventLoop, beforeExit).
 */
class RuntimeConnection {
  constructor() {
    this.socket = net.createConnection({ host: apiHost, port: Number(apiPort) });
    this.socket.setNoDelay(true);
    this.socket.unref();
    this.chunks = [];
    this.size = 0;
    this.head = null; // { status, headers, bodyStart, total } once the head has arrived
    this.waiting = null;
    this.socket.on("data", (chunk) => this.receive(chunk));
    const fail = (error) => {
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.reject(error ?? new Error("the Runtime API closed the connection"));
    };
    this.socket.on("error", fail);
    this.socket.on("close", () => fail());
  }

  receive(chunk) {
    this.chunks.push(chunk);
    this.size += chunk.length;
    let data = null;
    if (!this.head) {
      data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
      this.chunks = [data];
      const end = data.indexOf(HEAD_END);
      if (end < 0) return;
      const lines = data.subarray(0, end).toString("latin1").split("\r\n");
      const headers = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const bodyStart = end + HEAD_END.length;
      const total = bodyStart + Number(headers["content-length"] ?? 0);
      this.head = { status: Number(lines[0].split(" ")[1]), headers, bodyStart, total };
    }
    if (this.size < this.head.total) return;
    data ??= this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    const { status, headers, bodyStart, total } = this.head;
    const body = Buffer.from(data.subarray(bodyStart, total));
    const rest = data.subarray(total);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    this.head = null;
    const waiting = this.waiting;
    this.waiting = null;
    this.socket.unref();
    waiting?.resolve({ status, headers, body });
  }

  request(method, route, body, headers = {}) {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.ref();
      const payload = body === undefined ? null : Buffer.from(body);
      const lines = [`${method} ${API}${route} HTTP/1.1`, `Host: ${apiHost}:${apiPort}`, `User-Agent: ${USER_AGENT}`];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      if (payload) lines.push(`Content-Length: ${payload.length}`);
      const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
      this.socket.write(payload ? Buffer.concat([head, payload]) : head);
    });
  }
}

let connection = null;

function call(method, route, body, headers = {}) {
  connection ??= new RuntimeConnection();
  return connection.request(method, route, body, headers);
}

/** Post an error document; only /init/error names its type in a header (as the clients do). */
function postError(route, error) {
  const document = errorDocument(error);
  const typed = route === "/init/error" ? { [ERROR_TYPE]: document.errorType ?? "Unknown" } : {};
  return call("POST", route, JSON.stringify(document), { "Content-Type": "application/json", ...typed });
}

// ---- logging: console as the runtime client patches it ------------------------

let requestId = MODERN ? "-" : undefined; // before the invocation starts, as in init logs

function jsonErrorReplacer(_key, value) {
  if (value instanceof Error) {
    return {
      errorType: value?.constructor?.name ?? "UnknownError",
      errorMessage: value.message,
      stackTrace: typeof value.stack === "string" ? value.stack.split("\n") : value.stack,
      ...value,
    };
  }
  return value;
}

function formatJson(level, message, params) {
  const record = { timestamp: new Date().toISOString(), level, requestId };
  if (params.length === 0) {
    record.message = message;
    try {
      return JSON.stringify(record, jsonErrorReplacer);
    } catch {
      record.message = util.format(message);
      return JSON.stringify(record);
    }
  }
  record.message = util.format(message, ...params);
  const error = params.find((param) => param instanceof Error);
  if (error) {
    record.errorType = error?.constructor?.name ?? "UnknownError";
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === "string" ? error.stack.split("\n") : [];
  }
  return JSON.stringify(record);
}

function log(level, message, ...params) {
  const line = JSON_LOGS
    ? formatJson(level, message, params)
    : [new Date().toISOString(), requestId, level, util.format(message, ...params)].join("\t");
  process.stdout.write(`${line}\n`);
}

function patchConsole() {
  const wanted = LEVELS.indexOf(process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() ?? "");
  const minimum = wanted < 0 ? 0 : wanted;
  const method = (level) =>
    LEVELS.indexOf(level) >= minimum ? (message, ...params) => log(level, message, ...params) : () => {};
  console.trace = method("TRACE");
  console.debug = method("DEBUG");
  console.info = method("INFO");
  console.log = console.info;
  console.warn = method("WARN");
  console.error = method("ERROR");
  console.fatal = (message, ...params) => log("FATAL", message, ...params);
}

/** How the runtime client logs an error it reports ("Invoke Error", ...). */
function logError(label, error) {
  const value = error instanceof Error ? error : new Error(String(error));
  if (JSON_LOGS) {
    console.error(value);
    return;
  }
  let formatted;
  try {
    formatted = JSON.stringify(value, (_key, item) => {
      if (!(item instanceof Error)) return item;
      const plain = { errorType: item.name, errorMessage: item.message, code: item.code, ...item };
      if (typeof item.stack === "string") plain.stack = item.stack.split("\n");
      return plain;
    });
  } catch {
    formatted = JSON.stringify(errorDocument(value));
  }
  console.error(label, `\t${formatted}`);
}

// ---- results and errors ----------------------------------------------------------

function isErrorLike(value) {
  return (
    value &&
    typeof value.name === "string" &&
    typeof value.message === "string" &&
    typeof value.stack === "string" &&
    value.name &&
    value.message &&
    value.stack
  );
}

/** Lambda's error document: errorType, errorMessage, trace. */
function errorDocument(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return {
        errorType: error.name?.replaceAll("\x7F", "%7F"),
        errorMessage: error.message?.replaceAll("\x7F", "%7F"),
        trace: error.stack?.replaceAll("\x7F", "%7F").split("\n") ?? [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage:
        "callback called with Error argument, but there was a problem while retrieving " +
        "one or more of its message, name, and stack",
    };
  }
}

function serialise(result) {
  let text;
  try {
    text = JSON.stringify(result === undefined ? null : result);
  } catch {
    const error = new Error("Unable to stringify response body");
    if (MODERN) error.name = "Runtime.JSONStringifyError";
    throw error;
  }
  // A function or a symbol has no JSON: the official clients' native call refuses it.
  if (text === undefined) throw new TypeError("Wrong arguments");
  return text;
}

// ---- loading the handler -------------------------------------------------------------

function packageTypeIsModule(folder) {
  if (folder.endsWith("/node_modules")) return false;
  const manifest = path.join(folder, "package.json");
  if (existsSync(manifest)) {
    try {
      return JSON.parse(readFileSync(manifest, "utf8"))?.type === "module";
    } catch {
      return false;
    }
  }
  const parent = path.resolve(folder, "..");
  return parent === folder ? false : packageTypeIsModule(parent);
}

async function importIfExists(file) {
  return existsSync(file) ? import(pathToFileURL(file).href) : undefined;
}

function requireIfExists(file) {
  return existsSync(file) ? require(file) : undefined;
}

async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  if (MODERN) {
    for (const extension of ["", ".js", ".mjs", ".cjs"]) {
      const loaded = await importIfExists(base + extension);
      if (loaded) return loaded;
    }
  } else {
    const bare = requireIfExists(base);
    if (bare) return bare;
    const esm = existsSync(`${base}.js`) && packageTypeIsModule(path.dirname(`${base}.js`));
    if (!esm) {
      const commonjs = requireIfExists(`${base}.js`);
      if (commonjs) return commonjs;
    }
    const loaded =
      (esm && (await importIfExists(`${base}.js`))) ||
      (await importIfExists(`${base}.mjs`)) ||
      requireIfExists(`${base}.cjs`);
    if (loaded) return loaded;
  }
  const paths = MODERN ? [appRoot, path.join(appRoot, moduleRoot)] : [appRoot, moduleRoot];
  return require(require.resolve(moduleName, { paths }));
}

function findIn(object, dotted) {
  return dotted
    .split(".")
    .reduce(
      (nested, key) => (MODERN ? (nested && typeof nested === "object" ? nested[key] : undefined) : nested && nested[key]),
      object,
    );
}

async function loadHandler(appRoot, handlerString) {
  if (handlerString.includes("..")) {
    throw runtimeError(
      "MalformedHandlerName",
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const file = path.basename(handlerString);
  const moduleRoot = handlerString.substring(0, handlerString.indexOf(file));
  const match = /^([^.]*)\.(.*)$/.exec(file);
  if (!match) throw runtimeError("MalformedHandlerName", "Bad handler");
  const [, moduleName, exportPath] = match;
  let loaded;
  try {
    loaded = await loadModule(appRoot, MODERN ? moduleRoot.replace(/\/$/, "") : moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) {
      const syntax = runtimeError("UserCodeSyntaxError", error);
      if (MODERN) syntax.stack = error.stack; // 4.x keeps the SyntaxError's own stack
      throw syntax;
    }
    if (error?.code === "MODULE_NOT_FOUND") throw runtimeError("ImportModuleError", error);
    throw error;
  }
  let handler = findIn(loaded, exportPath);
  if (!handler && MODERN && loaded && typeof loaded === "object" && "default" in loaded) {
    handler = findIn(loaded.default, exportPath);
  }
  if (!handler) throw runtimeError("HandlerNotFound", `${handlerString} is undefined or not exported`);
  if (typeof handler !== "function") throw runtimeError("HandlerNotFound", `${handlerString} is not a function`);
  if (MODERN && handler.length >= 3) throw runtimeError("CallbackHandlerDeprecated", CALLBACK_REMOVED);
  return handler;
}

// ---- one invocation ------------------------------------------------------------------

function buildContext(invoke, deadlineMs, finish) {
  const context = {};
  if (!MODERN) {
    let waitForEmptyEventLoop = true;
    Object.defineProperty(context, "callbackWaitsForEmptyEventLoop", {
      enumerable: true,
      get: () => waitForEmptyEventLoop,
      set: (value) => {
        waitForEmptyEventLoop = value;
      },
    });
    context.succeed = (result) => finish.done(null, result);
    context.fail = (error) => finish.done(error ?? "handled", null);
    context.done = (error, result) => finish.done(error, result);
  }
  return Object.assign(
    context,
    {
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    },
    {
      clientContext: invoke.client_context ?? undefined,
      identity: invoke.cognito_identity ?? undefined,
      invokedFunctionArn: invoke.invoked_function_arn,
      awsRequestId: invoke.request_id,
      tenantId: undefined,
      ...(MODERN ? { xRayTraceId: invoke.trace_id } : {}),
      getRemainingTimeInMillis: () => deadlineMs - Date.now(),
    },
  );
}

// ---- response streaming -------------------------------------------------------------

const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HIGH_WATER_MARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const PRELUDE_TYPE = "application/vnd.awslambda.http-integration-response";

class HttpResponseStream {
  /** Prefix the stream with the HTTP status, headers and cookies (JSON), then 8 NUL bytes. */
  static from(stream, prelude) {
    stream.setContentType(PRELUDE_TYPE);
    const text = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(text);
      write(new Uint8Array(8));
    };
    return stream;
  }
}

globalThis.awslambda = {
  streamifyResponse(handler, options) {
    handler[STREAMING] = "response";
    if (typeof options?.highWaterMark === "number") handler[HIGH_WATER_MARK] = parseInt(options.highWaterMark);
    return handler;
  },
  HttpResponseStream,
};

/** The response stream: a chunked POST to /response, errors in its trailers. */
function responseStream(http, invokeId) {
  let wrote = false;
  const request = http.request({
    host: apiHost,
    port: apiPort,
    method: "POST",
    path: `${API}/invocation/${invokeId}/response`,
    headers: {
      "User-Agent": USER_AGENT,
      "Lambda-Runtime-Function-Response-Mode": "streaming",
      Trailer: [ERROR_TYPE, ERROR_BODY],
      "Content-Type": "application/octet-stream",
      "Transfer-Encoding": "chunked",
    },
  });
  const done = new Promise((resolve, reject) => {
    request.on("response", (response) => {
      response.resume();
      response.on("end", resolve);
    });
    request.on("error", reject);
  });
  const write = request.write.bind(request);
  const stream = {
    setContentType(type) {
      if (wrote) throw runtimeError("InvalidStreamingOperation", "Cannot set content-type, too late.");
      request.setHeader("Content-Type", type);
    },
    write(chunk, encoding, callback) {
      if (typeof chunk !== "string" && !Buffer.isBuffer(chunk) && chunk?.constructor !== Uint8Array) {
        chunk = JSON.stringify(chunk);
      }
      if (!wrote && typeof stream._onBeforeFirstWrite === "function") stream._onBeforeFirstWrite(write);
      wrote = true;
      return write(chunk, encoding, callback);
    },
    end(chunk, encoding, callback) {
      if (typeof chunk === "function") return request.end(chunk);
      if (chunk !== undefined && chunk !== null) stream.write(chunk, encoding);
      if (!wrote && typeof stream._onBeforeFirstWrite === "function") {
        stream._onBeforeFirstWrite(write);
        wrote = true;
      }
      return request.end(callback);
    },
    fail(error) {
      const document = errorDocument(error);
      request.addTrailers({
        [ERROR_TYPE]: document.errorType ?? "Unknown",
        [ERROR_BODY]: Buffer.from(JSON.stringify(document)).toString("base64"),
      });
      request.end();
    },
    _onBeforeFirstWrite: undefined,
  };
  for (const name of ["on", "once", "off", "emit", "cork", "uncork", "destroy", "removeListener", "addListener"]) {
    stream[name] = request[name].bind(request);
  }
  for (const name of ["writableFinished", "writableEnded", "writable", "destroyed", "writableNeedDrain", "writableLength", "writableHighWaterMark"]) {
    Object.defineProperty(stream, name, { get: () => request[name] });
  }
  return { stream, done };
}

// ---- the invocation loop ---------------------------------------------------------------

let current = null; // the invocation in progress: { id, settle(error, result) }

async function main() {
  patchConsole();
  let initialising = true;
  // aws-lambda-ric 3.x reports a crash as the invocation's error, then exits (129, 128);
  // 4.x (nodejs24.x) has no such handlers: Node itself prints the error and exits 1.
  if (!MODERN) {
    process.on("uncaughtException", (error) => {
      if (initialising) initFailed(error, "Uncaught Exception");
      else invocationCrashed(error, "Uncaught Exception", 129);
    });
    process.on("unhandledRejection", (reason) => {
      const error = runtimeError("UnhandledPromiseRejection", String(reason));
      if (initialising) initFailed(error, "Unhandled Promise Rejection");
      else invocationCrashed(error, "Unhandled Promise Rejection", 128);
    });
  }
  let handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), process.env._HANDLER ?? "");
  } catch (error) {
    await initFailed(error, MODERN ? "Init Error" : "Uncaught Exception");
    return;
  }
  initialising = false;
  const streaming = handler[STREAMING] === "response";
  for (;;) {
    const next = await call("GET", "/invocation/next");
    await invokeOnce(handler, streaming, next);
  }
}

async function initFailed(error, label) {
  logError(label, error);
  try {
    await postError("/init/error", error);
  } finally {
    if (!MODERN) process.exit(129);
  }
  throw error; // 4.x: the error then reaches Node, which prints it and exits 1
}

function invocationCrashed(error, label, code) {
  if (!current) return;
  const { id } = current;
  current = null;
  logError(label, error);
  postError(`/invocation/${id}/error`, error).finally(() => process.exit(code));
}

function contextOf(headers, finish) {
  const parse = (value) => {
    try {
      return value ? JSON.parse(value) : undefined;
    } catch {
      return undefined;
    }
  };
  return buildContext(
    {
      request_id: headers["lambda-runtime-aws-request-id"],
      invoked_function_arn: headers["lambda-runtime-invoked-function-arn"],
      trace_id: headers["lambda-runtime-trace-id"],
      client_context: parse(headers["lambda-runtime-client-context"]),
      cognito_identity: parse(headers["lambda-runtime-cognito-identity"]),
    },
    Number(headers["lambda-runtime-deadline-ms"]),
    finish,
  );
}

function invokeOnce(handler, streaming, next) {
  const id = next.headers["lambda-runtime-aws-request-id"];
  requestId = id;
  if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  return new Promise((resolveInvocation) => {
    let finished = false;
    let waitingForEmptyLoop = null;
    const post = async (error, result) => {
      current = null;
      process.removeListener("beforeExit", onBeforeExit);
      try {
        if (error !== undefined && error !== null) {
          logError("Invoke Error", error);
          await postError(`/invocation/${id}/error`, error);
        } else {
          let payload;
          try {
            payload = serialise(result);
          } catch (failure) {
            logError("Invoke Error", failure);
            await postError(`/invocation/${id}/error`, failure);
            return;
          }
          const answer = await call("POST", `/invocation/${id}/response`, payload, {
            "Content-Type": "application/json",
          });
          if (answer.status === 413) {
            // Over Lambda's limit: the clients log it (4.x with the API's answer) and go on.
            const detail = MODERN ? ` ${answer.body.toString("utf8").trim()}` : "";
            process.stdout.write(
              `[ERROR] [${Date.now()}] LAMBDA_RUNTIME Failed to post handler success response. ` +
                `Http response code: 413.${detail}\n`,
            );
          }
        }
      } finally {
        resolveInvocation();
      }
    };
    const finish = {
      done(error, result) {
        if (finished) return;
        finished = true;
        waitingForEmptyLoop = null;
        post(error, result);
      },
      fail(error) {
        // 4.x: whatever was thrown is the error, null and undefined included.
        if (finished) return;
        finished = true;
        current = null;
        process.removeListener("beforeExit", onBeforeExit);
        logError("Invoke Error", error);
        postError(`/invocation/${id}/error`, error).finally(resolveInvocation);
      },
    };
    current = { id };
    const context = contextOf(next.headers, finish);
    // A handler that neither returns a promise nor calls back answers null once idle (3.x).
    const onBeforeExit = () => {
      if (waitingForEmptyLoop) waitingForEmptyLoop();
      else if (!finished && !MODERN) finish.done(null, null);
    };
    process.on("beforeExit", onBeforeExit);
    if (streaming) {
      streamOnce(handler, next, context, id).finally(() => {
        current = null;
        process.removeListener("beforeExit", onBeforeExit);
        resolveInvocation();
      });
      return;
    }
    const callback = (error, result) => {
      if (finished) return;
      if ((error !== undefined && error !== null) || !context.callbackWaitsForEmptyEventLoop) {
        finish.done(error, result);
      } else {
        finished = true;
        waitingForEmptyLoop = () => {
          waitingForEmptyLoop = null;
          post(null, result);
        };
      }
    };
    try {
      const event = JSON.parse(next.body.toString("utf8"));
      const result = MODERN ? handler(event, context) : handler(event, context, callback);
      if (MODERN) {
        Promise.resolve(result).then(
          (value) => finish.done(null, value),
          (error) => finish.fail(error),
        );
      } else if (result && typeof result.then === "function") {
        Promise.resolve(result).then(
          (value) => finish.done(null, value),
          (error) => finish.done(error ?? "handled", null),
        );
      }
    } catch (error) {
      if (MODERN) finish.fail(error);
      else finish.done(error, null); // 3.x: a callback with a null error is a success
    }
  });
}

async function streamOnce(handler, next, context, id) {
  const { default: http } = await import("node:http"); // only streaming handlers need it
  const { stream, done } = responseStream(http, id);
  try {
    const event = JSON.parse(next.body.toString("utf8"));
    const pending = handler(event, stream, context);
    if (!pending || typeof pending.then !== "function") {
      throw new Error("Streaming does not support non-async handlers.");
    }
    const result = await pending;
    if (result !== undefined) console.warn("Streaming handlers ignore return values.");
    if (!stream.writableFinished && !stream.writableEnded) throw new Error("Response stream is not finished.");
  } catch (error) {
    logError("Invoke Error", error);
    stream.fail(error);
  }
  await done.catch(() => {});
}

// Not awaited: with no work left (a promise that never settles, on 4.x) Node exits, status 0.
main();
