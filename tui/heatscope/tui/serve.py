"""``heatscope serve [PATH ...]``: the inspector in a browser, through textual-serve.

Each browser tab gets its own ``heatscope PATH ...`` process, driven over a websocket.
Bound to 127.0.0.1 by default: a non-local address is refused without ``--public``, since
anyone who reaches the page can browse the files named (no shell, but every dataset).
"""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from collections.abc import Sequence

from heatscope.errors import HeatscopeError
from heatscope.parsing import Parser
from heatscope.views.flags import add_view_flags, spec_from_args

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_local(host: str) -> bool:
    """True for loopback names and addresses (resolved, so ``127.1`` and ``::1`` count)."""
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def run_serve(argv: Sequence[str]) -> int:
    parser = Parser(prog="heatscope serve", description="Serve the inspector to a browser (textual-serve).")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files, directories or URLs (default: the samples)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--public", action="store_true", help="allow listening on a non-local address")
    add_view_flags(parser)
    args = parser.parse_args(argv)
    spec = spec_from_args(args, len(args.paths), combine_files=False)  # bad flags: one line now, not per tab
    if not is_local(args.host) and not args.public:
        raise HeatscopeError(f"{args.host} is not a local address: anyone who reaches it can browse these files; "
                             "pass --public to serve it anyway", "--host")
    if not 0 < args.port < 65536:
        raise HeatscopeError("must be 1..65535", f"--port {args.port}")
    from heatscope.sources.opening import resolve_inputs

    if args.paths:
        resolve_inputs(args.paths)  # a missing or bad path: one line now, not in every browser tab
    try:
        from textual_serve.server import Server
    except ImportError:
        raise HeatscopeError("serving needs textual-serve: pip install 'heatscope[serve]'") from None
    with socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET) as probe:
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            raise HeatscopeError(f"cannot listen there ({exc.strerror or exc})", f"{args.host}:{args.port}") from None
    command = shlex.join([sys.executable, "-m", "heatscope", *args.paths, *spec.flags()])
    print(f"heatscope: serving on http://{args.host}:{args.port} (Ctrl+C to stop)", file=sys.stderr, flush=True)
    Server(command, host=args.host, port=args.port, title="heatscope").serve()
    return 0
