"""Issue 14 §16: every recruiter, applicant and reviewer page passes axe-core (WCAG 2.1 A and AA).

axe-core comes from npm (package.json; `make test` runs `npm ci`) and is injected into each page with
Playwright. Without it the tests skip locally and fail in CI, as the other browser tests do without
Chromium. A failure names the page and lists each rule broken, its impact and the first elements.

One set of data, one login and one browser context per audience serve every page, so the ~60 pages
take well under a minute: the data is committed once for the module and served by the module's own
live server (pytest-django's `live_server` empties the database after every test), and the database
is emptied when the module is done, as a transactional test does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connections
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from applicants import services as applicant_services
from applicants.models import Applicant, ApplicantEvent, Membership
from bulk import services as bulk_services
from imports import services as import_services
from imports.samples import applicant_row, to_csv
from interviewmaker.celery import app as celery_app
from interviews.models import Answer, Take
from messaging.models import Message
from sharing import services as sharing_services
from tests.factories import (
    ApplicantFactory,
    CompanyFactory,
    JobPostingFactory,
    MembershipFactory,
    QuestionFactory,
)
from tests.plugins.browser import ROOT, login
from tests.plugins.services import require

# The data is committed once by the module's fixture; each test only reads it through the browser.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}

# --- The pages ---------------------------------------------------------------------------------------


def _nothing(page: Any) -> None:
    pass


def _ready(selector: str) -> Callable[[Any], None]:
    return lambda page: page.wait_for_selector(selector)


def _bulk_bar(page: Any) -> None:
    """Tick the page's applicants: the selection count and the “select all matching” hint show."""
    page.check("#tick-page")
    page.wait_for_selector("#select-all-hint:not([hidden])")


def _csv_menu(page: Any) -> None:
    page.click("details.csv-menu summary")


def _open_extend_card(page: Any) -> None:
    if not page.locator("details#extend").evaluate("d => d.open"):
        page.click("details#extend summary")


def _mismatch(page: Any) -> None:
    page.fill("#id_new_password1", "a-new-password-2026")
    page.fill("#id_new_password2", "another-password-2026")
    page.click("main form button[type=submit]")
    page.wait_for_selector("main [role=alert]")


def _evaluate(page: Any) -> None:
    """Submit an evaluation: the page shows it with a confirmation, and the form now edits it."""
    page.fill("#id_reviewer_name", "佐藤 部長")
    page.check("#evaluation-form input[type=radio][value=B]")
    page.fill("#evaluation-form textarea", "落ち着いて話せている。")
    page.click("#evaluation-form button[type=submit]")
    page.wait_for_selector("#evaluations a.edit-evaluation")  # only the reviewer's own evaluation has it


@dataclass(frozen=True)
class Screen:
    """A page: its path (placeholders filled from the data), who opens it, what to do before checking."""

    path: str
    who: str = "recruiter"  # recruiter | english | anonymous | applicant | reviewer
    then: Callable[[Any], None] = _nothing
    status: int = 200


SCREENS: dict[str, Screen] = {
    # Recruiters.
    "login": Screen("/login/", who="anonymous"),
    "password-reset": Screen("/password-reset/", who="anonymous"),
    "password-reset-sent": Screen("/password-reset/sent/", who="anonymous"),
    "password-reset-new-password": Screen("/password-reset/{reset_link}/", who="anonymous"),
    "password-reset-mismatch": Screen("/password-reset/{reset_link}/", who="anonymous", then=_mismatch),
    "password-reset-used-link": Screen("/password-reset/{reset_uid}/used-token/", who="anonymous"),
    "dashboard": Screen("/dashboard/"),
    "job-posting-new": Screen("/job-postings/new/"),
    "job-posting-edit": Screen("/job-postings/{posting}/edit/"),
    "job-posting-reminder": Screen("/job-postings/{posting}/reminder/"),
    "evaluation-sheet": Screen("/sharing/job-postings/{posting}/evaluation-sheet/"),
    "applicant-list": Screen("/applicants/?job_posting={posting}"),
    "applicant-list-bulk-bar": Screen("/applicants/?job_posting={posting}", then=_bulk_bar),
    "applicant-list-csv-menu": Screen("/applicants/", then=_csv_menu),
    "applicant-list-empty": Screen("/applicants/?q=nobody-matches-this"),
    # Nothing ticked: back on the list with the error as a flash message.
    "applicant-list-flash": Screen(
        "/bulk/?job_posting={posting}&scope=selected&action=withdraw", then=_ready(".flash li")
    ),
    "applicant-detail-submitted": Screen("/applicants/{submitted}/"),
    "applicant-detail-expired": Screen("/applicants/{expired}/", then=_open_extend_card),
    "applicant-detail-awaiting": Screen("/applicants/{extended}/", then=_open_extend_card),
    "applicant-detail-withdrawn": Screen("/applicants/{withdrawn}/"),
    "applicant-new": Screen("/applicants/new/?job_posting={posting}"),
    "applicant-edit": Screen("/applicants/{submitted}/edit/"),
    "csv-upload": Screen("/imports/new/"),
    "import-preview": Screen("/imports/{import_preview}/"),
    "import-invalid": Screen("/imports/{import_invalid}/"),
    "import-history": Screen("/imports/"),
    "bulk-answer-request": Screen("/bulk/?job_posting={posting}&scope=all&action=answer_request"),
    "bulk-extend": Screen("/bulk/?job_posting={posting}&scope=all&action=extend"),
    "bulk-withdraw": Screen("/bulk/?job_posting={posting}&scope=all&action=withdraw"),
    "answer-request-list": Screen("/answer-requests/"),
    "answer-request-detail": Screen("/answer-requests/{answer_request}/", then=_ready("#ar-done:visible")),
    "message-log": Screen("/messages/"),
    "message-templates": Screen("/settings/messages/"),
    "message-template-edit": Screen("/settings/messages/D03/", then=_ready("#preview-body:not(:empty)")),
    "share-url-settings": Screen("/sharing/settings/"),
    "application-settings": Screen("/settings/application/"),
    "members": Screen("/settings/members/"),
    "api-token": Screen("/settings/api-token/"),
    "not-found": Screen("/applicants/999999999/", status=404),
    # The same pages in English (the header's language button).
    "en-dashboard": Screen("/dashboard/", who="english"),
    "en-applicant-list-bulk-bar": Screen("/applicants/?job_posting={posting}", who="english", then=_bulk_bar),
    "en-applicant-detail-submitted": Screen("/applicants/{submitted}/", who="english"),
    "en-applicant-detail-expired": Screen("/applicants/{expired}/", who="english"),
    "en-import-preview": Screen("/imports/{import_preview}/", who="english"),
    "en-bulk-extend": Screen("/bulk/?job_posting={posting}&scope=all&action=extend", who="english"),
    "en-message-log": Screen("/messages/", who="english"),
    "en-share-url-settings": Screen("/sharing/settings/", who="english"),
    # Applicants, on a phone with the fake camera.
    "interview-start": Screen("/i/{token_new}/", who="applicant"),
    "interview-start-resume": Screen("/i/{token_partial}/", who="applicant"),
    "interview-practice": Screen(
        "/i/{token_new}/practice/", who="applicant", then=_ready("#iv-practice-start:not([disabled])")
    ),
    "interview-device-check": Screen("/i/{token_new}/check/", who="applicant", then=_ready("#iv-next.ready")),
    "interview-record": Screen(
        "/i/{token_new}/record/", who="applicant", then=_ready("#iv-begin:not([disabled])")
    ),
    "interview-confirm": Screen("/i/{token_answered}/confirm/", who="applicant"),
    "interview-done": Screen("/i/{token_submitted}/done/", who="applicant"),
    "interview-closed": Screen("/i/{token_withdrawn}/", who="applicant", status=403),
    "interview-deadline-passed": Screen("/i/{token_expired}/", who="applicant", status=403),
    "interview-unknown": Screen("/i/no-such-token/", who="applicant", status=404),
    # Reviewers, without logging in.
    "reviewer": Screen("/s/{share_token}/", who="reviewer", then=_ready("#evaluation-form")),
    "reviewer-after-evaluating": Screen("/s/{share_token}/", who="reviewer", then=_evaluate),
    "reviewer-no-answers": Screen("/s/{share_token_awaiting}/", who="reviewer"),
    "reviewer-not-found": Screen("/s/no-such-token/", who="reviewer", status=404),
}


# --- The data, the server and the browsers -------------------------------------------------------------


def _answer(applicant: Applicant, question: Any, n: int) -> Answer:
    """A kept answer (no video file: axe reads the markup, not the media)."""
    take = Take.objects.create(
        applicant=applicant,
        question=question,
        state=Take.State.COMPLETE,
        container=Take.Container.MP4,
        file=f"answers/{applicant.pk}/take-{n}.mp4",
        size=123_456,
        client_duration=42.0,
        completed_at=timezone.now(),
    )
    return Answer.objects.create(
        applicant=applicant,
        question=question,
        take=take,
        video=f"answers/{applicant.pk}/answer-{n}.mp4",
        duration=42.0,
        processing=Answer.Processing.DONE,
        processed_at=timezone.now(),
    )


def _message(applicant: Applicant, code: str, status: str, error: str = "") -> None:
    Message.objects.create(
        company=applicant.company,
        applicant=applicant,
        template_code=code,
        idempotency_key=f"a11y-{applicant.pk}-{code}-{status}",
        to=applicant.email,
        subject="録画面接のご案内",
        body="山田 太郎 様",
        status=status,
        last_error=error,
        sent_at=timezone.now() if status != Message.Status.QUEUED else None,
    )


def _applicants(posting: Any, closed: Any, alice: Any) -> dict[str, Applicant]:
    """Applicants in every status, with answers, history, and one personal deadline (期限延長)."""
    make = ApplicantFactory
    new, partial, answered, extended = make.create_batch(4, job_posting=posting)
    people = {
        "new": new,
        "partial": partial,
        "answered": answered,
        "extended": extended,
        "submitted": make(job_posting=posting, status=Applicant.Status.SUBMITTED, free_area_1="ATS-42"),
        "expired": make(job_posting=posting, status=Applicant.Status.EXPIRED),
        "withdrawn": make(job_posting=posting),
    }
    make(job_posting=posting, status=Applicant.Status.SUBMITTED)
    make.create_batch(2, job_posting=closed, status=Applicant.Status.EXPIRED)
    company = posting.company
    company.last_im_id = max(Applicant.objects.values_list("im_id", flat=True))
    company.save(update_fields=["last_im_id"])

    for n, question in enumerate(posting.questions.order_by("position")):
        _answer(people["submitted"], question, n)
        _answer(people["answered"], question, n)
        if n == 0:
            _answer(partial, question, n)
    submitted = people["submitted"]
    ApplicantEvent.objects.create(company=company, applicant=submitted, kind=ApplicantEvent.Kind.SUBMITTED)
    applicant_services.applicants_withdraw(applicants=[people["withdrawn"]], by=alice)
    applicant_services.applicants_deadline_extend(
        company=company,
        applicant_ids=[extended.pk],
        deadline=timezone.now() + dt.timedelta(days=30),
        notify=False,
        by=alice,
    )
    return people


def _mail(people: dict[str, Applicant]) -> None:
    """Mail in every status the message log shows."""
    for status, error in [
        (Message.Status.QUEUED, ""),
        (Message.Status.SENT, ""),
        (Message.Status.DELIVERED, ""),
        (Message.Status.BOUNCED, "550 5.1.1 User unknown"),
        (Message.Status.FAILED, "Connection refused"),
        (Message.Status.CANCELLED, "withdrawn"),
    ]:
        _message(people["submitted"], "D03", status, error)
    _message(people["expired"], "D04", Message.Status.COMPLAINED)
    _message(people["extended"], "D06", Message.Status.SUPPRESSED)


def _data() -> dict[str, Any]:
    """A company with both features on, applicants in every status, answers, mail, imports, evaluations."""
    company = CompanyFactory(name="アリス商事", free_area_1_label="ATS応募者ID")
    alice = MembershipFactory(user__username="alice", company=company, role=Membership.Role.ADMIN).user
    MembershipFactory(user__username="bob", company=company, role=Membership.Role.MEMBER)
    posting = JobPostingFactory(
        company=company, title="2027年度 総合職", practice_question="好きな食べ物を教えてください。"
    )
    for n, text in enumerate(["自己紹介をお願いします。", "志望動機を教えてください。"]):
        QuestionFactory(job_posting=posting, position=n, text=text)
    past = timezone.now() - dt.timedelta(days=1)
    closed = JobPostingFactory(company=company, title="2026年度 技術職", deadline=past)
    QuestionFactory(job_posting=closed, position=0)
    people = _applicants(posting, closed, alice)
    _mail(people)

    # Share links (the share URL section, the reviewer pages) and one evaluation already given.
    link = sharing_services.share_link_get_or_create(applicant=people["submitted"], by=alice)
    awaiting_link = sharing_services.share_link_get_or_create(applicant=people["new"], by=alice)
    assert link is not None and awaiting_link is not None
    sheet = sharing_services.evaluation_sheet_for(job_posting=posting)
    grade, comment = sheet.items.all()
    sharing_services.evaluation_submit(
        link=link, sheet=sheet, reviewer_name="田中 課長", answers={grade.pk: "A", comment.pk: "明快。"}
    )

    # An answer request, run to the end (tasks are eager here).
    answer_request, _created = bulk_services.answer_request_create(
        company=company,
        selection=bulk_services.Selection.of(search={"job_posting": posting.pk, "status": "awaiting"}),
        idempotency_key="a11y",
        by=alice,
    )

    # Uploads: a preview with an error row, and a file that could not be read.
    rows = [applicant_row(n) for n in range(1, 4)] + [applicant_row(4, domain="example..jp")]
    preview = import_services.applicant_import_create(
        job_posting=posting, file=ContentFile(to_csv(rows)), file_name="応募者一覧.csv", by=alice
    )
    invalid = import_services.applicant_import_create(
        job_posting=posting, file=ContentFile(b"\x00\x01not a csv"), file_name="壊れた.csv", by=alice
    )
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    return {
        "reset_uid": uid,
        "reset_link": f"{uid}/{default_token_generator.make_token(alice)}",
        "posting": posting.pk,
        **{name: people[name].im_id for name in ["submitted", "expired", "extended", "withdrawn"]},
        **{f"token_{name}": applicant.interview_token for name, applicant in people.items()},
        "import_preview": preview.pk,
        "import_invalid": invalid.pk,
        "answer_request": answer_request.pk,
        "share_token": link.token,
        "share_token_awaiting": awaiting_link.token,
    }


@dataclass
class Site:
    """The live server, the data's ids and one browser page per audience (made when first needed)."""

    url: str
    ids: dict[str, Any]
    browser: Any
    contexts: dict[str, Any] = field(default_factory=dict)
    pages: dict[str, Any] = field(default_factory=dict)

    def page(self, who: str) -> Any:
        if who not in self.pages:
            self.pages[who] = self._open(who)
        return self.pages[who]

    def _context(self, who: str, **options: Any) -> Any:
        context = self.browser.new_context(locale="ja-JP", **options)
        context.set_default_timeout(15000)
        self.contexts[who] = context
        return context

    def _open(self, who: str) -> Any:
        if who == "applicant":
            return self._context(who, viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        page = self._context(who, viewport={"width": 1280, "height": 900}).new_page()
        if who == "recruiter":
            login(page, self, "alice")  # `self.url` stands in for the live server's
        elif who == "english":
            # The recruiter's session, switched to English with the header's language button.
            page.context.add_cookies(self.page("recruiter").context.cookies())
            page.goto(f"{self.url}/dashboard/")
            page.click("button[name=language][value=en]")
            page.wait_for_selector("html[lang=en]")
        return page

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, browser, tmp_path_factory) -> Iterator[Site]:
    require(AXE.exists(), f"needs axe-core at {AXE.relative_to(ROOT)} (npm ci)")
    from pytest_django.live_server_helper import LiveServer

    media = tmp_path_factory.mktemp("a11y-media")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    overrides = override_settings(
        MEDIA_ROOT=media,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        AXES_ENABLED=False,
        SITE_URL="http://testserver",
    )
    with django_db_blocker.unblock(), overrides:
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        site = Site(url=server.url, ids={}, browser=browser)
        try:
            site.ids = _data()
            yield site
        finally:
            site.close()
            server._live_server_modified_settings.disable()
            server.stop()
            celery_app.conf.task_always_eager = eager
            # What a transactional test leaves behind: an empty database. Then close this context's
            # connection (Playwright's greenlets give it its own), or the test database cannot be dropped.
            call_command("flush", interactive=False, verbosity=0)
            connections.close_all()


# --- The check ------------------------------------------------------------------------------------------


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
             .then(results => results.violations)""",
        WCAG_TAGS,
    )


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:3]]
        lines.append(f"- {v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']} → {targets}")
        lines.append(f"  first: {v['nodes'][0]['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(SCREENS))
def test_page_has_no_axe_violations(site: Site, name: str, artifacts_dir) -> None:
    screen = SCREENS[name]
    page = site.page(screen.who)
    response = page.goto(site.url + screen.path.format(**site.ids))
    assert response is not None, name
    assert response.status == screen.status, f"{name}: HTTP {response.status}"
    screen.then(page)
    violations = axe_violations(page)
    if violations:
        page.screenshot(path=str(artifacts_dir / f"a11y-{name}.png"), full_page=True)
    assert not violations, f"{name} ({page.url}) has axe violations:\n{describe(violations)}"
