"""Django's PostgreSQL backend on the embedded server, started on the first connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.backends.postgresql import base

from interviewmaker import embeddeddb


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        found = embeddeddb.server(Path(self.settings_dict["PGDATA"]))
        # Written into the settings so that a subprocess can be pointed at the same server.
        self.settings_dict["HOST"] = str(found.socket_dir)
        self.settings_dict["PORT"] = str(found.port)
        return super().get_connection_params()
