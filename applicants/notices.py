"""What the recruiter is told after an action, worded once for every page that does it."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applicants.services import Extension


def extension_message(result: Extension, *, notify: bool) -> str:
    """After a 期限延長: how many got the deadline, were reopened, were told, were left alone."""
    n = len(result.extended)
    parts = [
        ngettext(
            "The deadline of %(n)s applicant was extended.",
            "The deadline of %(n)s applicants was extended.",
            n,
        )
        % {"n": f"{n:,}"}
    ]
    if result.reopened:
        parts.append(
            ngettext(
                "%(n)s of them was expired and is awaiting answers again.",
                "%(n)s of them were expired and are awaiting answers again.",
                result.reopened,
            )
            % {"n": f"{result.reopened:,}"}
        )
    if notify and n:
        parts.append(_("They are being told by email (D06)."))
    skipped = {
        "submitted": _("submitted"),
        "withdrawn": _("withdrawn"),
        "later": _("already have a later deadline"),
    }
    left = [f"{skipped[reason]} {count:,}" for reason, count in sorted(result.skipped.items())]
    if left:
        parts.append(_("Left unchanged: %(list)s.") % {"list": ", ".join(left)})
    return " ".join(parts)
