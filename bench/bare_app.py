"""The reference: a bare FastAPI JSON endpoint served exactly as `usher serve` serves (uvicorn, uvloop and
httptools, one SO_REUSEPORT listener per worker, same supervisor).

    python bench/bare_app.py --port 8101 --workers 2
"""

from __future__ import annotations

import argparse
import contextlib

import uvicorn
from fastapi import FastAPI

from usher.cli.workers import supervise

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}


def config(host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="auto",
        http="auto",
        lifespan="on",
        log_config=None,
        access_log=False,
        server_header=False,
        date_header=True,
        proxy_headers=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.workers == 1:
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(config(args.host, args.port)).run()
        return
    raise SystemExit(1 if supervise(lambda: config(args.host, args.port), args.host, args.port, args.workers) else 0)


if __name__ == "__main__":
    main()
