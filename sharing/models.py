"""Share links (共有用URL), their views, evaluation sheets, evaluations and the export audit log;
reviewers (面接官) with their assignments and review links, and the recruiters' digest choice."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.models import Applicant, Company, JobPosting

TOKEN_BYTES = 24  # 192 random bits, as the interview tokens


def new_share_token() -> str:
    """An unguessable share token (URL-safe base64 of 192 random bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class SharingSettings(models.Model):
    """A company's share URL settings; a missing row means the defaults."""

    class Visibility(models.TextChoices):
        AFTER_OWN = "after_own", _("Only after submitting their own evaluation")
        ALWAYS = "always", _("Always")
        NEVER = "never", _("Never")

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="sharing_settings")
    link_expiry_days = models.PositiveSmallIntegerField(
        _("share URLs expire this many days after the deadline"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text=_("Leave empty for share URLs that do not expire."),
    )
    evaluations_visibility = models.CharField(
        _("reviewers see each other's evaluations"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.AFTER_OWN,
    )

    class Meta:
        verbose_name = _("sharing settings")
        verbose_name_plural = _("sharing settings")

    def __str__(self) -> str:
        return str(self.company)


class ShareLink(models.Model):
    """One applicant's share URL; regenerating revokes the row and adds a new one."""

    # Exports insert 100,000 rows at once: only the indexes lookups need (token, applicant) are kept;
    # company and user deletions are rare and may scan.
    # On PostgreSQL one composite key, (applicant, company) → the applicant's (id, company), stands for
    # these two (migration 0005): a link always belongs to its applicant's company.
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="share_links", db_index=False, db_constraint=False
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="share_links", db_constraint=False
    )
    token = models.CharField(max_length=64, default=new_share_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("share URL")
        verbose_name_plural = _("share URLs")
        constraints = [
            # At most one live link per applicant, so concurrent exports cannot give two URLs.
            models.UniqueConstraint(
                fields=["applicant"], condition=Q(revoked_at__isnull=True), name="sharelink_one_active"
            ),
            # A constraint rather than unique=True: no second (LIKE) index of random tokens to write.
            models.UniqueConstraint(fields=["token"], name="sharelink_token_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id}: {self.token[:6]}…"

    @property
    def url(self) -> str:
        return share_url(self.token)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def share_url(token: str) -> str:
    return f"{settings.SITE_URL}/s/{token}/"


def link_expires_at(*, job_posting: JobPosting, expiry_days: int | None) -> dt.datetime | None:
    """When links of a posting stop working under the company's expiry setting (None: never)."""
    if expiry_days is None:
        return None
    return job_posting.deadline + dt.timedelta(days=expiry_days)


class ShareLinkView(models.Model):
    """One opening of a reviewer page (who looked, when, from where)."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("share URL view")
        verbose_name_plural = _("share URL views")
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.link_id} @ {self.viewed_at:%Y-%m-%d %H:%M}"


class Reviewer(models.Model):
    """A company's reviewer (面接官): a name and an address, no login and no password.

    Their personal review link (`/r/<token>/`, 192 random bits like share links) opens their queue;
    revoking it clears the token (the URL answers the not-found page), regenerating draws a new one.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="reviewers", db_index=False)
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email address"), max_length=254)
    # NULL, not "", once revoked: many revoked reviewers must not collide in the unique index.
    token = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, default=new_share_token, editable=False
    )
    link_created_at = models.DateTimeField(_("link issued at"), null=True, blank=True, default=timezone.now)
    link_revoked_at = models.DateTimeField(_("link revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The D08 digest reports the submissions after this moment, then moves it to the end of the
    # interval it reported (sharing.digests): a second run in the same interval finds nothing new.
    digest_until = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        ordering = ["name", "id"]
        constraints = [
            # A constraint rather than unique=True: no second (LIKE) index of random tokens to write.
            models.UniqueConstraint(fields=["token"], name="reviewer_token_unique"),
            # One reviewer per address and company, in any case (the company index is this one's prefix).
            models.UniqueConstraint("company", Lower("email"), name="reviewer_email_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def review_url(self) -> str:
        return review_url(self.token) if self.token else ""


def review_url(token: str) -> str:
    return f"{settings.SITE_URL}/r/{token}/"


class ReviewerAssignment(models.Model):
    """A reviewer assigned to a posting (every applicant of it, present and future) or to one applicant."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="assignments")
    job_posting = models.ForeignKey(
        JobPosting, null=True, blank=True, on_delete=models.CASCADE, related_name="reviewer_assignments"
    )
    applicant = models.ForeignKey(
        Applicant, null=True, blank=True, on_delete=models.CASCADE, related_name="reviewer_assignments"
    )
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("reviewer assignment")
        verbose_name_plural = _("reviewer assignments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(job_posting__isnull=False, applicant__isnull=True)
                | Q(job_posting__isnull=True, applicant__isnull=False),
                name="reviewer_assignment_one_target",
            ),
            # Assigning twice is harmless: concurrent requests insert with ON CONFLICT DO NOTHING.
            models.UniqueConstraint(
                fields=["reviewer", "job_posting"],
                condition=Q(job_posting__isnull=False),
                name="reviewer_assignment_posting_once",
            ),
            models.UniqueConstraint(
                fields=["reviewer", "applicant"],
                condition=Q(applicant__isnull=False),
                name="reviewer_assignment_applicant_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} → {self.job_posting_id or ''}{self.applicant_id or ''}"


class SubmissionDigest(models.Model):
    """A recruiter's choice to get D08, the digest of newly submitted applicants, and how far it reported."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(_("email me a digest of newly submitted applicants (D08)"), default=False)
    # As Reviewer.digest_until: submissions after it go into the next digest.
    digest_until = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("submission digest")
        verbose_name_plural = _("submission digests")

    def __str__(self) -> str:
        return f"{self.user_id} ({'on' if self.enabled else 'off'})"


class EvaluationSheet(models.Model):
    """The evaluation form of a job posting; created as "System standard" on first use."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="evaluation_sheets")
    job_posting = models.OneToOneField(JobPosting, on_delete=models.CASCADE, related_name="evaluation_sheet")
    name = models.CharField(_("sheet name"), max_length=100)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluation sheet")
        verbose_name_plural = _("evaluation sheets")

    def __str__(self) -> str:
        return self.name


class EvaluationItem(models.Model):
    class Kind(models.TextChoices):
        SCALE5 = "scale5", _("5-point scale (1–5)")
        GRADE = "grade", _("A–E")
        TEXT = "text", _("Free text")

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("item"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("evaluation item")
        verbose_name_plural = _("evaluation items")
        ordering = ["sheet", "position", "id"]

    def __str__(self) -> str:
        return self.label

    def choices(self) -> list[str]:
        if self.kind == self.Kind.SCALE5:
            return ["5", "4", "3", "2", "1"]
        if self.kind == self.Kind.GRADE:
            return ["A", "B", "C", "D", "E"]
        return []


class Evaluation(models.Model):
    """A reviewer's evaluation; `values` keeps label and kind of each item, so later sheet edits
    never change what a reviewer said."""

    # Like ShareLink: one composite key (applicant, company) on PostgreSQL (migration 0005).
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="evaluations", db_constraint=False
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="evaluations", db_constraint=False
    )
    link = models.ForeignKey(ShareLink, null=True, on_delete=models.SET_NULL, related_name="evaluations")
    # Set for an evaluation from a reviewer's queue (one per reviewer and applicant); the name is theirs.
    reviewer = models.ForeignKey(
        Reviewer, null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations", db_index=False
    )
    sheet_name = models.CharField(max_length=100)
    reviewer_name = models.CharField(_("reviewer name"), max_length=100)
    values = models.JSONField(default=list)  # [{"item": id, "label": …, "kind": …, "value": …}]
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # Set when the reviewer corrected it (from the browser it was submitted from).
    updated_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # The reviewer form's one-time key: a second POST of the same form (a double click, a reload that
    # resubmits) finds this row instead of adding another (sharing.services.evaluation_submit).
    submission = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["applicant", "created_at"], name="evaluation_applicant")]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "submission"],
                name="evaluation_submission_once",
                condition=Q(submission__isnull=False),
            ),
            # Also the index of a reviewer's evaluations (their queue's marks, the list's progress).
            models.UniqueConstraint(
                fields=["reviewer", "applicant"],
                name="evaluation_once_per_reviewer",
                condition=Q(reviewer__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_name} → {self.applicant_id}"

    @property
    def headline(self) -> str:
        """The first A–E or 5-point answer: what the list's summary column shows."""
        for value in self.values:
            if value.get("kind") in (EvaluationItem.Kind.GRADE, EvaluationItem.Kind.SCALE5) and value.get(
                "value"
            ):
                return str(value["value"])
        return ""


class ShareUrlExport(models.Model):
    """Audit log of share URL CSV downloads: who, when, which search, how many rows."""

    class Via(models.TextChoices):
        UI = "ui", _("Browser")
        API = "api", _("API")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="share_url_exports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("downloaded at"), default=timezone.now)
    search = models.JSONField(_("search"), default=dict)
    encoding = models.CharField(_("encoding"), max_length=10)
    rows = models.PositiveIntegerField(_("rows"))
    via = models.CharField(max_length=5, choices=Via.choices, default=Via.UI)

    class Meta:
        verbose_name = _("share URL export")
        verbose_name_plural = _("share URL exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} ({self.rows})"
