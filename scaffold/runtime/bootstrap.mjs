/**
 * lambda-new's Node.js runtime client: runs one invocation the way aws-lambda-ric does.
 *
 * Started by `lambda-new invoke` (scaffold/invoker.py) as a fresh `node` process in
 * the function's code root. Node's standard library only.
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
 * Instead of polling the Runtime API it talks to its parent: the first stdin
 * line is the invocation, the event follows once init is done; replies are
 * JSON lines on the file descriptor the invocation names.
 */
import { Buffer } from "node:buffer";
import { existsSync, readFileSync, readSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
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
  const RuntimeError = class extends Error {};
  RuntimeError.prototype.name = `Runtime.${type}`;
  return new RuntimeError(message instanceof Error ? String(message) : message);
}

// ---- the link to the parent ---------------------------------------------------

function readLine() {
  const bytes = [];
  const one = Buffer.alloc(1);
  for (;;) {
    const n = readRetrying(one);
    if (n === 0 || one[0] === 10) return Buffer.from(bytes).toString("utf8");
    bytes.push(one[0]);
  }
}

function readAll() {
  const chunks = [];
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    const n = readRetrying(chunk);
    if (n === 0) return Buffer.concat(chunks).toString("utf8");
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
}

function readRetrying(buffer) {
  for (;;) {
    try {
      return readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
    }
  }
}

const invoke = JSON.parse(readLine());
let answered = false;

function send(message) {
  writeSync(invoke.channel_fd, `${JSON.stringify(message)}\n`);
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
  try {
    return JSON.stringify(result === undefined ? null : result);
  } catch {
    const error = new Error("Unable to stringify response body");
    if (MODERN) error.name = "Runtime.JSONStringifyError";
    throw error;
  }
}

let started = 0;

function respond(result) {
  if (answered) return;
  const payload = serialise(result);
  answered = true;
  send({ type: "response", payload_base64: Buffer.from(payload).toString("base64"), duration_ms: elapsed() });
  process.exit(0);
}

function fail(error, kind = "error", label = "Invoke Error") {
  if (answered) return;
  answered = true;
  logError(label, error);
  send({ type: kind, body: JSON.stringify(errorDocument(error)), duration_ms: elapsed() });
  process.exit(kind === "init_error" ? 129 : 0);
}

function elapsed() {
  return performance.now() - started;
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

function buildContext(deadlineMs, finish) {
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

async function main() {
  patchConsole();
  let phase = "init_error";
  let label = MODERN ? "Init Error" : "Uncaught Exception";
  process.on("uncaughtException", (error) => fail(error, phase, MODERN ? label : "Uncaught Exception"));
  process.on("unhandledRejection", (reason) => {
    fail(runtimeError("UnhandledPromiseRejection", String(reason)), phase, "Unhandled Promise Rejection");
  });
  let handler;
  try {
    handler = await loadHandler(invoke.task_root, invoke.handler);
  } catch (error) {
    fail(error, "init_error", label);
    return;
  }
  send({ type: "ready", version: process.versions.node });
  const body = readAll(); // sent once init is done, then stdin closes
  phase = "error";
  label = "Invoke Error";
  requestId = invoke.request_id;
  process.env._X_AMZN_TRACE_ID = invoke.trace_id;
  started = performance.now();
  const deadlineMs = Date.now() + invoke.timeout_ms;

  let finished = false;
  let waitingForEmptyLoop = null;
  const finish = {
    done(error, result) {
      if (finished) return;
      finished = true;
      waitingForEmptyLoop = null;
      if (error !== undefined && error !== null) fail(error);
      else settle(() => respond(result));
    },
  };
  const settle = (action) => {
    try {
      action();
    } catch (error) {
      fail(error);
    }
  };
  const context = buildContext(deadlineMs, finish);
  const callback = (error, result) => {
    if (finished) return;
    if ((error !== undefined && error !== null) || !context.callbackWaitsForEmptyEventLoop) {
      finish.done(error, result);
    } else {
      finished = true;
      waitingForEmptyLoop = () => settle(() => respond(result)); // when the event loop drains
    }
  };
  // A handler that neither returns a promise nor calls back answers null once idle.
  process.on("beforeExit", () => {
    if (waitingForEmptyLoop) waitingForEmptyLoop();
    else if (!finished) finish.done(null, null);
  });
  try {
    const event = JSON.parse(body);
    const result = MODERN ? handler(event, context) : handler(event, context, callback);
    if (MODERN || (result && typeof result.then === "function")) {
      Promise.resolve(result).then(
        (value) => finish.done(null, value),
        (error) => finish.done(error ?? "handled", null),
      );
    }
  } catch (error) {
    finish.done(error, null);
  }
}

await main();
