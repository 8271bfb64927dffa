"""Formatting for the applicant's pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils import formats, timezone

from interviews import jscatalog

register = template.Library()


@register.filter
def in_time_zone(value: dt.datetime | None, tz_name: str) -> str:
    """A moment in the company's time zone, in the active language's format, with the zone named:
    "2026年12月10日 23:59 (Asia/Tokyo, UTC+09:00)" / "Dec. 10, 2026, 11:59 p.m. (Asia/Tokyo, UTC+09:00)".

    An applicant may be anywhere; the deadline is the company's, so it says whose clock it is."""
    if value is None:
        return ""
    zone = zoneinfo.ZoneInfo(tz_name)
    local = timezone.localtime(value, zone)
    offset = local.strftime("%z")
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({tz_name}, UTC{offset[:3]}:{offset[3:]})"


@register.simple_tag
def js_catalog_url() -> str:
    """The URL of the JavaScript catalogue in the active language (interviews.jscatalog)."""
    return jscatalog.url()
