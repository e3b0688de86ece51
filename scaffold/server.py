"""`lambda-new serve`: the function behind a local HTTP front door, warm, reloading on change.

The flow of one request: `_Handler` reads it; scaffold/integrations.py finds the
route in template.yaml's events and builds exactly the event the function's
integration sends (REST API v1, HTTP API v2, function URL, ALB); `Pool` hands
it to a warm execution environment (scaffold/sandbox.py: a runtime process and
its Runtime API, as `invoke` uses, kept alive); the handler's answer becomes the
HTTP response as that integration would turn it into one (a failed invoke: its
502). Function URLs with `InvokeMode: RESPONSE_STREAM` stream the body as the
handler writes it.

Environments: one request at a time each, up to `concurrency` of them, reused
(init once, as Lambda does); a request that finds them all busy waits. A change
under the code root (`Watcher`) retires them all: the next request starts a new
one, on the new code (rebuilt first when the function is an esbuild bundle).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scaffold import catalog, integrations, invoker, repo, runtimes, sandbox
from scaffold.errors import LambdaNewError, UsageError
from scaffold.runtime_api import PAYLOAD_LIMIT, Invocation, read_chunked, write_response

POLL_S = 0.3  # how often the watcher looks for changed files
# What a change to never restarts the function: tools' folders, caches, build output.
NOT_CODE = frozenset(
    {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache",
     ".ruff_cache", "dist", ".aws-sam", "coverage", ".DS_Store"}
)  # fmt: skip
PRELUDE_TYPE = "application/vnd.awslambda.http-integration-response"


@dataclass(frozen=True)
class Options:
    path: Path
    port: int = 3000
    host: str = "127.0.0.1"
    watch: bool = True
    function: str | None = None
    concurrency: int = 4
    env: tuple[str, ...] = ()


class Pool:
    """The function's warm execution environments."""

    def __init__(self, plan: invoker.Plan, log: sandbox.LogSink, limit: int, stage: Path) -> None:
        self.plan = plan
        self.log = log
        self.limit = limit
        self.stage = stage
        self.generation = 0
        self.idle: list[tuple[int, sandbox.Environment]] = []
        self.busy: set[sandbox.Environment] = set()
        self.starting = 0
        self.condition = threading.Condition()
        self._spec: sandbox.Spec | None = None
        self._build_error: str | None = None
        self.closed = False

    def spec(self) -> sandbox.Spec | str:
        """The spec of new environments, or why the code cannot run (a failed build)."""
        with self.condition:
            if self._spec is None and self._build_error is None:
                self._build()
            return self._spec if self._spec is not None else str(self._build_error)

    def _build(self) -> None:
        language = runtimes.get(self.plan.function.runtime.runtime)
        root = self.plan.function.code_root
        if language.needs_build(self.plan.function):
            out = self.stage / f"build-{self.generation}"
            out.mkdir(parents=True, exist_ok=True)
            try:
                root = language.build(self.plan.function, out)
            except LambdaNewError as error:
                self._build_error = str(error)
                return
        self._spec = invoker.spec_of(self.plan, root)

    @contextmanager
    def environment(self) -> Iterator[sandbox.Environment | sandbox.Result | str]:
        """A warm environment for one request (or the init failure's Result, or why the
        code could not be built); it goes back to the pool afterwards if still alive."""
        with self.condition:
            while not self.idle and len(self.busy) + self.starting >= self.limit:
                self.condition.wait()
            while self.idle and not self.idle[-1][1].healthy():
                self.idle.pop()[1].stop()  # its runtime exited while it waited
            if self.idle:
                generation, env = self.idle.pop()
                self.busy.add(env)
            else:
                self.starting += 1
                generation, env = self.generation, None
        if env is None:
            spec = self.spec()
            if isinstance(spec, str):
                self._done_starting(None)
                self.log.write(f"lambda-new: the code cannot run: {spec}\n".encode())
                yield spec
                return
            env = sandbox.Environment(spec, self.log)
            failed = env.start()
            self._done_starting(None if failed else env)
            if failed is not None:
                yield failed
                return
        try:
            yield env
        finally:
            with self.condition:
                self.busy.discard(env)
                if env.alive and generation == self.generation and not self.closed:
                    self.idle.append((generation, env))
                    env = None
                self.condition.notify()
            if env is not None:
                env.stop()

    def _done_starting(self, env: sandbox.Environment | None) -> None:
        with self.condition:
            self.starting -= 1
            if env is not None:
                self.busy.add(env)
            self.condition.notify()

    def reload(self) -> None:
        """The code changed: retire every environment (busy ones once they finish)."""
        with self.condition:
            self.generation += 1
            self._spec, self._build_error = None, None
            retired, self.idle = self.idle, []
        for _, env in retired:
            env.stop()

    def close(self) -> None:
        with self.condition:
            self.closed = True
            envs = [env for _, env in self.idle] + list(self.busy)
            self.idle = []
            self.condition.notify_all()
        for env in envs:
            env.stop()


class Watcher:
    """Polls the code root for changes (stdlib only: no watcher dependency)."""

    def __init__(self, root: Path, on_change: object) -> None:
        self.root = root
        self.on_change = on_change
        self.stop = threading.Event()
        self.snapshot = self._scan()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _scan(self) -> dict[str, tuple[int, int]]:
        seen: dict[str, tuple[int, int]] = {}
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if d not in NOT_CODE]
            for name in files:
                path = os.path.join(folder, name)
                with suppress(OSError):
                    info = os.stat(path)
                    seen[path] = (info.st_mtime_ns, info.st_size)
        return seen

    def _run(self) -> None:
        while not self.stop.wait(POLL_S):
            current = self._scan()
            if current != self.snapshot:
                changed = sorted(set(current.items()) ^ set(self.snapshot.items()))
                self.snapshot = current
                first = os.path.relpath(changed[0][0], self.root) if changed else ""
                callback = self.on_change
                if callable(callback):
                    callback(first)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        gateway: integrations.Gateway,
        plan: invoker.Plan,
        pool: Pool,
    ) -> None:
        self.gateway = gateway
        self.plan = plan
        self.pool = pool
        self.account = catalog.load().sample_account
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """A client that went away is not an error; anything else is one line, not a
        traceback, and the server goes on."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return
        self.pool.log.write(f"lambda-new: error answering a request: {error!r}\n".encode())


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without TCP_NODELAY, Nagle's algorithm
    # and the peer's delayed ACK hold the body back ~40 ms on every request.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        """The status line and Date: no `Server: BaseHTTP...` header, which AWS never sends."""
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self._send(integrations.HttpResponse(400, [("Content-Type", "text/plain")], b""))
            return
        if body is None:
            message = b'{"message":"Request Too Long"}'
            self._send(integrations.HttpResponse(413, _json_headers(), message))
            return
        request = integrations.HttpRequest(
            method=self.command,
            target=self.path,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
            host=self.headers.get("Host", "localhost"),
        )
        gateway, plan = self.server.gateway, self.server.plan
        request_id = invoker.new_request_id()  # the front door's (requestContext.requestId)
        matched = integrations.match(gateway, request, request_id=request_id)
        if isinstance(matched, integrations.HttpResponse):
            self._send(matched)
            return
        event = integrations.to_event(
            gateway,
            matched,
            request,
            region=plan.region,
            account=self.server.account,
            request_id=request_id,
            now_ms=int(time.time() * 1000),
        )
        data = json.dumps(event).encode()
        stream = _Stream(self) if gateway.streaming else None
        now_ms = int(time.time() * 1000)
        with self.server.pool.environment() as env:
            if not isinstance(env, sandbox.Environment):  # init failed, or the build did
                self._send(
                    integrations.function_error(gateway, request_id=request_id, now_ms=now_ms)
                )
                return
            invocation = invoker.invocation(plan, data)
            invocation.sink = stream.write if stream else None
            if stream is not None:
                stream.invocation = invocation
            result = env.invoke(invocation)
        if stream is not None and stream.started:
            stream.finish(result.ok)
        elif result.status == "timeout":
            self._send(
                integrations.timed_out(gateway, request_id=request_id)
                or integrations.function_error(gateway, request_id=request_id, now_ms=now_ms)
            )
        elif not result.ok:
            self._send(integrations.function_error(gateway, request_id=request_id, now_ms=now_ms))
        else:
            self._send(
                integrations.to_response(
                    gateway, result.payload, request=request, request_id=request_id, now_ms=now_ms
                )
            )

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

    def _read_body(self) -> bytes | None:
        """The request's body; None when it is over Lambda's limit."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = bytearray()
            read_chunked(self.rfile, parts.extend, {})
            data = bytes(parts)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            if length > PAYLOAD_LIMIT:
                self.close_connection = True
                return None
            data = self.rfile.read(length) if length else b""
        return None if len(data) > PAYLOAD_LIMIT else data

    def _send(self, response: integrations.HttpResponse) -> None:
        headers = [("Date", self.date_time_string()), *response.headers]
        closing = write_response(
            self.wfile,
            response.status,
            headers,
            response.body,
            response.reason,
            send_body=self.command != "HEAD",
        )
        self.close_connection = self.close_connection or closing


def _json_headers() -> list[tuple[str, str]]:
    return [("Content-Type", "application/json")]


class _Stream:
    """A function URL's streamed response: the HTTP prelude (status, headers, cookies)
    when the handler sends one, then the body in chunks as the handler writes them."""

    def __init__(self, handler: _Handler) -> None:
        self.handler = handler
        self.invocation: Invocation | None = None
        self.started = False
        self.pending = bytearray()
        self.prelude_done = False

    def write(self, chunk: bytes) -> None:
        content_type = (self.invocation.stream_type if self.invocation else None) or ""
        if not self.prelude_done and content_type == PRELUDE_TYPE:
            self.pending.extend(chunk)
            end = self.pending.find(b"\0" * 8)
            if end < 0:
                return
            prelude, rest = bytes(self.pending[:end]), bytes(self.pending[end + 8 :])
            self.prelude_done = True
            self._start_http(prelude, None)
            if rest:
                self._chunk(rest)
            return
        if not self.started:
            self.prelude_done = True
            self._start_http(None, content_type or "application/octet-stream")
        self._chunk(chunk)

    def _start_http(self, prelude: bytes | None, content_type: str | None) -> None:
        handler = self.handler
        status, headers, cookies = 200, {}, []
        if prelude is not None:
            with suppress(ValueError, RecursionError):
                document = json.loads(prelude or b"{}")
                if isinstance(document, dict):
                    status = int(document.get("statusCode") or 200)
                    headers = {str(k): str(v) for k, v in (document.get("headers") or {}).items()}
                    cookies = [str(c) for c in document.get("cookies") or []]
        handler.send_response(status)
        if content_type and "content-type" not in {k.lower() for k in headers}:
            handler.send_header("Content-Type", content_type)
        for name, value in headers.items():
            handler.send_header(name, value)
        for cookie in cookies:
            handler.send_header("Set-Cookie", cookie)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.wfile.flush()
        self.started = True

    def _chunk(self, data: bytes) -> None:
        if data:
            self.handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.handler.wfile.flush()

    def finish(self, ok: bool) -> None:
        if ok:
            self.handler.wfile.write(b"0\r\n\r\n")
        else:  # the function failed mid-stream: the client sees the stream cut short
            self.handler.close_connection = True
        self.handler.wfile.flush()


def serve(options: Options) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM, SIGHUP): the function, or in a repo of
    several functions and without --function, every HTTP one, each on its own port (its
    own front door, as each has its own API or URL in AWS): PORT, PORT+1, ..."""
    from scaffold import signals

    targets = _targets(options)
    if not 1 <= options.concurrency <= 64:
        raise UsageError("--concurrency: use a number of environments from 1 to 64")
    log = sandbox.LogSink(sys.stderr.buffer)
    with signals.scratch("lambda-new-serve-") as stage, ExitStack() as running:
        servers = []
        for index, (found, function, gateway) in enumerate(targets):
            plan = invoker.prepare(
                invoker.Request(path=found.root, function=function.logical_id, env=options.env)
            )
            (stage / str(index)).mkdir()
            pool = Pool(plan, log, options.concurrency, stage / str(index))
            running.callback(pool.close)
            port = options.port + index if options.port else 0
            try:
                server = _Server((options.host, port), gateway, plan, pool)
            except OSError as error:
                raise LambdaNewError(
                    f"cannot listen on {options.host}:{port}: {error.strerror or error}; "
                    "choose another with --port"
                ) from None
            running.callback(server.server_close)
            servers.append(server)
            if options.watch:
                watcher = Watcher(function.code_root, _reloader(log, pool))
                watcher.start()
                running.callback(watcher.stop.set)
            host, bound = server.server_address[:2]
            routes = ", ".join(f"{r.method} {r.path}" for r in gateway.routes)
            log.write(
                f"lambda-new: serving {function.logical_id} ({gateway.integration}) on "
                f"http://{host!s}:{bound}  routes: {routes}  (Ctrl-C stops)\n".encode()
            )
            for warning in plan.warnings:
                log.write(f"lambda-new: warning: {warning}\n".encode())
        for server in servers[1:]:
            thread = threading.Thread(target=server.serve_forever, args=(0.2,), daemon=True)
            thread.start()
            running.callback(server.shutdown)
        servers[0].serve_forever(poll_interval=0.2)


def _reloader(log: sandbox.LogSink, pool: Pool) -> Callable[[str], None]:
    def changed(name: str) -> None:
        log.write(f"lambda-new: {name} changed: reloading\n".encode())
        pool.reload()

    return changed


def _targets(options: Options) -> list[tuple[repo.Repo, repo.Function, integrations.Gateway]]:
    """What to serve: the function --function names (or the repo's only one), or every
    HTTP function of a repo of several."""
    found, function = repo.select(options.path, options.function)
    gateway = integrations.gateway(found, function)
    targets = [(found, function, gateway)] if gateway is not None else []
    if options.function is None:
        for member in found.members:
            inner = repo.read(member.path)
            only = inner.function()
            door = integrations.gateway(inner, only)
            if door is not None:
                targets.append((inner, only, door))
    if targets:
        return targets
    if found.members and options.function is None:
        raise UsageError(
            "serve runs functions behind an HTTP front door (api, http-api, function-url, "
            "alb); none of this repo's functions has one: use `lambda-new invoke --function "
            "NAME` with a sample event instead"
        )
    trigger = found.trigger or "not an HTTP one"
    raise UsageError(
        f"serve runs functions behind an HTTP front door (api, http-api, function-url, "
        f"alb); {function.logical_id}'s trigger is {trigger}: use `lambda-new invoke` "
        "with a sample event instead"
    )
