"""The guard's MCP front door: a proxy that sits in front of any MCP server.

The proxy connects to the upstream server as a client (a stdio command or a streamable-HTTP
URL), lists its tools, and serves the same tools (names, descriptions, input and output
schemas, annotations: the upstream's listing, passed through unchanged) over stdio or
streamable HTTP. Every ``tools/call`` first goes through a :class:`~unwatched.guard.Guard`,
which writes its audit record before anything is acted on. How the guard's actions map onto
MCP:

- ``allow``: the call is forwarded and the upstream's result comes back unchanged.
- ``snapshot``: forwarded like ``allow``. An MCP server offers no snapshot or undo, so none
  is taken; the audit record says so (``door_note``). Through this door a one-way call stays
  one-way: use ``block`` or ``dry_run`` for calls that must not run unseen.
- ``block``: not forwarded; the result is a tool error (``isError``) carrying the reason.
- ``approve``: there is no human in the MCP loop to ask, so the proxy fails closed: not
  forwarded, a tool error ``needs human approval: <reason>``.
- ``dry_run``: not forwarded; the result is the text ``DRY RUN — not executed: would call
  <tool> with <args>``. It is marked ``isError`` when the tool declares an output schema:
  MCP requires a success result of such a tool to carry conforming structured content
  (clients check), which a call that never ran cannot have.

The upstream's annotations give the guard a class for each tool (``readOnlyHint`` → read,
``destructiveHint: false`` → reversible); a destructive or unannotated tool gets none, so the
policy's ``classes`` decide and anything left unclassified is a one-way door. Only tools are
proxied; the upstream's resources and prompts are not exposed.

Each client session is one trajectory with its own :class:`Guard` (history, budgets,
``after`` rules), labelled with the session id in the shared audit log. Over stdio the
connection is the session. Over HTTP the trajectory is the ``Mcp-Session-Id`` of a
handshake-era session: the proxy advertises only handshake protocol versions in
``server/discover`` so clients open one, and refuses (without forwarding or auditing) a call
that carries no session, since it could not be tied to a trajectory. A client can always
start a new session, and with it a fresh history: budgets bound a trajectory, not a client.
The HTTP side answers each request with a JSON body rather than an SSE stream (about half
the per-call latency); nothing the upstream sends during a call (progress, log messages) is
relayed either way. A trajectory's guard lives as long as the proxy.

Decisions of one trajectory are made one at a time, in arrival order, so concurrent calls
cannot race past a budget; forwarding is concurrent. The audit record is fsynced inside
``Guard.check``, on the event loop, one at a time: the disk's fsync latency bounds the
proxy's throughput.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import anyio
import click
import httpx2
import uvicorn
from mcp import Client, StdioServerParameters, types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from ..errors import SpecErrors, UnwatchedError, display_path
from ._audit import AuditLog
from ._guard import Guard, MonitorFn
from ._policy import CallClass, Policy, load_policy

Upstream = str | Sequence[str]
"""An upstream MCP server: a streamable-HTTP URL, or a stdio command as an argv list."""

Transport = Literal["stdio", "http"]

DEFAULT_PORT = 8765
CONNECT_TIMEOUT = 30.0
"""Seconds the upstream gets to start, answer the handshake and list its tools."""

_LOOPBACK = ("127.0.0.1", "localhost", "::1")

_DOOR_NOTES: dict[str, str] = {
    "snapshot": "MCP servers cannot be snapshotted: forwarded without a snapshot, "
    "so this call stays one-way",
    "approve": "no human in the MCP loop: failed closed, not forwarded",
    "dry_run": "not forwarded: answered with a description of the call",
    "block": "not forwarded",
}


class ProxyError(UnwatchedError):
    """The proxy cannot start or serve: the upstream, the address or the audit log is wrong."""


def tool_class(tool: types.Tool) -> CallClass | None:
    """The guard's class for an upstream tool, from its MCP annotations.

    ``readOnlyHint`` makes it a read and ``destructiveHint: false`` a reversible write. A
    destructive or unannotated tool gets no class, so the policy decides (one-way by default):
    MCP hints are the server's own claims, and only the safe default is taken on trust.
    """
    hints = tool.annotations
    if hints is None:
        return None
    if hints.read_only_hint:
        return "read"
    if hints.destructive_hint is False:
        return "reversible"
    return None


def describe_upstream(upstream: Upstream) -> str:
    """The upstream as a person would write it (URL or command line)."""
    if isinstance(upstream, str):
        return upstream
    return " ".join(upstream)


class _DoorAudit(AuditLog):
    """The audit log as the MCP door writes it: each record also says what the door does.

    ``forward`` (the call goes to the upstream; the record is written before it does) and,
    where MCP changes the meaning of the action, a ``door_note``.
    """

    def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        door: dict[str, Any] = {"door": "mcp", "forward": entry.get("action") in _FORWARD}
        note = _DOOR_NOTES.get(str(entry.get("action")))
        if note:
            door["door_note"] = note
        return super().append({**entry, **door})


_FORWARD = ("allow", "snapshot")

_UPSTREAM_FAILURES = (
    OSError,
    MCPError,
    httpx2.HTTPError,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
)
"""What the upstream client's task groups raise when the upstream goes away."""


def _text(text: str, error: bool = False) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=error)


def _args_text(arguments: Mapping[str, Any]) -> str:
    return json.dumps(dict(arguments), sort_keys=True, ensure_ascii=False, default=str)


@dataclass
class _Trajectory:
    guard: Guard
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Decisions of one trajectory are made one at a time, in arrival order."""


class GuardProxy:
    """A guard in front of one connected upstream MCP server, serving its tools.

    Make one with :meth:`connect`; :meth:`call` is the whole decision path without a
    transport, and :meth:`serve_stdio` / :meth:`serve_http` put it on the wire.
    """

    def __init__(
        self,
        policy: Policy,
        upstream: Client,
        audit: AuditLog | None = None,
        monitor: MonitorFn | None = None,
        tools: Sequence[types.Tool] = (),
    ) -> None:
        self.policy = policy
        self.upstream = upstream
        self.audit = audit
        self.monitor = monitor
        self.tools: dict[str, types.Tool] = {}
        """The upstream's tools by name, as last listed."""
        self._remember(tools)
        self._trajectories: dict[str, _Trajectory] = {}
        self._connection_label: str | None = None
        info = upstream.server_info
        name = info.name if info is not None else "upstream"
        self.server: Server[Any] = Server(
            f"unwatched-guard({name})",
            version=info.version if info is not None else "",
            instructions=upstream.instructions,
            on_list_tools=self._on_list_tools,
            on_call_tool=self._on_call_tool,
        )

    @classmethod
    @asynccontextmanager
    async def connect(
        cls,
        policy: Policy | str | Path,
        upstream: Upstream,
        audit_path: str | Path | None,
        monitor: MonitorFn | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> AsyncIterator[GuardProxy]:
        """Start or reach the upstream, list its tools, load the policy, open the audit log.

        A policy given as a path is checked against the upstream's tool names, so a rule that
        names a tool the server does not have is an error, not a rule that never matches.
        """
        if not isinstance(policy, Policy):
            load_policy(policy)  # a broken file fails before the upstream is started
        client = _client(upstream)
        try:
            async with cls._started(client, upstream, connect_timeout) as tools:
                loaded = _load(policy, [t.name for t in tools])
                if loaded.monitor is not None and monitor is None:
                    raise ProxyError(
                        "the policy asks for a monitor model, and the MCP proxy has none: "
                        "remove `monitor:` from the policy or pass a monitor to the proxy"
                    )
                audit = _open_audit(audit_path)
                try:
                    yield cls(loaded, client, audit, monitor, tools)
                finally:
                    if audit is not None:
                        audit.close()
        except BaseExceptionGroup as group:
            # The upstream client's task groups wrap whatever is raised inside them.
            lone = _lone(group)
            if isinstance(lone, UnwatchedError):
                raise lone from None
            if isinstance(lone, _UPSTREAM_FAILURES):
                where = describe_upstream(upstream)
                raise ProxyError(
                    f"lost the upstream MCP server ({where}): {_cause(lone)}"
                ) from None
            raise

    @staticmethod
    @asynccontextmanager
    async def _started(
        client: Client, upstream: Upstream, connect_timeout: float
    ) -> AsyncIterator[list[types.Tool]]:
        where = describe_upstream(upstream)
        with anyio.CancelScope(deadline=anyio.current_time() + connect_timeout) as startup:
            async with AsyncExitStack() as stack:
                try:
                    await stack.enter_async_context(client)
                    tools = await _list_all(client)
                except Exception as exc:
                    raise ProxyError(
                        f"the upstream MCP server ({where}) did not start: {_cause(exc)}"
                    ) from None
                startup.deadline = math.inf
                yield tools
        if startup.cancelled_caught:
            raise ProxyError(
                f"the upstream MCP server ({where}) did not answer within "
                f"{connect_timeout:g} s (handshake and tool listing)"
            )

    # The decision path ------------------------------------------------------------------

    def _trajectory(self, label: str) -> _Trajectory:
        found = self._trajectories.get(label)
        if found is None:
            guard = Guard(self.policy, audit=self.audit, monitor=self.monitor, label=label)
            found = self._trajectories[label] = _Trajectory(guard)
        return found

    async def call(
        self, trajectory: str, tool: str, arguments: Mapping[str, Any]
    ) -> types.CallToolResult:
        """Decide about one call of ``trajectory`` and act on the decision."""
        state = self._trajectory(trajectory)
        async with state.lock:
            decision = await state.guard.check(tool, arguments, self.known_class(tool))
        if decision.action in _FORWARD:
            return await self._forward(tool, arguments)
        if decision.action == "dry_run":
            # A success result of a tool with an output schema must carry conforming
            # structured content (clients check), which a call that did not run cannot have.
            listed = self.tools.get(tool)
            schema = listed is not None and listed.output_schema is not None
            text = f"DRY RUN — not executed: would call {tool} with {_args_text(arguments)}"
            return _text(text, error=schema)
        if decision.action == "approve":
            return _text(f"needs human approval: {decision.reason}", error=True)
        return _text(f"blocked by the guard: {decision.reason}", error=True)

    async def _forward(self, tool: str, arguments: Mapping[str, Any]) -> types.CallToolResult:
        try:
            return await self.upstream.session.call_tool(tool, dict(arguments))
        except MCPError:
            raise  # the upstream's own protocol answer, passed on as it is
        except Exception as exc:
            return _text(f"the upstream MCP server failed: {_cause(exc)}", error=True)

    def known_class(self, tool: str) -> CallClass | None:
        """The class the upstream's annotations give ``tool`` (None: the policy decides)."""
        listed = self.tools.get(tool)
        return tool_class(listed) if listed is not None else None

    def _remember(self, tools: Sequence[types.Tool]) -> None:
        for tool in tools:
            self.tools[tool.name] = tool

    # MCP handlers ---------------------------------------------------------------------

    async def _on_list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        cursor = params.cursor if params is not None else None
        listing = await self.upstream.session.list_tools(
            params=types.PaginatedRequestParams(cursor=cursor) if cursor else None
        )
        self._remember(listing.tools)
        return types.ListToolsResult(tools=listing.tools, next_cursor=listing.next_cursor)

    async def _on_call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        return await self.call(self._label(ctx), params.name, params.arguments or {})

    async def _on_discover(
        self, ctx: ServerRequestContext[Any], params: types.RequestParams
    ) -> types.DiscoverResult:
        # Handshake versions only: HTTP clients then open a session, which is a trajectory.
        return types.DiscoverResult(
            supported_versions=list(HANDSHAKE_PROTOCOL_VERSIONS),
            capabilities=self.server.get_capabilities(),
            instructions=self.server.instructions,
        )

    def _label(self, ctx: ServerRequestContext[Any]) -> str:
        if self._connection_label is not None:
            return self._connection_label
        headers = getattr(ctx.request, "headers", None)
        session = headers.get("mcp-session-id") if headers is not None else None
        if session:
            return f"mcp-http:{session}"
        raise MCPError(
            code=types.INVALID_REQUEST,
            message="the unwatched guard keeps one trajectory per MCP session, and this call "
            "has none: connect with the initialize handshake (protocol 2025-11-25 or earlier)",
        )

    # Transports -----------------------------------------------------------------------

    async def serve_stdio(self) -> None:
        """Serve one client over this process's stdin and stdout until it disconnects."""
        self._connection_label = f"mcp-stdio:{uuid.uuid4().hex[:12]}"
        async with stdio_server() as (read, write):
            await self.server.run(read, write, self.server.create_initialization_options())

    async def serve_http(
        self,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        on_ready: Callable[[str], None] | None = None,
    ) -> None:
        """Serve streamable HTTP at ``http://host:port/mcp`` (port 0: any free port).

        ``on_ready`` gets the URL once the server is listening.
        """
        self.server.add_request_handler("server/discover", types.RequestParams, self._on_discover)
        sock = _listen(host, port)
        app = self.server.streamable_http_app(host=host, json_response=True)
        config = uvicorn.Config(
            app, log_level="warning", lifespan="on", access_log=False, timeout_graceful_shutdown=3
        )
        web = uvicorn.Server(config)
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(web.serve, [sock])
                while not web.started:
                    if web.should_exit:
                        return
                    await anyio.sleep(0.01)
                if on_ready is not None:
                    on_ready(f"http://{shown}:{bound}/mcp")
        finally:
            if web.started and not web.should_exit:
                # Stopped from outside (the upstream went away): let the open requests end
                # instead of leaving them to be cancelled, mid-response, at interpreter exit.
                with anyio.CancelScope(shield=True), anyio.move_on_after(5):
                    web.should_exit = True
                    await web.shutdown([sock])


def _client(upstream: Upstream) -> Client:
    if isinstance(upstream, str):
        if not upstream.startswith(("http://", "https://")):
            raise ProxyError(f"upstream URL {upstream!r} is not an http:// or https:// URL")
        return Client(upstream, cache=None)
    argv = list(upstream)
    if not argv:
        raise ProxyError("no upstream: give a command after `--` or --upstream-url URL")
    # The upstream inherits this process's environment: the host that configured the proxy
    # configured it for the server behind it.
    params = StdioServerParameters(command=argv[0], args=argv[1:], env=dict(os.environ))
    return Client(params, cache=None)


async def _list_all(client: Client) -> list[types.Tool]:
    tools: list[types.Tool] = []
    cursor: str | None = None
    for _ in range(1000):
        page = await client.session.list_tools(
            params=types.PaginatedRequestParams(cursor=cursor) if cursor else None
        )
        tools.extend(page.tools)
        cursor = page.next_cursor
        if not cursor:
            return tools
    raise ProxyError("the upstream's tool listing did not end after 1000 pages")


def _load(policy: Policy | str | Path, tool_names: list[str]) -> Policy:
    if isinstance(policy, Policy):
        return policy
    return load_policy(policy, known_tools=tool_names)


def _open_audit(path: str | Path | None) -> AuditLog | None:
    if path is None:
        return None
    try:
        return _DoorAudit(path)
    except (OSError, ValueError, json.JSONDecodeError) as exc:
        raise ProxyError(f"cannot open the audit log {display_path(path)}: {exc}") from None


def _listen(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        raise ProxyError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


def _lone(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    """The one exception inside (nested) groups, or None when there are several."""
    inner: BaseException = group
    while isinstance(inner, BaseExceptionGroup):
        if len(inner.exceptions) != 1:
            return None
        inner = inner.exceptions[0]
    return inner


def _cause(exc: BaseException) -> str:
    """The innermost message of an exception, through task-group exception groups."""
    if isinstance(exc, BaseExceptionGroup):
        exc = _lone(exc) or exc
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_cause(e) for e in exc.exceptions)
    text = str(exc) or type(exc).__name__
    if isinstance(exc, FileNotFoundError) and exc.filename:
        text = f"no such command: {exc.filename}"
    return text


async def run_proxy(
    policy: Policy | str | Path,
    upstream: Upstream,
    audit_path: str | Path | None,
    transport: Transport = "stdio",
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    *,
    monitor: MonitorFn | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``upstream``'s tools through the guard until the client (stdio) or we (HTTP) stop.

    ``upstream`` is a streamable-HTTP URL or a stdio command (argv list); ``policy`` a
    :class:`Policy` or a policy file; ``audit_path`` the hash-chained audit log (None: none).
    """
    async with GuardProxy.connect(policy, upstream, audit_path, monitor, connect_timeout) as proxy:
        if transport == "stdio":
            await proxy.serve_stdio()
        elif transport == "http":
            await proxy.serve_http(host, port, on_ready)
        else:
            raise ProxyError(f"unknown transport {transport!r}: use stdio or http")


def _address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not sep or not port.isdigit() or int(port) > 65535:
        raise click.BadParameter(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:8765)")
    return host, int(port)


@click.command("proxy")
@click.option(
    "--policy",
    "policy_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Guard policy (YAML).",
)
@click.option(
    "--audit",
    "audit_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Audit log to append to (hash-chained JSON lines).",
)
@click.option(
    "--http",
    "http",
    default=None,
    metavar="HOST:PORT",
    help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio (port 0: any).",
)
@click.option(
    "--upstream-url", default=None, metavar="URL", help="Upstream streamable-HTTP MCP server."
)
@click.option(
    "--connect-timeout",
    default=CONNECT_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds the upstream gets to start and list its tools.",
)
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def proxy_command(
    policy_path: str,
    audit_path: str,
    http: str | None,
    upstream_url: str | None,
    connect_timeout: float,
    command: tuple[str, ...],
) -> None:
    """Serve an MCP server's tools through the guard.

    The upstream is COMMAND (a stdio MCP server, after `--`) or --upstream-url. Blocked calls
    come back as tool errors; `approve` fails closed (there is no human in the loop);
    `dry_run` answers with a description of the call; `snapshot` runs the call without a
    snapshot, which an MCP server cannot take.

        unwatched guard proxy --policy p.yaml --audit audit.jsonl -- npx some-mcp-server
    """
    if bool(command) == bool(upstream_url):
        raise click.UsageError("give the upstream as a command after `--` or as --upstream-url")
    upstream: Upstream = upstream_url if upstream_url else list(command)
    transport: Transport = "http" if http else "stdio"
    host, port = _address(http) if http else ("127.0.0.1", DEFAULT_PORT)

    def ready(url: str) -> None:
        click.echo(f"unwatched guard proxy: serving {url}", err=True)
        if host not in _LOOPBACK:
            click.echo(
                "warning: not a loopback address, and the proxy has no authentication: "
                "whoever reaches it can call the upstream's tools (through the guard)",
                err=True,
            )

    try:
        anyio.run(
            lambda: run_proxy(
                policy_path,
                upstream,
                audit_path,
                transport,
                host,
                port,
                connect_timeout=connect_timeout,
                on_ready=ready,
            )
        )
    except SpecErrors as exc:
        for err in exc.errors:
            click.secho(f"error: {err}", fg="red", err=True)
        sys.exit(2)
    except UnwatchedError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    proxy_command()
