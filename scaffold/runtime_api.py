"""The Lambda Runtime API, hosted locally: what a runtime client talks to.

Lambda gives each execution environment an HTTP endpoint, AWS_LAMBDA_RUNTIME_API
(`host:port`), and the runtime client in it polls for work:

    GET  /2018-06-01/runtime/invocation/next            -> the event, with its headers
    POST /2018-06-01/runtime/invocation/{id}/response   -> 202 (413 when over 6 MB)
    POST /2018-06-01/runtime/invocation/{id}/error      -> 202
    POST /2018-06-01/runtime/init/error                 -> 202

`RuntimeApi` serves exactly that on 127.0.0.1, one instance per environment
(scaffold/sandbox.py), so lambda-new's own clients (scaffold/runtime/) and AWS's
official ones (awslambdaric, aws-lambda-ric) run unchanged. Everything a client
does arrives in `inbox` as a `Message`, in order; a held `/next` is answered by
`offer()`. A streamed response (`Lambda-Runtime-Function-Response-Mode:
streaming`, chunked, errors in trailers) is passed on chunk by chunk to the
invocation's `sink` as it arrives.
"""

from __future__ import annotations

import json
import queue
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from io import BufferedIOBase

PREFIX = "/2018-06-01/runtime/"
PAYLOAD_LIMIT = 6_291_456  # bytes: a synchronous invoke's request (6 MiB)
# The largest response the Runtime API accepts (aws-lambda-runtime-interface-emulator's
# interop.MaxPayloadSize): one byte more is answered 413.
RESPONSE_LIMIT = 6_291_556
ERROR_TYPE = "Lambda-Runtime-Function-Error-Type"
ERROR_BODY = "Lambda-Runtime-Function-Error-Body"
STREAMING = "Lambda-Runtime-Function-Response-Mode"


@dataclass
class Invocation:
    """One event to hand to the runtime, with the headers Lambda sends with it."""

    request_id: str
    event: bytes
    deadline_ms: int  # epoch milliseconds
    function_arn: str
    trace_id: str
    client_context: str | None = None
    cognito_identity: str | None = None
    # Where a streamed response's bytes go as they arrive (serve: the HTTP client).
    sink: Callable[[bytes], None] | None = None
    stream_type: str | None = None  # a streamed response's Content-Type, once it starts

    def headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": self.request_id,
            "Lambda-Runtime-Deadline-Ms": str(self.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.function_arn,
            "Lambda-Runtime-Trace-Id": self.trace_id,
        }
        if self.client_context is not None:
            headers["Lambda-Runtime-Client-Context"] = self.client_context
        if self.cognito_identity is not None:
            headers["Lambda-Runtime-Cognito-Identity"] = self.cognito_identity
        return headers


@dataclass
class Message:
    """Something the runtime did (or, for "exit", its process)."""

    kind: str  # "next", "response", "error", "init_error", "too_large", "exit"
    at: float = field(default_factory=time.monotonic)
    request_id: str = ""
    body: bytes = b""
    error_type: str | None = None
    user_agent: str = ""
    streamed: bool = False
    exit_code: int = 0
    size: int = 0  # the body's length in bytes, all of it (also when not kept)


class RuntimeApi:
    """The Runtime API of one execution environment, on 127.0.0.1 (a free port)."""

    def __init__(self) -> None:
        # SimpleQueue: implemented in C, several times cheaper per hand-off than Queue.
        self.inbox: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self._offers: queue.SimpleQueue[Invocation | None] = queue.SimpleQueue()
        self.current: Invocation | None = None
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def address(self) -> str:
        """AWS_LAMBDA_RUNTIME_API: host:port, no scheme."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def offer(self, invocation: Invocation) -> None:
        """Answer the held (or next) `/next` with this invocation."""
        self.current = invocation
        self._offers.put(invocation)

    def close(self) -> None:
        """Stop serving. Not waited for: the server notices within its poll interval."""
        self._offers.put(None)  # a held /next gives up
        threading.Thread(target=self._stop, daemon=True).start()

    def _stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, api: RuntimeApi) -> None:
        self.api = api
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A runtime that dropped its connection (killed, timed out) is not an error;
        anything else is one line, not a traceback."""
        import sys

        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            sys.stderr.write(f"lambda-new: Runtime API: {error!r}\n")


class _Headers(dict[str, str]):
    """A request's headers by lower-case name; `get` takes any case."""

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(name.lower(), default)


class _Handler(socketserver.StreamRequestHandler):
    """HTTP/1.1 for the Runtime API's few requests, parsed by hand: a runtime sends
    simple ones, and http.server's parsing (the email package) costs more than the rest
    of a warm invoke's work here."""

    server: _Server
    # Without TCP_NODELAY, Nagle's algorithm and the peer's delayed ACK can hold a
    # response back ~40 ms.
    disable_nagle_algorithm = True
    command = ""
    path = ""
    headers: _Headers
    close_connection = False

    def handle(self) -> None:
        while not self.close_connection:
            line = self.rfile.readline(65537)
            parts = line.split()
            if len(parts) != 3:
                return  # the connection closed (or is not HTTP)
            self.command, self.path = parts[0].decode("latin-1"), parts[1].decode("latin-1")
            self.headers = _Headers()
            while True:
                header = self.rfile.readline(65537)
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _, value = header.decode("latin-1").partition(":")
                self.headers[name.strip().lower()] = value.strip()
            if (self.headers.get("Connection") or "").lower() == "close":
                self.close_connection = True
            if self.command == "GET":
                self.do_GET()
            elif self.command == "POST":
                self.do_POST()
            else:
                self._body(None)
                self._error(405, "InvalidRequest", f"{self.command} is not a Runtime API method")

    def _reply(self, status: int, body: bytes = b"") -> None:
        if write_response(self.wfile, status, [("Content-Type", "application/json")], body):
            self.close_connection = True

    def _error(self, status: int, error_type: str, message: str) -> None:
        document = {"errorMessage": message, "errorType": error_type}
        self._reply(status, json.dumps(document).encode() + b"\n")

    def do_GET(self) -> None:
        api = self.server.api
        if self.path != PREFIX + "invocation/next":
            self._error(404, "InvalidRequest", "not a Runtime API resource")
            return
        api.inbox.put(Message("next", user_agent=self.headers.get("User-Agent") or ""))
        invocation = api._offers.get()
        if invocation is None:  # the environment is shutting down
            api._offers.put(None)
            self.close_connection = True
            return
        write_response(self.wfile, 200, list(invocation.headers().items()), invocation.event)

    def do_POST(self) -> None:
        api = self.server.api
        route = self.path.removeprefix(PREFIX) if self.path.startswith(PREFIX) else ""
        current = api.current
        if route == "init/error":
            body = self._body(None)
            api.inbox.put(Message("init_error", body=body, error_type=self.headers.get(ERROR_TYPE)))
            self._reply(202, b'{"status":"OK"}\n')
            return
        parts = route.split("/")
        if len(parts) != 3 or parts[0] != "invocation" or parts[2] not in {"response", "error"}:
            self._body(None)
            self._error(404, "InvalidRequest", "not a Runtime API resource")
            return
        if current is None or parts[1] != current.request_id:
            self._body(None)
            self._error(400, "InvalidRequestID", "Invalid request ID")
            return
        streamed = (self.headers.get(STREAMING) or "").lower() == "streaming"
        if parts[2] == "error":
            body = self._body(None)
            api.inbox.put(
                Message(
                    "error",
                    request_id=current.request_id,
                    body=body,
                    error_type=self.headers.get(ERROR_TYPE),
                )
            )
            self._reply(202, b'{"status":"OK"}\n')
            return
        if streamed:
            current.stream_type = self.headers.get("Content-Type")
            trailers: dict[str, str] = {}
            body = self._body(current.sink, trailers, limit=None)
            error_type = trailers.get(ERROR_TYPE.lower())
            message = Message(
                "error" if error_type else "response",
                request_id=current.request_id,
                body=_trailer_body(trailers) if error_type else body,
                error_type=error_type,
                streamed=True,
            )
            api.inbox.put(message)
            self._reply(202, b'{"status":"OK"}\n')
            return
        sizes: list[int] = []
        body = self._body(None, limit=RESPONSE_LIMIT, sizes=sizes)
        if sizes[0] > RESPONSE_LIMIT:
            api.inbox.put(Message("too_large", request_id=current.request_id, size=sizes[0]))
            self._error(
                413,
                "RequestEntityTooLarge",
                f"Exceeded maximum allowed payload size ({RESPONSE_LIMIT} bytes).",
            )
            return
        api.inbox.put(Message("response", request_id=current.request_id, body=body))
        self._reply(202, b'{"status":"OK"}\n')

    def _body(
        self,
        sink: Callable[[bytes], None] | None,
        trailers: dict[str, str] | None = None,
        limit: int | None = None,
        sizes: list[int] | None = None,
    ) -> bytes:
        """The request body (Content-Length or chunked). With a sink, chunks go there as
        they arrive (and are kept too); past `limit` bytes the rest is read and dropped."""
        kept = bytearray()
        total = [0]

        def take(data: bytes) -> None:
            total[0] += len(data)
            if sink is not None:
                sink(data)
            if limit is None or len(kept) <= limit:
                kept.extend(data)

        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            read_chunked(self.rfile, take, trailers if trailers is not None else {})
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            while remaining > 0:
                data = self.rfile.read(min(remaining, 1 << 20))
                if not data:
                    break
                remaining -= len(data)
                take(data)
        if sizes is not None:
            sizes.append(total[0])
        return bytes(kept)


def write_response(
    wfile: BufferedIOBase,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    reason: str | None = None,
    send_body: bool = True,
) -> bool:
    """A whole HTTP/1.1 response in one write: status line, headers (Content-Length added
    when missing), body. One packet and one wake-up of the reader, where http.server
    writes the headers and the body apart. True when the headers close the connection."""
    phrase = reason if reason is not None else _phrase(status)
    lines = [f"HTTP/1.1 {status} {phrase}"]
    names = set()
    closing = False
    for name, value in headers:
        lines.append(f"{name}: {value}")
        names.add(name.lower())
        closing = closing or (name.lower() == "connection" and value.lower() == "close")
    if "content-length" not in names:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
    wfile.write(head + body if send_body else head)
    return closing


_PHRASES = {status.value: status.phrase for status in HTTPStatus}


def _phrase(status: int) -> str:
    return _PHRASES.get(status, "")


def read_chunked(
    stream: BufferedIOBase, take: Callable[[bytes], None], trailers: dict[str, str]
) -> None:
    while True:
        size_line = stream.readline(1024)
        if not size_line:
            return
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            break
        remaining = size
        while remaining > 0:
            data = stream.read(min(remaining, 1 << 20))
            if not data:
                return
            remaining -= len(data)
            take(data)
        stream.readline(8)  # the chunk's CRLF
    while True:  # trailers, then the empty line
        line = stream.readline(65536)
        if not line or line in (b"\r\n", b"\n"):
            return
        name, _, value = line.decode("latin-1").partition(":")
        trailers[name.strip().lower()] = value.strip()


def _trailer_body(trailers: dict[str, str]) -> bytes:
    """A streamed error's document: the base64 Lambda-Runtime-Function-Error-Body trailer."""
    import base64
    import binascii

    try:
        return base64.b64decode(trailers.get(ERROR_BODY.lower(), ""), validate=True)
    except (binascii.Error, ValueError):
        return b""
