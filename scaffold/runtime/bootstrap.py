"""lambda-new's Python runtime client: runs one invocation the way awslambdaric does.

Started by `lambda-new invoke` and `serve` (scaffold/sandbox.py) as a process of
the function's Python, in the function's code root. Standard library only, and
Python 3.10+, because it runs in the user's interpreter and virtualenv.

Behaviour follows AWS's runtime interface client (awslambdaric 4.x): handler
resolution and its `Runtime.*` error types, the context object, the JSON
encoding of results (Decimal as a number, non-ASCII kept on python3.12+,
bytes passed through), the error document, and the log formats (Text, or
JSON when AWS_LAMBDA_LOG_FORMAT=JSON), and the Runtime API loop: it loads the
handler (`_HANDLER`, from `LAMBDA_TASK_ROOT`), posts `/init/error` if it cannot,
then asks AWS_LAMBDA_RUNTIME_API for the next event, runs it and posts the
response or the error, for as long as the environment lives.
"""

import importlib
import json
import logging
import math
import os
import socket
import sys
import time
import traceback
from typing import Any

LOG_FORMAT_JSON = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"
_LEVEL_ENV = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
LOG_LEVEL = "DEBUG" if _LEVEL_ENV == "TRACE" else _LEVEL_ENV
# Python 3.12 and later runtimes keep non-ASCII characters in results as they are.
KEEPS_UNICODE = os.environ.get("AWS_EXECUTION_ENV", "") in {
    f"AWS_Lambda_python3.{minor}" for minor in range(12, 20)
}
UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the "
    "function code. However, in rare cases, a Lambda runtime update can cause unexpected "
    "function behavior. For functions using managed runtimes, runtime updates can be "
    "triggered by a function change, or can be applied automatically. To determine if the "
    "runtime has been updated, check the runtime version in the INIT_START log entry. If "
    "this error correlates with a change in the runtime version, you may be able to "
    "mitigate this error by temporarily rolling back to the previous runtime version. For "
    "more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)
# Fields of a LogRecord that are not `extra` data (the JSON format adds the rest).
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "aws_request_id",
    "tenant_id",
}
_request_id = ""


class Fault(Exception):
    """An error the runtime itself reports, with its `Runtime.*` type."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def load_handler(handler: str) -> Any:
    """`module.path.function` -> the function, as awslambdaric resolves it."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as error:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {error}") from None
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise Fault(
                "Runtime.BuiltInModuleConflict",
                f"Cannot use built-in module {module_name} as a handler module",
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise Fault(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}"
        ) from None
    except SyntaxError as error:
        trace = [f'  File "{error.filename}" Line {error.lineno}\n    {error.text}']
        raise Fault(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{module_name}': {error}",
            trace,
        ) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        ) from None


_CONTEXT_FIELDS = (
    "aws_request_id",
    "log_group_name",
    "log_stream_name",
    "function_name",
    "memory_limit_in_mb",
    "function_version",
    "invoked_function_arn",
    "client_context",
    "identity",
    "tenant_id",
)


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity: dict[str, Any] | None) -> None:
        identity = identity or {}
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")

    def __repr__(self) -> str:
        return (
            f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}])"
        )


class LambdaContext:
    """The context object: the same attributes, types and methods as Lambda's."""

    def __init__(self, invoke: dict[str, Any], deadline_ms: int) -> None:
        env = os.environ
        self.aws_request_id: str = invoke["request_id"]
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn: str = invoke["invoked_function_arn"]
        self.tenant_id: str | None = invoke.get("tenant_id")
        self.client_context: Any = invoke.get("client_context")
        self.identity = CognitoIdentity(invoke.get("cognito_identity"))
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def w3c(self) -> dict[str, str]:
        return {}

    def log(self, message: Any) -> None:
        sys.stdout.write(str(message))

    def __repr__(self) -> str:
        return f"LambdaContext([{','.join(f'{n}={getattr(self, n)}' for n in _CONTEXT_FIELDS)}])"


def marshal(result: Any) -> tuple[bytes, str]:
    """The response body Lambda returns for `result`, and its content type."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    raw: dict[str, str] = {}
    nonce = os.urandom(8).hex()

    def default(value: Any) -> Any:
        decimal = sys.modules.get("decimal")  # only a handler that imported it returns one
        if decimal is not None and isinstance(value, decimal.Decimal):
            if value.is_nan():
                return math.nan
            marker = f"\x00{nonce}{len(raw)}\x00"
            raw[json.dumps(marker)] = str(value)
            return marker
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    try:
        text = json.dumps(result, default=default, ensure_ascii=not KEEPS_UNICODE)
    except (TypeError, ValueError, RecursionError) as error:
        raise Fault("Runtime.MarshalError", f"Unable to marshal response: {error}") from None
    for marker, number in raw.items():
        text = text.replace(marker, number)
    return text.encode("utf-8"), "application/json"


def to_json(document: dict[str, Any]) -> str:
    """An error document as the runtime client posts it."""
    return json.dumps(document, ensure_ascii=not KEEPS_UNICODE)


def error_document(error: BaseException, request_id: str | None) -> dict[str, Any]:
    """Lambda's error document for an exception (runtime frames left out)."""
    if isinstance(error, Fault):
        return make_error(error.message, error.error_type, error.trace, request_id)
    stack = traceback.extract_tb(error.__traceback__)
    # From the first frame that is not this file's on; all of them if none is.
    users = [i for i, frame in enumerate(stack) if frame.filename != __file__]
    frames = stack[users[0] :] if users else list(stack)
    # Plain tuples: the client formats frames without column markers (no ^^^ lines).
    plain = [(frame.filename, frame.lineno, frame.name, frame.line) for frame in frames]
    trace = traceback.format_list(plain)  # type: ignore[arg-type]
    return make_error(str(error), type(error).__name__, trace, request_id)


def make_error(
    message: str, error_type: str, trace: list[str] | None, request_id: str | None
) -> dict[str, Any]:
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": trace or [],
    }


def log_error(document: dict[str, Any]) -> None:
    """Write an error to the log as the runtime client does (Text or JSON)."""
    if LOG_FORMAT_JSON:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        record = {"timestamp": stamp, "level": "ERROR", **document}
        sys.stdout.write(to_json(record) + "\n")
        return
    heading = "[ERROR]"
    if document["errorType"]:
        heading += f" {document['errorType']}"
    if document["errorMessage"]:
        heading += (":" if document["errorType"] else "") + f" {document['errorMessage']}"
    lines = [heading, "Traceback (most recent call last):"]
    for element in document["stackTrace"]:
        # Lambda keeps a record's indentation by using no-break spaces.
        lines += [
            "\u00a0" * (len(line) - len(line.lstrip(" "))) + line.lstrip(" ")
            for line in element.splitlines()
        ] or [""]
    sys.stdout.write("\n".join(lines) + "\n")


class JsonFormatter(logging.Formatter):
    """Lambda's JSON log records: timestamp, level, message, logger, requestId, extras."""

    def __init__(self) -> None:
        super().__init__(datefmt="%Y-%m-%dT%H:%M:%SZ")

    def format(self, record: logging.LogRecord) -> str:
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc = record.exc_info
        message = (
            record.msg if isinstance(record.msg, dict) and not record.args else record.getMessage()
        )
        result: dict[str, Any] = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": message,
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc and exc[0] else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": f"{record.pathname}:{record.funcName}:{record.lineno}" if exc else None,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in result:
                result[key] = value
        result = {key: value for key, value in result.items() if value is not None}
        return json.dumps(result, ensure_ascii=False, default=str) + "\n"


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _request_id
        record.tenant_id = None
        return True


class _StdoutHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        sys.stdout.write(self.format(record))


def setup_logging() -> None:
    logging.Formatter.converter = time.gmtime
    handler = _StdoutHandler()
    if LOG_FORMAT_JSON:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                "%Y-%m-%dT%H:%M:%S",
            )
        )
    root = logging.getLogger()
    if isinstance(logging.getLevelName(LOG_LEVEL), int):  # a known level name
        root.setLevel(LOG_LEVEL)
    handler.addFilter(_RequestIdFilter())
    root.addHandler(handler)


class _Unbuffered:
    """Flush after every write, as the runtime client does, so logs interleave in order."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def write(self, text: str) -> int:
        written: int = self._stream.write(text)
        self._stream.flush()
        return written

    def writelines(self, lines: Any) -> None:
        self._stream.writelines(lines)
        self._stream.flush()


class RuntimeApi:
    """The Runtime API client: one kept-alive HTTP/1.1 connection, as the official client.

    A plain socket, not http.client: importing http.client (and the email package it
    parses headers with) costs some 30 ms of every init.
    """

    PREFIX = "/2018-06-01/runtime"

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self.address = address
        self.socket = socket.create_connection((host, int(port)))
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.socket.makefile("rb")
        version = ".".join(str(part) for part in sys.version_info[:3])
        self.agent = f"aws-lambda-python/{version}-lambda-new"

    def _call(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes, dict[str, str]]:
        lines = [f"{method} {self.PREFIX}{path} HTTP/1.1", f"Host: {self.address}"]
        lines += [
            f"{name}: {value}" for name, value in {"User-Agent": self.agent, **headers}.items()
        ]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        self.socket.sendall("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + (body or b""))
        status_line = self.reader.readline(65537)
        if not status_line:
            raise ConnectionError("the Runtime API closed the connection")
        status = int(status_line.split()[1])
        answer: dict[str, str] = {}
        while True:
            line = self.reader.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            answer[name.strip().lower()] = value.strip()
        data = self.reader.read(int(answer.get("content-length") or 0))
        return status, data, answer

    def next(self) -> tuple[bytes, dict[str, str]]:
        status, body, headers = self._call("GET", "/invocation/next", None, {})
        if status != 200:
            raise RuntimeError(f"Runtime API /next answered {status}")
        return body, headers

    def post(
        self, path: str, body: bytes, content_type: str, error_type: str | None = None
    ) -> tuple[int, bytes]:
        headers = {"Content-Type": content_type}
        if error_type is not None:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        status, answer, _ = self._call("POST", path, body, headers)
        return status, answer

    def post_error(self, path: str, document: dict[str, Any]) -> tuple[int, bytes]:
        return self.post(
            path, to_json(document).encode(), "application/json", document["errorType"]
        )


def compile_from_source(root: str) -> None:
    """Modules under the code root are compiled from their source at each init, never
    read from (or written to) a __pycache__: Lambda runs the code read-only and the zip
    has no caches. A cached .pyc can be stale (same size, same second: Python's check),
    which would make `serve` run the code as it was before an edit."""
    from importlib import machinery

    class SourceOnly(machinery.SourceFileLoader):
        def get_code(self, fullname: str) -> Any:
            path = self.get_filename(fullname)
            return self.source_to_code(self.get_data(path), path)

    finder = machinery.FileFinder.path_hook(
        (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES),
        (SourceOnly, machinery.SOURCE_SUFFIXES),
        (machinery.SourcelessFileLoader, machinery.BYTECODE_SUFFIXES),
    )
    real_root = os.path.realpath(root)

    def hook(entry: str) -> Any:
        real = os.path.realpath(entry or ".")
        if real == real_root or real.startswith(real_root + os.sep):
            return finder(entry)
        raise ImportError  # not the code's: the next hook (the usual finder) takes it

    sys.path_hooks.insert(0, hook)
    sys.path_importer_cache.clear()


def main() -> None:
    global _request_id
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    # The code root comes first on sys.path (this file's own folder must not).
    sys.path[0] = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    compile_from_source(sys.path[0])
    sys.stdout = _Unbuffered(sys.stdout)
    sys.stderr = _Unbuffered(sys.stderr)
    try:
        setup_logging()
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as error:
        document = error_document(error, None)
        logging.warning(UNHANDLED_WARNING)
        log_error(document)
        api.post_error("/init/error", document)
        sys.exit(1)
    while True:
        event_body, headers = api.next()
        _request_id = headers.get("lambda-runtime-aws-request-id", "")
        trace = headers.get("lambda-runtime-trace-id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        invoke = {
            "request_id": _request_id,
            "invoked_function_arn": headers.get("lambda-runtime-invoked-function-arn", ""),
            "client_context": _json_header(headers.get("lambda-runtime-client-context")),
            "cognito_identity": _json_header(headers.get("lambda-runtime-cognito-identity")),
        }
        deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
        path = f"/invocation/{_request_id}"
        try:
            context = LambdaContext(invoke, deadline_ms)
            try:
                event = json.loads(event_body)
            except ValueError as error:
                message = f"Unable to unmarshal input: {error}"
                raise Fault("Runtime.UnmarshalError", message) from None
            body, content_type = marshal(handler(event, context))
        except Exception as error:
            document = error_document(error, _request_id)
            log_error(document)
            api.post_error(f"{path}/error", document)
            continue
        status, answer = api.post(f"{path}/response", body, content_type)
        if status == 413:  # over Lambda's limit: awslambdaric logs it and exits
            sys.stdout.write(
                f"[ERROR] [{int(time.time() * 1000)}] LAMBDA_RUNTIME Failed to post handler "
                f"success response. Http response code: {status}. "
                f"{answer.decode('utf-8', 'replace').strip()}\n"
            )
            sys.exit(1)


def _json_header(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


if __name__ == "__main__":
    main()
