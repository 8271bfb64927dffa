"""A mail backend for tests that fails on purpose: `FlakyBackend.errors` is consumed one per send."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    errors: ClassVar[list[BaseException]] = []
    opened: ClassVar[int] = 0

    def open(self) -> bool:
        FlakyBackend.opened += 1
        return True

    def send_messages(self, messages: Sequence[Any]) -> int:
        if FlakyBackend.errors:
            raise FlakyBackend.errors.pop(0)
        return super().send_messages(messages)
