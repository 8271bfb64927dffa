from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def company(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if not membership:
        return {"membership": None, "company": None}
    return {"membership": membership, "company": membership.company}
