"""Formatting for the login pages: the lockout's length in the reader's language."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def lockout_duration(cool_off: dt.timedelta | None) -> str:
    """E.g. "30分間" / "30 minutes"; whole hours as "2時間" / "2 hours"."""
    if cool_off is None:
        return ""
    minutes = max(1, round(cool_off.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
