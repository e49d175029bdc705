"""`python -m services.sandbox --port 8900 [--latency-ms 150] [--host 127.0.0.1]`"""

from __future__ import annotations

import argparse
import json
import signal
import sys

from services.sandbox.server import SandboxServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local LinkedIn stand-in server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument(
        "--knobs", default="{}", help='extra knobs as JSON, e.g. \'{"closed_ids": ["42"]}\''
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    knobs = {"latency_ms": args.latency_ms, **json.loads(args.knobs)}
    server = SandboxServer(host=args.host, port=args.port, verbose=args.verbose, **knobs)
    # A plain `kill` ends it cleanly too (the socket is closed in the finally block).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"LinkedIn sandbox listening on {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
