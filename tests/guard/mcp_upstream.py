"""A small real MCP server for the guard's MCP proxy tests and benchmark.

Three tools over a toy bank: ``read_balance`` (read-only), ``transfer`` (destructive) and
``send_email`` (no hints, so the policy decides). Every call that actually executes is
appended as one JSON line to the file named by ``--calls`` (or ``UPSTREAM_CALLS``), so a test
can prove which calls reached the upstream and which the proxy stopped.

    python tests/guard/mcp_upstream.py --calls calls.jsonl              # stdio
    python tests/guard/mcp_upstream.py --calls calls.jsonl --http 0     # HTTP, any free port

Over HTTP it prints ``READY http://127.0.0.1:PORT/mcp`` on stdout once it is listening.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path

import anyio
import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

BALANCES = {"ops": 1200.0, "payroll": 48000.0, "petty": 75.5}


def build(calls: Path | None) -> MCPServer:
    server = MCPServer("toy-bank", instructions="A toy bank for guard tests.", log_level="WARNING")
    lock = threading.Lock()

    def record(tool: str, args: dict[str, object]) -> None:
        if calls is None:
            return
        line = json.dumps({"tool": tool, "args": args}, sort_keys=True) + "\n"
        with lock, calls.open("a", encoding="utf-8") as f:
            f.write(line)

    @server.tool(annotations=ToolAnnotations(read_only_hint=True, title="Read a balance"))
    def read_balance(account: str, ref: str = "") -> str:
        """Read the balance of one account."""
        record("read_balance", {"account": account, "ref": ref})
        return f"{account}: {BALANCES.get(account, 0.0):.2f} EUR"

    @server.tool(annotations=ToolAnnotations(destructive_hint=True, read_only_hint=False))
    def transfer(amount: float, to: str, ref: str = "") -> dict[str, object]:
        """Transfer money out of the ops account. Cannot be undone."""
        record("transfer", {"amount": amount, "to": to, "ref": ref})
        return {"ok": True, "amount": amount, "to": to, "ref": ref}

    @server.tool()
    def send_email(to: str, body: str, ref: str = "") -> str:
        """Send an email on the bank's behalf."""
        record("send_email", {"to": to, "body": body, "ref": ref})
        return f"sent to {to} ({len(body)} characters)"

    return server


async def serve_http(server: MCPServer, host: str, port: int) -> None:
    app = server.streamable_http_app(host=host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    web = uvicorn.Server(config)
    async with anyio.create_task_group() as tg:
        tg.start_soon(web.serve)
        while not web.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
            await anyio.sleep(0.01)
        bound = web.servers[0].sockets[0].getsockname()[1]
        print(f"READY http://{host}:{bound}/mcp", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", default=os.environ.get("UPSTREAM_CALLS"))
    parser.add_argument("--http", type=int, default=None, help="serve HTTP on this port (0: any)")
    parser.add_argument("--host", default="127.0.0.1")
    opts = parser.parse_args()
    server = build(Path(opts.calls) if opts.calls else None)
    if opts.http is None:
        server.run("stdio")
    else:
        anyio.run(serve_http, server, opts.host, opts.http)
    sys.exit(0)


if __name__ == "__main__":
    main()
