"""Whitelist placeholder substitution: `{{氏名}}` and friends, never a template language.

A template is compiled once into literal parts and placeholder slots; rendering one applicant is then
a join over a dict of values, cheap enough for 100,000 applicants in one registration.

Templates to applicants (D03–D06) know the applicant's placeholders; those to reviewers and recruiters
(D07, D08) have their own, whose values the sending app computes (`Renderer.render_values`).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from applicants.models import Applicant, Company, JobPosting

PLACEHOLDERS: tuple[str, ...] = (
    "氏名",
    "姓",
    "名",
    "会社名",
    "募集要項名",
    "録画面接URL",
    "回答期限",
    "iM採用ID",
    "フリーエリア1",
    "フリーエリア2",
    "フリーエリア3",
)
PLACEHOLDER_HELP = {
    "氏名": _("Full name"),
    "姓": _("Last name"),
    "名": _("First name"),
    "会社名": _("Company name"),
    "募集要項名": _("Job posting title"),
    "録画面接URL": _("Recorded interview URL"),
    "回答期限": _("Answer deadline"),
    "iM採用ID": _("iM ID"),
    "フリーエリア1": _("Free area 1"),
    "フリーエリア2": _("Free area 2"),
    "フリーエリア3": _("Free area 3"),
}

# D07 (評価依頼) to a reviewer: their name and their personal review link.
REVIEWER_PLACEHOLDERS: tuple[str, ...] = ("面接官名", "会社名", "評価URL")
# D08 (the digest of new submissions) to a reviewer or a recruiter.
DIGEST_PLACEHOLDERS: tuple[str, ...] = ("宛先名", "会社名", "件数", "提出者一覧", "確認URL")
PLACEHOLDER_HELP.update(
    {
        "面接官名": _("Reviewer's name"),
        "評価URL": _("The reviewer's personal review link"),
        "宛先名": _("Recipient's name"),
        "件数": _("Number of newly submitted applicants"),
        "提出者一覧": _("The newly submitted applicants, one per line"),
        "確認URL": _("Where the recipient sees them (review link or applicant list)"),
    }
)
_PLACEHOLDERS_BY_CODE = {"D07": REVIEWER_PLACEHOLDERS, "D08": DIGEST_PLACEHOLDERS}


def placeholders_for(code: str | None) -> tuple[str, ...]:
    """The placeholders a template may use: the applicant's, or those of a reviewer or digest mail."""
    return _PLACEHOLDERS_BY_CODE.get(code or "", PLACEHOLDERS)


_TOKEN = re.compile(r"\{\{(.*?)\}\}", re.S)
_WEEKDAYS_JA = "月火水木金土日"


class TemplateSyntaxError(ValueError):
    """A template text with an unknown or malformed placeholder; `str()` names it."""


def template_errors(text: str, placeholders: tuple[str, ...] = PLACEHOLDERS) -> list[str]:
    """Every problem of a template text, each naming the placeholder, in the active language."""
    errors: list[str] = []
    for match in _TOKEN.finditer(text):
        name = match.group(1).strip()
        if not name or "{" in name or "}" in name:
            errors.append(str(_("Malformed placeholder %(token)s.") % {"token": match.group(0)}))
        elif name not in placeholders:
            errors.append(str(_("Unknown placeholder %(token)s.") % {"token": match.group(0)}))
    leftover = _TOKEN.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        pos = leftover.find("{{") if "{{" in leftover else leftover.find("}}")
        fragment = leftover[pos : pos + 20].split("\n")[0]
        errors.append(str(_("Malformed placeholder near “%(fragment)s”.") % {"fragment": fragment}))
    return errors


@dataclass(frozen=True)
class Compiled:
    """Literal text and placeholder names alternating: parts[0], names[0], parts[1], …"""

    parts: tuple[str, ...]
    names: tuple[str, ...]

    def render(self, values: dict[str, str]) -> str:
        out = [self.parts[0]]
        for name, part in zip(self.names, self.parts[1:], strict=True):
            out.append(values[name])
            out.append(part)
        return "".join(out)


def compile_template(text: str, placeholders: tuple[str, ...] = PLACEHOLDERS) -> Compiled:
    """Split a validated template; raises TemplateSyntaxError for an unknown or malformed placeholder."""
    errors = template_errors(text, placeholders)
    if errors:
        raise TemplateSyntaxError(" ".join(errors))
    parts: list[str] = []
    names: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        parts.append(text[last : match.start()])
        names.append(match.group(1).strip())
        last = match.end()
    parts.append(text[last:])
    return Compiled(tuple(parts), tuple(names))


_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_WEEKDAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def format_deadline(value: dt.datetime | None, *, tz: zoneinfo.ZoneInfo, language: str) -> str:
    """2026年12月10日(木) 23:59 in the company's time zone, or `Thu, December 10, 2026, 23:59 JST`."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    if language == "en":
        zone = local.tzname() or str(tz)
        return (
            f"{_WEEKDAYS_EN[local.weekday()]}, {_MONTHS_EN[local.month - 1]} {local.day}, {local.year}, "
            f"{local:%H:%M} {zone}"
        )
    return f"{local.year}年{local.month}月{local.day}日({_WEEKDAYS_JA[local.weekday()]}) {local:%H:%M}"


class Renderer:
    """Renders one template (subject, body, optional HTML) for many applicants of one company (or, with
    the placeholders of D07/D08, for reviewers and recruiters through `render_values`)."""

    def __init__(
        self,
        *,
        company: Company,
        subject: str,
        body: str,
        html_body: str,
        language: str,
        placeholders: tuple[str, ...] = PLACEHOLDERS,
    ):
        self.company = company
        self.language = language
        self.subject = compile_template(subject, placeholders)
        self.body = compile_template(body, placeholders)
        self.html_body = compile_template(html_body, placeholders) if html_body.strip() else None
        self._posting_values: dict[int, dict[str, str]] = {}
        self._site = settings.SITE_URL

    def _posting(self, posting: JobPosting) -> dict[str, str]:
        cached = self._posting_values.get(posting.pk)
        if cached is None:
            cached = {
                "会社名": self.company.name,
                "募集要項名": posting.title,
                "回答期限": format_deadline(posting.deadline, tz=self.company.tzinfo, language=self.language),
            }
            self._posting_values[posting.pk] = cached
        return cached

    def values(self, applicant: Applicant, posting: JobPosting) -> dict[str, str]:
        full = f"{applicant.last_name} {applicant.first_name}".strip()
        return {
            **self._posting(posting),
            **self._personal_deadline(applicant),
            "氏名": full or applicant.email,
            "姓": applicant.last_name,
            "名": applicant.first_name,
            "録画面接URL": f"{self._site}/i/{applicant.interview_token}/",
            "iM採用ID": str(applicant.im_id),
            "フリーエリア1": applicant.free_area_1,
            "フリーエリア2": applicant.free_area_2,
            "フリーエリア3": applicant.free_area_3,
        }

    def _personal_deadline(self, applicant: Applicant) -> dict[str, str]:
        """An applicant's own deadline (期限延長) replaces the posting's in {{回答期限}}."""
        if applicant.deadline is None:
            return {}
        return {
            "回答期限": format_deadline(applicant.deadline, tz=self.company.tzinfo, language=self.language)
        }

    def render(self, applicant: Applicant, posting: JobPosting) -> tuple[str, str, str]:
        """(subject, body, html_body) for one applicant; header-unsafe characters leave the subject."""
        return self.render_values(self.values(applicant, posting))

    def render_values(self, values: dict[str, str]) -> tuple[str, str, str]:
        """(subject, body, html_body) from the placeholders' values (every placeholder used needs one)."""
        # A line break in a name must not become a second header line.
        subject = " ".join(self.subject.render(values).split())
        body = self.body.render(values)
        html_body = ""
        if self.html_body is not None:
            html_body = self.html_body.render({k: html.escape(v) for k, v in values.items()})
        return subject, body, html_body


def sample_values(*, company: Company, code: str) -> dict[str, str]:
    """Made-up values of the reviewer and digest placeholders, for the editor's live preview."""
    site = settings.SITE_URL
    lines = ["- 101 山田 太郎 (2027年度 新卒採用)", "- 102 佐藤 花子 (2027年度 新卒採用)"]
    return {
        "面接官名": "鈴木 一郎",
        "会社名": company.name,
        "評価URL": f"{site}/r/sample-token/",
        "宛先名": "鈴木 一郎",
        "件数": str(len(lines)),
        "提出者一覧": "\n".join(lines),
        "確認URL": f"{site}/r/sample-token/" if code == "D08" else site,
    }


def sample_applicant(*, company: Company, posting: JobPosting | None) -> tuple[Applicant, JobPosting]:
    """A made-up applicant for the live preview when the company has none yet."""
    from django.utils import timezone

    posting = posting or JobPosting(
        pk=0,
        company=company,
        title=str(_("Sample job posting")),
        deadline=timezone.now() + dt.timedelta(days=14),
    )
    applicant = Applicant(
        company=company,
        job_posting=posting,
        im_id=1,
        email="taro.yamada@example.jp",
        last_name="山田",
        first_name="太郎",
        free_area_1="A-0001",
        interview_token="sample-token",  # noqa: S106 - not a secret, a preview value
    )
    return applicant, posting
