"""Reads of the recorded interview: the applicant behind a token, their progress, the recruiter's view."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from applicants.models import Applicant, Question
from interviews.models import Answer, Take

# What the upload calls read of the applicant: the gate (status and deadlines) and where takes go.
UPLOAD_FIELDS = ("company", "job_posting__deadline", "status", "deadline", "interview_token")
# A take's own columns with its applicant's upload columns; and its question's, for take_by_token.
TAKE_FIELDS = (
    *(f.name for f in Take._meta.concrete_fields if f.name != "applicant"),
    *(f"applicant__{name}" for name in UPLOAD_FIELDS),
)
QUESTION_FIELDS = tuple(f"question__{f.name}" for f in Question._meta.concrete_fields)


def applicant_by_token(*, token: str, upload: bool = False) -> Applicant:
    """The applicant whose interview the token opens, or 404; the token grants nothing else.

    `upload`: only the columns the upload calls use (UPLOAD_FIELDS). They are most of an interview's
    requests, and building the query of all 51 columns of applicant, posting and company cost them
    more CPU than anything else they do (docs/load.md). Tests pin their query counts, so a deferred
    column read by mistake shows there.
    """
    if not token or len(token) > 64:
        raise Http404
    applicants = Applicant.objects.filter(interview_token=token)
    if upload:
        applicants = applicants.select_related("job_posting").only(*UPLOAD_FIELDS)
    else:
        applicants = applicants.select_related("job_posting__company")
    try:
        applicant = applicants.get()
    except Applicant.DoesNotExist:
        raise Http404 from None
    if not upload:
        # One company, read once: the pages show the posting's company, the services use the applicant's.
        applicant.company = applicant.job_posting.company
    return applicant


def take_by_token(*, token: str, key: str, question: bool = False) -> Take:
    """The current take `key` of the interview `token` with its applicant (UPLOAD_FIELDS), in one query;
    with its question when the caller needs it. 404 when either is unknown or they do not match."""
    if not token or len(token) > 64:
        raise Http404
    takes = Take.objects.current()
    if question:
        takes = takes.select_related("applicant__job_posting", "question").only(
            *TAKE_FIELDS, *QUESTION_FIELDS
        )
    else:
        takes = takes.select_related("applicant__job_posting").only(*TAKE_FIELDS)
    try:
        return takes.get(applicant__interview_token=token, key=key)
    except Take.DoesNotExist:
        raise Http404 from None


@dataclass
class Progress:
    questions: list[Question]
    answered: set[int]
    current: Question | None = None
    # Finished takes of the current question, newest last (the last one is offered for review).
    takes: list[Take] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.current is None

    @property
    def number(self) -> int:
        return len(self.answered) + 1

    @property
    def takes_left(self) -> int:
        return max(0, self.current.max_takes - len(self.takes)) if self.current else 0


def interview_progress(*, applicant: Applicant) -> Progress:
    """Where the applicant stands: the first unanswered question and its finished takes."""
    questions = list(applicant.job_posting.questions.order_by("position", "id"))
    answered = set(Answer.objects.current().filter(applicant=applicant).values_list("question_id", flat=True))
    progress = Progress(questions=questions, answered=answered)
    progress.current = next((q for q in questions if q.pk not in answered), None)
    if progress.current is not None:
        progress.takes = list(
            Take.objects.current()
            .filter(applicant=applicant, question=progress.current, state=Take.State.COMPLETE)
            .order_by("completed_at", "id")
        )
    return progress


@dataclass
class AnswerRow:
    question: Question
    answer: Answer | None
    take_count: int


def applicant_answers(*, applicant: Applicant) -> list[AnswerRow]:
    """Each question of the applicant's posting with the kept answer and the number of finished takes.

    The applicant comes from a company-scoped access helper; everything here hangs off it.
    """
    questions = list(applicant.job_posting.questions.order_by("position", "id"))
    answers = {
        a.question_id: a for a in Answer.objects.current().filter(applicant=applicant).select_related("take")
    }
    counts: dict[int, int] = {}
    for question_id in (
        Take.objects.current()
        .filter(applicant=applicant, state=Take.State.COMPLETE)
        .values_list("question_id", flat=True)
    ):
        counts[question_id] = counts.get(question_id, 0) + 1
    return [
        AnswerRow(question=q, answer=answers.get(q.pk), take_count=counts.get(q.pk, 0)) for q in questions
    ]


def archived_answers(*, applicant: Applicant) -> list[Answer]:
    """Answers a 受験リセット set aside, newest reset first: for the recruiter's applicant page only."""
    return list(
        Answer.objects.filter(applicant=applicant, archived_at__isnull=False)
        .select_related("question")
        .order_by("-archived_at", "question__position", "question_id")
    )
