"""Serve the watched folder as a Prefect deployment from this process:

    python -m shenbao.flows.serve INBOX OUT [--every SECONDS] [--db URL]

Every SECONDS the `shenbao-watch-inbox` flow makes one pass over INBOX (as `shenbao watch --once`
does); runs show in the Prefect UI and can be started by hand there. Needs a Prefect server
(PREFECT_API_URL): a deployment cannot live on the embedded one. prefect.yaml declares the same
deployment for a work pool (docs/SCALING.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shenbao.flows.serve", description=__doc__.splitlines()[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between passes (default 30)")
    parser.add_argument("--db", default=None, help="results database URL (default OUT/shenbao.sqlite)")
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--name", default="shenbao-watch")
    args = parser.parse_args(argv)

    from shenbao.flows.flows import watch_inbox_flow

    watch_inbox_flow.serve(
        name=args.name,
        interval=args.every,
        parameters={
            "inbox": str(args.inbox.resolve()),
            "out": str(args.out.resolve()),
            "db": args.db,
            "settle": args.settle,
        },
    )


if __name__ == "__main__":
    main()
