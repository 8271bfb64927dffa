"""`/healthz`: is the database reachable (and which server it is), is the broker reachable."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from interviewmaker.celery import app

logger = logging.getLogger(__name__)


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception:
        # The page is public: the reason (host names, credentials in a DSN) goes to the log only.
        logger.warning("healthz: database unreachable", exc_info=True)
        return False, "unavailable"


def _database_engine() -> str:
    """E.g. "PostgreSQL 18.6 (embedded)": what a newcomer's demo or an operator's server runs on."""
    version: int = connection.pg_version  # type: ignore[attr-defined]  # e.g. 180006 or 150019
    major, minor = divmod(version, 10000)
    where = "embedded" if settings.EMBEDDED_DATABASE else "DATABASE_URL"
    return f"PostgreSQL {major}.{minor} ({where})"


def _broker_ok() -> tuple[bool, str]:
    """One connection attempt, bounded by the broker's socket timeouts (settings.REDIS_OPTIONS)."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
            conn.default_channel  # noqa: B018 - opening a channel makes the Redis transport talk to Redis
        return True, "ok"
    except Exception:
        logger.warning("healthz: broker unreachable", exc_info=True)
        return False, "unavailable"


def healthz(request: HttpRequest) -> JsonResponse:
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    ok = db_ok and broker_ok
    body = {"status": "ok" if ok else "error", "database": db_detail, "broker": broker_detail}
    if db_ok:
        body["database_engine"] = _database_engine()
    return JsonResponse(body, status=200 if ok else 503)
