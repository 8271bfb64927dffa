"""With DATABASE_URL unset the app runs on an embedded PostgreSQL server (interviewmaker.embeddeddb).

Each test uses a data folder of its own, so it never touches var/pgdata, the server a plain `make test`
itself may be running on. Not under pytest's tmp_path: as root the server runs as another user, and
pytest keeps its own base folder private (mode 0700, restored by any other pytest run).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def var_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="im-embedded-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"IM_IGNORE_DOTENV": "1", "VAR_DIR": str(var_dir)})
    return env


def _shell(var_dir: Path, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_env(var_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _server_running(pgdata: Path) -> bool:
    return any(
        proc.info["name"] == "postgres" and str(pgdata) in " ".join(proc.info["cmdline"] or [])
        for proc in psutil.process_iter(attrs=["name", "cmdline"])
    )


def test_the_server_starts_on_first_use_stops_with_its_last_user_and_keeps_its_data(var_dir):
    pgdata = var_dir / "pgdata"
    out = _shell(
        var_dir,
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "c.execute('SHOW server_version_num'); print('version', c.fetchone()[0])\n"
        "c.execute('SELECT datcollate FROM pg_database WHERE datname = current_database()')\n"
        "print('collation', c.fetchone()[0])\n"
        "c.execute('CREATE TABLE kept (name text)'); c.execute(\"INSERT INTO kept VALUES ('髙橋')\")\n",
    )
    assert "version 18" in out
    assert "collation C.UTF-8" in out  # pg_trgm extracts trigrams from kanji and kana under it
    assert not _server_running(pgdata), "the server outlived the only process that used it"

    out = _shell(
        var_dir,
        "from django.db import connection\n"
        "c = connection.cursor(); c.execute('SELECT name FROM kept'); print('found', c.fetchone()[0])\n",
    )
    assert "found 髙橋" in out
    assert not _server_running(pgdata)


def test_a_user_killed_with_sigkill_does_not_keep_the_server_alive(var_dir):
    pgdata = var_dir / "pgdata"
    _shell(var_dir, "from django.db import connection; connection.ensure_connection()")
    # A process that registered as a user of the server and died without its exit hook.
    handles = pgdata / ".handle_pids.json"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    handles.write_text(json.dumps([dead.pid]))
    _shell(var_dir, "from django.db import connection; connection.ensure_connection()")
    assert not _server_running(pgdata)
    assert json.loads(handles.read_text()) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "stop",
    [
        lambda proc: os.killpg(proc.pid, signal.SIGINT),  # Ctrl-C in the terminal: the whole group
        lambda proc: os.kill(proc.pid, signal.SIGTERM),  # `kill <pid>` of runall alone
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_runall_serves_on_the_embedded_server_and_stopping_it_stops_the_server(var_dir, stop):
    pgdata = var_dir / "pgdata"
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runall", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=_env(var_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group, as a terminal's Ctrl-C reaches `make run`'s
    )
    try:
        body = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and body is None:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                body = response.json()
            except requests.ConnectionError:
                time.sleep(0.3)
        assert body is not None, "runall did not serve"
        assert body["database"] == "ok"
        assert body["database_engine"].startswith("PostgreSQL 18.")
        assert body["database_engine"].endswith("(embedded)")
        assert _server_running(pgdata)
    finally:
        stop(proc)
        output = proc.communicate(timeout=60)[0].decode(errors="replace")
    assert "Embedded PostgreSQL: data in" in output
    deadline = time.monotonic() + 20
    while _server_running(pgdata) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _server_running(pgdata), output[-3000:]
