"""Companies (tenants), recruiters, job postings and applicants."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, Lower, Upper
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    """An unguessable URL token: 192 random bits."""
    return secrets.token_urlsafe(24)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Company(models.Model):
    name = models.CharField(_("company name"), max_length=200)
    free_area_1_label = models.CharField(_("free area 1 label"), max_length=50, blank=True)
    free_area_2_label = models.CharField(_("free area 2 label"), max_length=50, blank=True)
    free_area_3_label = models.CharField(_("free area 3 label"), max_length=50, blank=True)
    csv_upload_enabled = models.BooleanField(_("CSV upload enabled"), default=False)
    share_url_enabled = models.BooleanField(_("share URLs enabled"), default=False)
    # 返信先メールアドレス: the Reply-To of every mail to applicants; without it the default templates
    # do not invite a reply (messaging.defaults).
    reply_to_email = models.EmailField(
        _("reply-to address"),
        blank=True,
        help_text=_(
            "Applicants' replies to the automatic mails go here. Leave it empty and the default templates "
            "do not invite a reply."
        ),
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Tokyo", validators=[validate_timezone]
    )
    # Retention (docs/product.md §12.4): videos and share links are deleted this many days after a
    # posting's deadline; empty keeps them.
    video_retention_days = models.PositiveSmallIntegerField(
        _("delete videos after (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Videos and share URLs of a job posting are deleted this many days after its deadline. "
            "Leave empty to keep them."
        ),
    )
    # The language of what the product writes for the company: the shipped mail templates until one
    # is edited, and seeded data recruiters then edit (the default evaluation sheet).
    language = models.CharField(
        _("company language"),
        max_length=2,
        choices=[("ja", _("Japanese")), ("en", _("English"))],
        default="ja",
        help_text=_("The language of the default mail templates and of the default evaluation sheet."),
    )
    # Highest iM採用ID handed out so far; only ever grows, so IDs are never reused.
    last_im_id = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def free_area_label(self, n: int) -> str:
        """The configured label of free area n, or the default フリーエリアn."""
        label = getattr(self, f"free_area_{n}_label")
        return label or _("Free area %(n)s") % {"n": n}

    @property
    def free_area_labels(self) -> list[str]:
        return [self.free_area_label(n) for n in (1, 2, 3)]

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    # A recruiter belongs to exactly one company; every query is scoped by it.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


# Deadlines outside these years are typos ("0085", "1035", "20255"), never a real season.
DEADLINE_FIRST_YEAR = 2000
DEADLINE_YEARS_AHEAD = 5


def validate_deadline(value: dt.datetime) -> None:
    """Refuse deadlines before 2000 or more than DEADLINE_YEARS_AHEAD years after this year."""
    last = timezone.now().year + DEADLINE_YEARS_AHEAD
    if not DEADLINE_FIRST_YEAR <= value.year <= last:
        raise ValidationError(
            _("Enter a deadline between the years %(first)s and %(last)s."),
            code="deadline_year",
            params={"first": DEADLINE_FIRST_YEAR, "last": last},
        )


def validate_deadline_change(*, deadline: dt.datetime, current: dt.datetime | None, confirmed: bool) -> None:
    """A posting's deadline must lie ahead: a new posting with a past one is refused; moving an
    existing posting's deadline into the past needs the recruiter's explicit confirmation (it closes
    every 調整中 interview at once). Leaving a passed deadline unchanged is fine."""
    if deadline > timezone.now() or (current is not None and deadline == current):
        return
    if current is None:
        raise ValidationError(
            _("The deadline has already passed. Choose a date and time in the future."), code="deadline_past"
        )
    if not confirmed:
        raise ValidationError(
            _(
                "This deadline has already passed: saving it closes the interview for every applicant "
                "still answering. Tick the confirmation to save it anyway."
            ),
            code="deadline_past_unconfirmed",
        )


def api_token_hash(key: str) -> str:
    """What is stored of an API token key."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A recruiter's REST API token. Only its SHA-256 is stored: the key is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    # sha256 of a 256-bit random key: no salt or slow hash needed, the key cannot be guessed.
    key_hash = models.CharField(max_length=64)
    # The key's first characters, to tell tokens apart on the page; far too few to guess the rest.
    prefix = models.CharField(_("token"), max_length=12)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key_hash"], name="api_token_key_hash")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class JobPosting(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="job_postings")
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    # Optional: the start page offers to rehearse with it. Recorded and played back in the applicant's
    # browser only: never uploaded, never seen by recruiters or reviewers.
    practice_question = models.TextField(
        _("practice question"),
        max_length=500,
        blank=True,
        help_text=_(
            "Optional. Applicants may rehearse with it before the interview; the practice recording stays "
            "in their browser and is never uploaded."
        ),
    )
    deadline = models.DateTimeField(_("deadline"), validators=[validate_deadline])
    is_open = models.BooleanField(_("open"), default=True)
    # Automatic reminder (docs/product.md §7): D04 to applicants still 調整中, once, this many hours
    # before the deadline.
    auto_reminder_enabled = models.BooleanField(_("automatic reminder"), default=False)
    auto_reminder_hours = models.PositiveSmallIntegerField(
        _("hours before the deadline"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
    )
    # When the retention sweep deleted the posting's videos and share links.
    videos_deleted_at = models.DateTimeField(_("videos deleted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("job posting")
        verbose_name_plural = _("job postings")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"])]
        constraints = [
            # Referenced by applicants' (job_posting, company) key: see Applicant.
            models.UniqueConstraint(fields=["id", "company"], name="jobposting_id_company"),
        ]

    def __str__(self) -> str:
        return self.title

    # Set by services.job_posting_save: what moving the deadline later did to 期限切れ applicants.
    reopened: Any = None

    @property
    def deadline_passed(self) -> bool:
        return timezone.now() >= self.deadline


class Applicant(models.Model):
    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting")
        SUBMITTED = "submitted", _("Submitted")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class CreatedVia(models.TextChoices):
        FORM = "form", _("Form")
        CSV = "csv", _("CSV upload")
        API = "api", _("API")

    # Neither foreign key has an index of its own: the (company, …) and (job_posting, …) indexes below
    # serve every lookup, and small single-column indexes lure PostgreSQL away from them (scan + sort
    # + heap instead of reading a composite index in order).
    # On PostgreSQL one composite foreign key, (job_posting, company) → the posting's (id, company),
    # stands for these two (migration 0008): the database itself keeps an applicant in its posting's
    # company, and a 100,000-row import checks one key per row instead of two.
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="applicants", db_index=False, db_constraint=False
    )
    job_posting = models.ForeignKey(
        JobPosting, on_delete=models.CASCADE, related_name="applicants", db_index=False, db_constraint=False
    )
    im_id = models.PositiveBigIntegerField(_("iM ID"), editable=False)
    email = models.EmailField(_("email address"), max_length=254)
    last_name = models.CharField(_("last name"), max_length=50, blank=True)
    first_name = models.CharField(_("first name"), max_length=50, blank=True)
    last_name_kana = models.CharField(_("last name (kana)"), max_length=50, blank=True)
    first_name_kana = models.CharField(_("first name (kana)"), max_length=50, blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    school = models.CharField(_("school"), max_length=100, blank=True)
    faculty = models.CharField(_("faculty"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    graduation_year = models.PositiveSmallIntegerField(_("graduation year"), null=True, blank=True)
    free_area_1 = models.CharField(_("free area 1"), max_length=255, blank=True)
    free_area_2 = models.CharField(_("free area 2"), max_length=255, blank=True)
    free_area_3 = models.CharField(_("free area 3"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AWAITING)
    # A personal deadline (期限延長 for this applicant) overrides the posting's; see answer_deadline.
    deadline = models.DateTimeField(
        _("personal deadline"), null=True, blank=True, validators=[validate_deadline]
    )
    # When the applicant submitted (回答済); cleared by 受験リセット.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # 個人情報の削除依頼: the row stays as an anonymised tombstone (iM採用ID, posting, status, dates).
    erased_at = models.DateTimeField(_("personal data deleted at"), null=True, blank=True, editable=False)
    interview_token = models.CharField(max_length=64, default=new_token, editable=False)
    created_via = models.CharField(
        _("registered via"), max_length=10, choices=CreatedVia.choices, default=CreatedVia.FORM
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["-im_id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "im_id"], name="applicant_im_id_unique"),
            # One applicant per posting and address in any case ("Taro@X.jp" is "taro@x.jp"): also what
            # decides between two concurrent registrations of one address (services.EmailAlreadyRegistered).
            models.UniqueConstraint(models.F("job_posting"), Lower("email"), name="applicant_email_unique"),
            # A constraint rather than unique=True: no second (LIKE) index of random tokens to write.
            models.UniqueConstraint(fields=["interview_token"], name="applicant_interview_token_unique"),
            # Referenced by messages' (applicant, company) key (messaging migration 0003).
            models.UniqueConstraint(fields=["id", "company"], name="applicant_id_company"),
        ]
        indexes = [
            # The list's filters (docs/product.md §7): posting + status, newest first; company-wide by date.
            models.Index(fields=["job_posting", "status", "-im_id"], name="applicant_posting_status"),
            models.Index(fields=["company", "status", "-im_id"], name="applicant_company_status"),
            models.Index(fields=["company", "created_at"], name="applicant_company_created"),
            models.Index(Upper("email"), "company", name="applicant_company_email"),
            # Sorting the list by name (kana), within a posting or company-wide.
            models.Index(
                fields=["job_posting", "last_name_kana", "first_name_kana", "im_id"],
                name="applicant_posting_kana",
            ),
            models.Index(
                fields=["company", "last_name_kana", "first_name_kana", "im_id"],
                name="applicant_company_kana",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.im_id} {self.full_name}".strip()

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def full_name_kana(self) -> str:
        return f"{self.last_name_kana} {self.first_name_kana}".strip()

    @property
    def interview_url(self) -> str:
        return f"{settings.SITE_URL}/i/{self.interview_token}/"

    @property
    def answer_deadline(self) -> dt.datetime:
        """The deadline that applies to this applicant: their own (期限延長) or else the posting's."""
        return self.deadline or self.job_posting.deadline

    @property
    def deadline_passed(self) -> bool:
        return timezone.now() >= self.answer_deadline


def answer_deadline_expression() -> models.Func:
    """SQL for Applicant.answer_deadline, for filters over many applicants at once."""
    return Coalesce(models.F("deadline"), models.F("job_posting__deadline"))


class ApplicantEvent(models.Model):
    """One line of an applicant's history (履歴): what happened, when, by whom, with its details."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
        RESET = "reset", _("Interview reset")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    # Null when the applicant or the system did it.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kind-specific values: {"deadline": iso, "previous": iso|None, "reopened": bool, "notified": bool}
    # for an extension, {"answers": n, "takes": n} for a reset.
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("applicant event")
        verbose_name_plural = _("applicant events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def details(self) -> str:
        """The event's values in a sentence of the reader's language (times in the active time zone)."""
        data = self.data or {}
        if self.kind == self.Kind.DEADLINE_EXTENDED:
            parts: list[Any] = [
                _("New deadline %(new)s (was %(old)s).")
                % {"new": _local(data.get("deadline")), "old": _local(data.get("previous"))}
            ]
            if data.get("reopened"):
                parts.append(_("Expired → awaiting."))
            if data.get("notified"):
                parts.append(_("D06 sent."))
            return " ".join(str(p) for p in parts)
        if self.kind == self.Kind.RESET:
            return str(_("%(n)s answers archived.") % {"n": data.get("answers", 0)})
        return ""


def _local(value: str | None) -> str:
    parsed = parse_datetime(value or "")
    return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M") if parsed else "—"


class Question(models.Model):
    """One question of a job posting's interview, in order (the applicant records an answer to each)."""

    job_posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("question"), max_length=2000)
    preparation_seconds = models.PositiveSmallIntegerField(
        _("preparation time (seconds)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(600)],
    )
    answer_seconds = models.PositiveSmallIntegerField(
        _("answer time limit (seconds)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(600)],
    )
    max_takes = models.PositiveSmallIntegerField(
        _("maximum takes"), default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        # Its table keeps the name it had while the model lived in the interviews app.
        db_table = "interviews_question"
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["job_posting", "position", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class SearchDocument(models.Func):
    """SQL applicant_search_document(…) of the searched columns (migration 0014): NFKC, lower case,
    columns joined by U+001F. The search entries hold it, and rows not indexed yet are scanned by it."""

    function = "applicant_search_document"
    output_field = models.TextField()

    # The searched columns, in document order (the arguments of the SQL function).
    COLUMNS = (
        "email",
        "last_name",
        "first_name",
        "last_name_kana",
        "first_name_kana",
        "school",
        "free_area_1",
        "free_area_2",
        "free_area_3",
    )

    def __init__(self, prefix: str = "") -> None:
        super().__init__(*(models.F(f"{prefix}{name}") for name in self.COLUMNS))


class SearchKeys(models.Func):
    """SQL applicant_search_keys(company, document) (migration 0014): the document's n-gram keys."""

    function = "applicant_search_keys"
    output_field = ArrayField(models.BigIntegerField())


class ApplicantSearch(models.Model):
    """One applicant's free-text search entry (applicants.search): the normalised searched text, and the
    applicant's posting, status and iM採用ID, so that the list's counts and pages of a text search are
    answered from this narrow table alone.

    Written by the search worker after registrations commit (kept out of the applicant table so that
    the CSV import writes no GIN index on its hot path); the database keeps it in step with every later
    change of the applicant row (trigger `applicant_search_sync`, migration 0014).
    """

    applicant = models.OneToOneField(Applicant, on_delete=models.CASCADE, primary_key=True, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    job_posting = models.ForeignKey(
        JobPosting, on_delete=models.CASCADE, db_index=False, db_constraint=False, related_name="+"
    )
    im_id = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Applicant.Status.choices)
    # NFKC, lower-cased searched columns joined by U+001F: SQL applicant_search_document(…).
    document = models.TextField()

    class Meta:
        indexes = [
            # The n-gram keys of the document, computed by SQL applicant_search_keys(company, document):
            # each character and each pair of neighbours, with the company in the top bits.
            GinIndex(SearchKeys(models.F("company"), models.F("document")), name="applicant_search_keys"),
            models.Index(fields=["company", "im_id"], name="applicant_search_im_id"),
        ]

    def __str__(self) -> str:
        return self.document


class ApplicantSearchBacklog(models.Model):
    """iM採用IDs of a company registered but not yet in ApplicantSearch; the search scans them meanwhile."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    im_id_from = models.PositiveBigIntegerField()
    im_id_to = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.company_id}: {self.im_id_from}–{self.im_id_to}"


class DataDeletion(models.Model):
    """The audit log of deletions: a retention run for a posting, or an applicant's deletion request."""

    class Kind(models.TextChoices):
        RETENTION = "retention", _("Retention period over")
        ERASURE = "erasure", _("Deletion request")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="data_deletions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    job_posting = models.ForeignKey(
        JobPosting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applicant_im_id = models.PositiveBigIntegerField(_("iM ID"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What each app deleted: {"videos": n, "takes": n, "share_links": n, "messages": n, …}
    counts = models.JSONField(default=dict)
    at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("data deletion")
        verbose_name_plural = _("data deletions")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.company_id} {self.kind} {self.at:%Y-%m-%d}"

    @property
    def summary(self) -> str:
        from applicants.retention import counts_text

        return counts_text(self.counts)
