"""Assemble the sandbox app and run it: blocking (`serve`) or on a background thread (`start_in_thread`)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from amazon_netsuite.sandbox import admin, netsuite, seller_central, vendor_central
from amazon_netsuite.sandbox.config import Faults, SandboxConfig
from amazon_netsuite.sandbox.seller_central.errors import error_response
from amazon_netsuite.sandbox.state import SandboxState

__all__ = ["Faults", "RunningSandbox", "SandboxConfig", "create_app", "serve", "start_in_thread"]


async def _http_error(request: Request, exc: HTTPException) -> Response:
    code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "InvalidInput")
    message = "Resource not found" if exc.status_code == 404 else str(exc.detail)
    return error_response(exc.status_code, code, message, f"{request.method} {request.url.path}")


def create_app(config: SandboxConfig) -> Starlette:
    """The Seller Central, Vendor Central and NetSuite sandbox as an ASGI app; `app.state.sandbox` is its SandboxState,
    `app.state.netsuite` its NetSuiteState."""
    state = SandboxState.open(config)
    netsuite_state = netsuite.NetSuiteState.open(config, state.world)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.close()
        netsuite_state.close()

    app = Starlette(
        routes=[*seller_central.routes, *vendor_central.routes, *netsuite.routes, *admin.routes],
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.sandbox = state
    app.state.netsuite = netsuite_state
    return app


def serve(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the sandbox until interrupted (Ctrl-C)."""
    uvicorn.Server(uvicorn.Config(create_app(config), host=host, port=port, log_level="info")).run()


class RunningSandbox:
    """A sandbox serving on a background thread. `url` is its base URL; `stop()` (or leaving `with`) ends it."""

    def __init__(self, app: Starlette, server: uvicorn.Server, thread: threading.Thread, url: str) -> None:
        self.app, self._server, self._thread, self.url = app, server, thread, url

    @property
    def state(self) -> SandboxState:
        return self.app.state.sandbox

    def stop(self, timeout: float = 10.0) -> None:
        self.state.stopping.set()  # releases requests hanging in a timeout fault
        self._server.should_exit = True
        self._thread.join(timeout)
        self.state.close()

    def __enter__(self) -> "RunningSandbox":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_in_thread(config: SandboxConfig, host: str = "127.0.0.1", port: int = 0) -> RunningSandbox:
    """Start the sandbox on a daemon thread and return once it accepts connections. Port 0 picks a free port."""
    app = create_app(config)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=2)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"sandbox:{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"the sandbox did not start on {host}:{bound_port}")
        time.sleep(0.01)
    url_host = f"[{host}]" if family == socket.AF_INET6 else host
    return RunningSandbox(app, server, thread, f"http://{url_host}:{bound_port}")
